/**
 * The Promote form of one accepted proposal: the target, the diff first, then (when the
 * session asks for them) a "yes" for a replacement and the human's own line, then Write.
 * The kernel's session decides everything (pairrepl/session/promotion.py); a draft it
 * refuses is said here, with its words, and nothing is offered to write.
 */
import { button, el, Message } from './dom';
import { Highlighter } from './highlight';
import { IDraft, Reply } from './protocol';

export interface IPromoteHost {
  request(op: string, fields: Record<string, unknown>): Promise<Reply>;
  readonly defaultTarget: string;
  readonly highlighter: Highlighter;
}

export class PromoteForm {
  readonly node = el('div', { class: 'pairrepl-form pairrepl-promote-form' });

  constructor(
    private host: IPromoteHost,
    private proposal: string,
    private done: (message: string) => void,
    cancel: () => void
  ) {
    this._target.value = host.defaultTarget;
    this._target.addEventListener('input', () => this._forget());
    this._asTest.addEventListener('change', () => {
      this._target.value = this._asTest.checked ? '' : host.defaultTarget;
      this._forget();
    });
    this._target.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void this.showDiff();
      }
    });
    const asTest = el('label', { class: 'pairrepl-as-test' });
    asTest.append(this._asTest, ' as a test');
    const row = el('div', { class: 'pairrepl-row' });
    row.append(
      button('Show diff', 'show-diff', 'accept', () => void this.showDiff()),
      button('Cancel', 'cancel', 'reject', cancel)
    );
    this.node.append(this._target, asTest, row, this._diff, this._after, this._message.node);
  }

  focus(): void {
    this._target.focus();
  }

  /** Ask the session for the draft and show it: the diff, or why it cannot be written. */
  async showDiff(): Promise<void> {
    this._forget();
    this._message.show('Drafting…');
    const reply = await this.host.request('draft', {
      proposal: this.proposal,
      target: this._target.value,
      as_test: this._asTest.checked
    });
    if (!reply.ok) {
      this._message.show(reply.error ?? 'The draft failed.', 'error');
      return;
    }
    const draft = reply as unknown as IDraft;
    this._message.clear();
    if (draft.diff) {
      await this.host.highlighter.diff(draft.diff, this._diff);
      this._diff.hidden = false;
    }
    if (draft.blocked) {
      this._message.show(draft.blocked, 'error');
      if (draft.as_test_instead && !this._asTest.checked) {
        this._after.append(
          button('Promote it as a test', 'promote-as-test', 'accept', () => {
            this._asTest.checked = true;
            this._target.value = '';
            void this.showDiff();
          })
        );
      }
      return;
    }
    if (draft.unchanged) {
      this._message.show(`${draft.target} already holds exactly this code: nothing to write.`, 'warning');
      return;
    }
    this._offerWrite(draft);
  }

  private _offerWrite(draft: IDraft): void {
    const write = button(`Write ${draft.target}`, 'write', 'accept', () => void this._write(draft));
    const yes = el('input', { type: 'checkbox', class: 'jp-mod-styled pairrepl-confirm-box' });
    if (draft.confirm) {
      const label = el('label', { class: 'pairrepl-confirm' });
      label.append(yes, ` Yes: ${draft.confirm}`);
      this._after.append(label);
      write.disabled = true;
      yes.addEventListener('change', () => (write.disabled = !yes.checked));
    }
    if (draft.needs_explanation) {
      this._after.append(this._explanation);
    }
    this._confirmed = () => yes.checked;
    this._after.append(write);
  }

  private async _write(draft: IDraft): Promise<void> {
    this._message.show('Writing…');
    const done = await this.host.request('promote', {
      proposal: this.proposal,
      target: draft.target,
      as_test: draft.as_test,
      draft_hash: draft.draft_hash,
      explanation: this._explanation.value,
      confirm: this._confirmed()
    });
    if (!done.ok) {
      this._message.show(done.error ?? 'The promotion failed.', 'error');
    } else if (done.changed === false) {
      this._message.show(`Nothing was written: ${done.message ?? `${draft.target} was unchanged.`}`, 'warning');
    } else {
      const said = done.message || `Promoted into ${done.target} (promotion ${done.promotion}).`;
      this.done(done.reload_report ? `${said}\n${done.reload_report}` : said);
    }
  }

  /** The target or the kind changed: the diff shown no longer holds. */
  private _forget(): void {
    this._diff.textContent = '';
    this._diff.hidden = true;
    this._after.textContent = '';
    this._message.clear();
    this._confirmed = () => false;
  }

  private _target = el('input', {
    class: 'jp-mod-styled pairrepl-target',
    placeholder: 'target file, e.g. src/tools.py'
  });
  private _asTest = el('input', { type: 'checkbox', class: 'jp-mod-styled pairrepl-as-test-box' });
  private _diff = el('div', { class: 'pairrepl-diff pairrepl-codeblock', hidden: '' });
  private _after = el('div', { class: 'pairrepl-after-diff' });
  private _explanation = el('textarea', {
    class: 'jp-mod-styled pairrepl-explanation',
    rows: '2',
    placeholder: 'In your own words, what does it do?'
  });
  private _message = new Message();
  private _confirmed: () => boolean = () => false;
}
