/**
 * The Ask box: a request to the AI (Shift+Enter or the button sends it), the reply as it
 * streams, and how the request went, right under it.
 */
import { button, el, Message } from './dom';
import { Reply } from './protocol';

export interface IAskHost {
  request(op: string, fields: Record<string, unknown>, onText?: (text: string) => void): Promise<Reply>;
}

export class AskBox {
  readonly node = el('div', { class: 'pairrepl-ask' });

  constructor(private host: IAskHost) {
    this._input.addEventListener('keydown', event => {
      if (event.key === 'Enter' && event.shiftKey) {
        event.preventDefault();
        event.stopPropagation();
        void this.ask();
      }
    });
    this._input.addEventListener('input', () => this._fit());
    const row = el('div', { class: 'pairrepl-row pairrepl-ask-row' });
    row.append(el('span', { class: 'pairrepl-hint' }, 'Shift+Enter sends'), this._button);
    this._reply.hidden = true;
    this.node.append(this._input, row, this._message.node, this._reply);
  }

  async ask(): Promise<void> {
    const request = this._input.value;
    if (this._button.disabled) {
      return;
    }
    if (!request.trim()) {
      this._message.show('Type a request first.');
      return;
    }
    this._button.disabled = true;
    this._reply.textContent = '';
    this._reply.hidden = true;
    this._message.show('Asking…');
    const reply = await this.host.request('ask', { request }, text => {
      this._reply.hidden = false;
      this._reply.textContent += text;
    });
    this._button.disabled = false;
    if (!reply.ok) {
      this._message.show(reply.error ?? 'The request failed.', 'error');
    } else if (reply.refusal) {
      this._message.show(`The model declined: ${reply.refusal}`, 'warning');
    } else if (reply.proposal) {
      this._input.value = '';
      this._fit();
      this._message.show(`Proposal ${reply.proposal.id} is below: read it, then Insert below.`, 'success');
    } else {
      this._message.show('The AI answered without proposing a cell.');
    }
  }

  /** As tall as its text, from three lines to twelve. */
  private _fit(): void {
    this._input.style.height = 'auto';
    this._input.style.height = `${this._input.scrollHeight + 2}px`;
  }

  private _input = el('textarea', {
    class: 'jp-mod-styled pairrepl-request',
    rows: '3',
    placeholder: 'Ask the AI for a small cell. $name shows it a live object.'
  });
  private _button = button('Ask', 'ask-button', 'accept', () => void this.ask());
  private _message = new Message();
  private _reply = el('div', { class: 'pairrepl-reply' });
}
