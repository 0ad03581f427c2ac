/**
 * pairrepl's JupyterLab panel: the AI's proposals of this notebook's session, with their
 * states, and what the human may do with them. It changes nothing itself: each button is
 * a request over the "pairrepl" comm to the kernel, whose in-kernel session keeps the
 * rules (pairrepl/session/panel.py). Insert below puts the code in a new cell; it never
 * runs it.
 */
import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

const COMM_TARGET = 'pairrepl';

interface IProposal {
  id: string;
  code: string;
  rationale: string;
  model: string;
  state: string;
  runs: number;
  rejection_reason: string | null;
}

interface IState {
  session: string;
  project: string;
  explain_back: boolean;
  default_target: string;
  proposals: IProposal[];
}

type Reply = { ok: boolean; error?: string; [key: string]: any };

/** One comm to one kernel: requests with replies, and what the kernel pushes. */
class Connection {
  constructor(
    kernel: Kernel.IKernelConnection,
    onState: (state: IState) => void,
    onText: (ask: number, text: string) => void,
    onClosed: (why: string) => void
  ) {
    this._comm = kernel.createComm(COMM_TARGET);
    this._comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => {
      const data = msg.content.data as any;
      if (data.event === 'state') {
        onState(data as IState);
      } else if (data.event === 'text') {
        onText(data.ask, data.text);
      } else if (data.event === 'unavailable') {
        this._why = data.error;
      } else if (data.reply_to !== undefined && this._pending.has(data.reply_to)) {
        this._pending.get(data.reply_to)!(data as Reply);
        this._pending.delete(data.reply_to);
      }
    };
    this._comm.onClose = () => {
      this.closed = true;
      for (const resolve of this._pending.values()) {
        resolve({ ok: false, error: 'The kernel closed the connection.' });
      }
      this._pending.clear();
      onClosed(this._why);
    };
    this._comm.open({});
  }

  request(op: string, fields: Record<string, unknown> = {}): Promise<Reply> {
    if (this.closed) {
      return Promise.resolve({ ok: false, error: 'Not connected to a pairrepl kernel.' });
    }
    const id = ++this._next;
    return new Promise<Reply>(resolve => {
      this._pending.set(id, resolve);
      this._comm.send({ id, op, ...fields } as any);
    });
  }

  get nextId(): number {
    return this._next + 1;
  }

  dispose(): void {
    if (!this.closed) {
      this.closed = true;
      this._comm.close();
    }
  }

  closed = false;
  private _comm: Kernel.IComm;
  private _next = 0;
  private _pending = new Map<number, (reply: Reply) => void>();
  private _why = '';
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

/** The side panel. */
class ProposalsPanel extends Widget {
  constructor(private tracker: INotebookTracker) {
    super();
    this.id = 'pairrepl-panel';
    this.addClass('pairrepl-Panel');
    this.title.label = 'pairrepl';
    this.title.caption = 'pairrepl: the AI proposals of this notebook';
    this._status = el('div', { class: 'pairrepl-status' }, 'No notebook.');
    const askBox = el('div', { class: 'pairrepl-ask' });
    this._request = el('textarea', {
      class: 'pairrepl-request',
      placeholder: 'Ask the AI for a small cell ($name shows it a live object)'
    });
    this._askButton = el('button', { class: 'pairrepl-ask-button' }, 'Ask');
    this._askButton.onclick = () => void this.ask();
    this._reply = el('pre', { class: 'pairrepl-reply' });
    askBox.append(this._request, this._askButton, this._reply);
    this._error = el('div', { class: 'pairrepl-error' });
    this._list = el('div', { class: 'pairrepl-list' });
    const reconnect = el('button', { class: 'pairrepl-reconnect' }, 'Reconnect');
    reconnect.onclick = () => void this.connect();
    this.node.append(this._status, reconnect, askBox, this._error, this._list);
    tracker.currentChanged.connect(() => void this.connect());
  }

  get connection(): Connection | null {
    return this._connection;
  }

  /** Connect to the kernel of the current notebook (again). */
  async connect(): Promise<void> {
    this._connection?.dispose();
    this._connection = null;
    const panel = this.tracker.currentWidget;
    this._notebook = panel;
    if (!panel) {
      this.showStatus('Open a notebook on the "Python 3 (pairrepl)" kernel.');
      return;
    }
    if (!this._watched.has(panel)) {
      this._watched.add(panel);
      panel.sessionContext.kernelChanged.connect(() => {
        if (this.tracker.currentWidget === panel) {
          void this.connect();
        }
      });
    }
    await panel.sessionContext.ready;
    const kernel = panel.sessionContext.session?.kernel;
    if (!kernel || this.tracker.currentWidget !== panel) {
      return;
    }
    this.showStatus('Connecting…');
    const connection = new Connection(
      kernel,
      state => this.showState(state),
      (ask, text) => {
        if (ask === this._asking) {
          this._reply.textContent += text;
        }
      },
      why => {
        if (this._connection === connection) {
          this._state = null;
          this.renderList();
          this.showStatus(
            why ||
              'This kernel has no pairrepl: pick the kernel "Python 3 (pairrepl)" ' +
                '(or run %load_ext pairrepl), then Reconnect.'
          );
        }
      }
    );
    this._connection = connection;
  }

  showStatus(text: string): void {
    this._status.textContent = text;
  }

  showError(text: string): void {
    this._error.textContent = text;
  }

  showState(state: IState): void {
    this._state = state;
    this.showStatus(`Session ${state.session} in ${state.project}`);
    this.renderList();
  }

  async ask(): Promise<void> {
    const request = this._request.value;
    if (!this._connection || !request.trim()) {
      return;
    }
    this._askButton.disabled = true;
    this._reply.textContent = '';
    this.showError('');
    this._asking = this._connection.nextId;
    const reply = await this._connection.request('ask', { request });
    this._askButton.disabled = false;
    if (!reply.ok) {
      this.showError(reply.error ?? 'The request failed.');
    } else if (reply.refusal) {
      this.showError(`The model declined: ${reply.refusal}`);
    } else {
      this._request.value = '';
    }
  }

  private async call(op: string, fields: Record<string, unknown>): Promise<Reply> {
    this.showError('');
    if (!this._connection) {
      return { ok: false, error: 'Not connected.' };
    }
    const reply = await this._connection.request(op, fields);
    if (!reply.ok) {
      this.showError(reply.error ?? `${op} failed.`);
    }
    return reply;
  }

  private insertBelow(proposal: IProposal): void {
    const panel = this._notebook;
    if (!panel) {
      return;
    }
    NotebookActions.insertBelow(panel.content);
    const cell = panel.content.activeCell;
    if (cell) {
      cell.model.sharedModel.setSource(proposal.code);
    }
    void this.call('offered', { proposal: proposal.id });
  }

  private renderList(): void {
    this._list.textContent = '';
    const proposals = this._state?.proposals ?? [];
    if (this._state && proposals.length === 0) {
      this._list.append(el('div', { class: 'pairrepl-empty' }, 'No proposals yet: ask above.'));
    }
    for (const proposal of [...proposals].reverse()) {
      this._list.append(this.renderProposal(proposal));
    }
  }

  private renderProposal(proposal: IProposal): HTMLElement {
    const card = el('div', {
      class: `pairrepl-proposal pairrepl-state-${proposal.state}`,
      'data-proposal': proposal.id
    });
    const head = el('div', { class: 'pairrepl-head' });
    head.append(
      el('span', { class: 'pairrepl-id' }, proposal.id),
      el('span', { class: 'pairrepl-badge' }, proposal.state),
      el('span', { class: 'pairrepl-model' }, proposal.model)
    );
    card.append(head);
    if (proposal.rationale) {
      card.append(el('div', { class: 'pairrepl-rationale' }, proposal.rationale));
    }
    card.append(el('pre', { class: 'pairrepl-code' }, proposal.code));
    if (proposal.rejection_reason) {
      card.append(el('div', { class: 'pairrepl-reason' }, `Rejected: ${proposal.rejection_reason}`));
    }
    const open = !['rejected', 'promoted'].includes(proposal.state);
    const buttons = el('div', { class: 'pairrepl-buttons' });
    const button = (label: string, enabled: boolean, action: () => void) => {
      const b = el('button', { class: `pairrepl-${label.toLowerCase().replace(' ', '-')}` }, label);
      b.disabled = !enabled;
      b.onclick = action;
      buttons.append(b);
    };
    button('Insert below', open, () => this.insertBelow(proposal));
    button('Accept', proposal.state === 'ran_ok', () => void this.call('accept', { proposal: proposal.id }));
    button('Reject', open, () => {
      const reason = el('input', { class: 'pairrepl-reject-reason', placeholder: 'why not (optional)' });
      const confirm = el('button', { class: 'pairrepl-reject-confirm' }, 'Reject it');
      confirm.onclick = () =>
        void this.call('reject', { proposal: proposal.id, reason: reason.value });
      card.append(reason, confirm);
    });
    button('Promote', proposal.state === 'accepted', () => this.promoteForm(card, proposal));
    card.append(buttons);
    return card;
  }

  private promoteForm(card: HTMLElement, proposal: IProposal): void {
    const form = el('div', { class: 'pairrepl-promote-form' });
    const target = el('input', {
      class: 'pairrepl-target',
      placeholder: 'target file, e.g. src/tools.py'
    });
    target.value = this._state?.default_target ?? '';
    const showDiff = el('button', { class: 'pairrepl-show-diff' }, 'Show diff');
    const diff = el('pre', { class: 'pairrepl-diff' });
    form.append(target, showDiff, diff);
    showDiff.onclick = async () => {
      const draft = await this.call('draft', { proposal: proposal.id, target: target.value });
      if (!draft.ok) {
        return;
      }
      diff.textContent = draft.unchanged
        ? `${draft.target} already holds exactly this code.`
        : draft.diff;
      form
        .querySelectorAll('.pairrepl-explanation, .pairrepl-write, .pairrepl-confirm')
        .forEach(n => n.remove());
      if (draft.blocked) {
        this.showError(draft.blocked);
        return;
      }
      // A replacement (or a shadowed name, a risky new file name) needs an explicit yes.
      const yes = el('input', { class: 'pairrepl-confirm-box', type: 'checkbox' });
      if (draft.confirm) {
        const label = el('label', { class: 'pairrepl-confirm' });
        label.append(yes, ` yes: ${draft.confirm}`);
        form.append(label);
      }
      const explanation = el('textarea', {
        class: 'pairrepl-explanation',
        placeholder: 'In your own words, what does it do?'
      });
      if (draft.needs_explanation) {
        form.append(explanation);
      }
      const write = el('button', { class: 'pairrepl-write' }, `Write ${draft.target}`);
      write.onclick = async () => {
        const done = await this.call('promote', {
          proposal: proposal.id,
          target: target.value,
          draft_hash: draft.draft_hash,
          explanation: explanation.value,
          confirm: yes.checked
        });
        if (done.ok) {
          this.showStatus(done.message);
        }
      };
      form.append(write);
    };
    card.append(form);
  }

  private _connection: Connection | null = null;
  private _notebook: NotebookPanel | null = null;
  private _watched = new WeakSet<NotebookPanel>();
  private _state: IState | null = null;
  private _asking = -1;
  private _status: HTMLDivElement;
  private _request: HTMLTextAreaElement;
  private _askButton: HTMLButtonElement;
  private _reply: HTMLPreElement;
  private _error: HTMLDivElement;
  private _list: HTMLDivElement;
}

/** Blame: for the open .py file, who wrote each line (per the project's provenance). */
async function blame(app: JupyterFrontEnd, panel: ProposalsPanel, tracker: INotebookTracker) {
  const widget = app.shell.currentWidget as any;
  const path: string | undefined = widget?.context?.path;
  if (!path || !path.endsWith('.py')) {
    await showDialog({ title: 'pairrepl blame', body: 'Open a .py file first.', buttons: [Dialog.okButton()] });
    return;
  }
  const notebook = tracker.currentWidget;
  if (!panel.connection || !notebook) {
    await showDialog({
      title: 'pairrepl blame',
      body: 'Open a notebook on the pairrepl kernel first: blame asks its session.',
      buttons: [Dialog.okButton()]
    });
    return;
  }
  // The kernel runs in the notebook's folder: the path from there.
  const relative = PathExt.relative(PathExt.dirname(notebook.context.path), path);
  const reply = await panel.connection.request('blame', { path: relative });
  const body = el('pre', { class: 'pairrepl-blame' });
  if (!reply.ok) {
    body.textContent = reply.error ?? 'blame failed';
  } else {
    body.textContent = (reply.lines as any[])
      .map(line => {
        const who = line.origin.padEnd(9);
        const why = line.explanation ? `  # ${line.explanation}` : '';
        return `${String(line.number).padStart(4)} ${who} ${line.text}${why}`;
      })
      .join('\n');
  }
  const content = new Widget({ node: body });
  await showDialog({ title: `pairrepl blame: ${path}`, body: content, buttons: [Dialog.okButton()] });
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'pairrepl-labextension:plugin',
  description: "pairrepl's panel: the AI's proposals, their states, and the human's actions.",
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILabShell, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    labShell: ILabShell | null,
    palette: ICommandPalette | null
  ) => {
    const panel = new ProposalsPanel(tracker);
    app.shell.add(panel, 'right', { rank: 900 });
    app.commands.addCommand('pairrepl:blame', {
      label: 'pairrepl: Blame this file (who wrote each line)',
      execute: () => blame(app, panel, tracker)
    });
    app.commands.addCommand('pairrepl:open-panel', {
      label: 'pairrepl: Show the proposals panel',
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: 'pairrepl:blame', category: 'pairrepl' });
    palette?.addItem({ command: 'pairrepl:open-panel', category: 'pairrepl' });
  }
};

export default plugin;
