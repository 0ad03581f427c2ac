/**
 * One proposal in the list: its code, rationale, state and the human's actions on it.
 * A card lives as long as its proposal is listed: the kernel's state pushes update it in
 * place, so a form being filled in (Reject, Promote) and its text stay as they are.
 */
import { button, el, Message } from './dom';
import { Highlighter } from './highlight';
import { PromoteForm } from './promoteForm';
import { IProposal, Reply } from './protocol';

export interface ICardHost {
  request(op: string, fields: Record<string, unknown>): Promise<Reply>;
  /** Put the code into a new cell below the active one; false when there is no notebook. */
  insertBelow(code: string): boolean;
  readonly defaultTarget: string;
  readonly highlighter: Highlighter;
}

/** Done with: it cannot run or be moved on any more. */
const CLOSED = ['rejected', 'promoted'];

interface IForm {
  readonly kind: 'reject' | 'promote';
  readonly node: HTMLElement;
  focus(): void;
}

export class ProposalCard {
  readonly node: HTMLElement;

  constructor(
    private host: ICardHost,
    proposal: IProposal
  ) {
    this._proposal = proposal;
    this.node = el('div', { class: 'pairrepl-proposal', 'data-proposal': proposal.id });
    const head = el('div', { class: 'pairrepl-head' });
    head.append(
      el('span', { class: 'pairrepl-id' }, proposal.id),
      this._badge,
      this._runs,
      el('span', { class: 'pairrepl-model', title: proposal.model }, proposal.model)
    );
    this.node.append(head);
    if (proposal.rationale) {
      this.node.append(el('div', { class: 'pairrepl-rationale' }, proposal.rationale));
    }
    const code = el('pre', { class: 'pairrepl-code pairrepl-codeblock' });
    void host.highlighter.code(proposal.code, code);
    const buttons = el('div', { class: 'pairrepl-row pairrepl-actions' });
    buttons.append(this._insert, this._accept, this._reject, this._promote);
    this.node.append(code, this._reason, buttons, this._formSlot, this._message.node);
    this.update(proposal);
  }

  get id(): string {
    return this._proposal.id;
  }

  /** The proposal as the kernel now says it is. */
  update(proposal: IProposal): void {
    this._proposal = proposal;
    const state = proposal.state;
    this.node.className = `pairrepl-proposal pairrepl-state-${state}`;
    this._badge.textContent = state.replace('_', ' '); // in words, as the app says it
    this._runs.textContent = proposal.runs ? `ran ${proposal.runs}×` : '';
    this._reason.textContent = proposal.rejection_reason ? `Rejected: ${proposal.rejection_reason}` : '';
    this._reason.hidden = !proposal.rejection_reason;
    const open = !CLOSED.includes(state);
    this._insert.disabled = !open;
    this._accept.disabled = state !== 'ran_ok';
    this._reject.disabled = !open;
    this._promote.disabled = state !== 'accepted';
    const form = this._form;
    if (form && ((form.kind === 'promote' && state !== 'accepted') || !open)) {
      this._closeForm();
    }
  }

  private _insertBelow(): void {
    if (!this.host.insertBelow(this._proposal.code)) {
      this._message.show('Open the notebook to insert into.', 'error');
      return;
    }
    this._message.show('Inserted below the active cell: run it when you have read it.');
    void this._call('offered', {});
  }

  private async _acceptIt(): Promise<void> {
    if (await this._call('accept', {})) {
      this._message.show('Accepted: Promote writes it into your code.', 'success');
    }
  }

  private _openReject(): void {
    this._openForm('reject', () => {
      const node = el('div', { class: 'pairrepl-form pairrepl-reject-form' });
      const reason = el('input', {
        class: 'jp-mod-styled pairrepl-reject-reason',
        placeholder: 'why not (optional; the AI sees it next time)'
      });
      const confirm = async () => {
        if (await this._call('reject', { reason: reason.value })) {
          this._closeForm();
          this._message.show('Rejected.');
        }
      };
      reason.addEventListener('keydown', event => {
        if (event.key === 'Enter') {
          event.preventDefault();
          void confirm();
        }
      });
      const row = el('div', { class: 'pairrepl-row' });
      row.append(
        button('Reject it', 'reject-confirm', 'warn', () => void confirm()),
        button('Cancel', 'cancel', 'reject', () => this._closeForm())
      );
      node.append(reason, row);
      return { kind: 'reject', node, focus: () => reason.focus() };
    });
  }

  private _openPromote(): void {
    this._openForm('promote', () => {
      const form = new PromoteForm(
        this.host,
        this._proposal.id,
        message => {
          this._closeForm();
          this._message.show(message, 'success');
        },
        () => this._closeForm()
      );
      return { kind: 'promote', node: form.node, focus: () => form.focus() };
    });
  }

  /** One form at a time: the open one is kept (and focused) when its button is pressed again. */
  private _openForm(kind: IForm['kind'], make: () => IForm): void {
    let form = this._form;
    if (form?.kind !== kind) {
      this._closeForm();
      form = this._form = make();
      this._formSlot.append(form.node);
    }
    this._message.clear();
    form.focus();
  }

  private _closeForm(): void {
    this._form?.node.remove();
    this._form = null;
  }

  /** A request about this proposal; its error is said under the card. */
  private async _call(op: string, fields: Record<string, unknown>): Promise<boolean> {
    this._message.clear();
    const reply = await this.host.request(op, { proposal: this._proposal.id, ...fields });
    if (!reply.ok) {
      this._message.show(reply.error ?? `${op} failed.`, 'error');
    }
    return reply.ok;
  }

  private _proposal: IProposal;
  private _form: IForm | null = null;
  private _badge = el('span', { class: 'pairrepl-badge' });
  private _runs = el('span', { class: 'pairrepl-runs' });
  private _reason = el('div', { class: 'pairrepl-reason' });
  private _formSlot = el('div', { class: 'pairrepl-form-slot' });
  private _message = new Message();
  private _insert = button('Insert below', 'insert-below', 'reject', () => this._insertBelow());
  private _accept = button('Accept', 'accept', 'accept', () => void this._acceptIt());
  private _reject = button('Reject', 'reject', 'reject', () => this._openReject());
  private _promote = button('Promote', 'promote', 'accept', () => this._openPromote());
}
