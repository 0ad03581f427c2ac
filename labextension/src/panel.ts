/**
 * The side panel: the proposals of the current notebook's session, the Ask box, and a
 * status line. It follows the notebook's kernel through its life on its own: a change of
 * notebook or of kernel, a restart (the old session's cards go; the new session's come),
 * a dropped and restored connection, a kernel that gets pairrepl later (%load_ext).
 */
import { Kernel } from '@jupyterlab/services';
import { INotebookTracker, Notebook, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { AskBox } from './ask';
import { ICardHost, ProposalCard } from './card';
import { Connection } from './connection';
import { button, el } from './dom';
import { Highlighter } from './highlight';
import { pairreplIcon } from './icon';
import { IState, Reply } from './protocol';

/** Kernel states in which there is no kernel process to talk to (yet). */
const GONE: ReadonlySet<Kernel.Status> = new Set<Kernel.Status>([
  'restarting',
  'autorestarting',
  'starting',
  'terminating',
  'dead',
  'unknown'
]);

const NO_PAIRREPL =
  'This kernel has no pairrepl: pick the kernel "Python 3 (pairrepl)", or run ' +
  '%load_ext pairrepl in a cell (the panel connects when the cell ends).';

export class ProposalsPanel extends Widget implements ICardHost {
  constructor(
    tracker: INotebookTracker,
    readonly highlighter: Highlighter
  ) {
    super();
    this.id = 'pairrepl-panel';
    this.addClass('pairrepl-Panel');
    this.title.icon = pairreplIcon;
    this.title.caption = 'pairrepl: the AI proposals of this notebook';
    this._reconnect.hidden = true;
    const header = el('div', { class: 'pairrepl-header' });
    header.append(this._status, this._reconnect);
    this.node.append(header, this._ask.node, this._list);
    tracker.currentChanged.connect(() => this._follow(tracker.currentWidget), this);
    NotebookActions.executed.connect(this._onExecuted, this);
    this._follow(tracker.currentWidget);
  }

  /** The live connection to the current notebook's session, if any. */
  get connection(): Connection | null {
    return this._connection?.live ? this._connection : null;
  }

  get defaultTarget(): string {
    return this._state?.default_target ?? '';
  }

  request(op: string, fields: Record<string, unknown>, onText?: (text: string) => void): Promise<Reply> {
    const connection = this.connection;
    if (!connection) {
      return Promise.resolve({ ok: false, error: `Not connected: ${this._status.textContent}` });
    }
    return connection.request(op, fields, onText);
  }

  insertBelow(code: string): boolean {
    const notebook = this._notebook;
    if (!notebook) {
      return false;
    }
    NotebookActions.insertBelow(notebook.content);
    notebook.content.activeCell?.model.sharedModel.setSource(code);
    return true;
  }

  dispose(): void {
    this._drop('The panel closed.');
    super.dispose();
  }

  // -- following the notebook and its kernel ------------------------------------------

  private _follow(notebook: NotebookPanel | null): void {
    if (notebook === this._notebook) {
      return;
    }
    const watched = this._notebook?.sessionContext;
    if (watched) {
      watched.kernelChanged.disconnect(this._sync, this);
      watched.statusChanged.disconnect(this._sync, this);
      watched.connectionStatusChanged.disconnect(this._sync, this);
    }
    this._notebook = notebook;
    const context = notebook?.sessionContext;
    if (context) {
      context.kernelChanged.connect(this._sync, this);
      context.statusChanged.connect(this._sync, this);
      context.connectionStatusChanged.connect(this._sync, this);
    }
    this._sync();
  }

  /** Bring the connection in line with the notebook's kernel as it is now. */
  private _sync(): void {
    const notebook = this._notebook;
    const kernel = notebook?.sessionContext.session?.kernel ?? null;
    if (kernel !== this._kernel) {
      this._drop('The notebook changed kernels.');
      this._kernel = kernel;
      this._noPairrepl = false;
      this._showState(null);
    }
    if (!notebook) {
      this._setStatus('Open a notebook on the "Python 3 (pairrepl)" kernel.');
      return;
    }
    if (!kernel) {
      this._setStatus('This notebook has no kernel yet: pick "Python 3 (pairrepl)".');
      return;
    }
    if (GONE.has(kernel.status)) {
      this._drop('The kernel restarted: ask again.');
      this._noPairrepl = false;
      this._setStatus(
        kernel.status === 'dead'
          ? 'The kernel died: restart it (Kernel menu); the panel reconnects by itself.'
          : 'Waiting for the kernel to start…',
        true
      );
      return;
    }
    if (kernel.connectionStatus !== 'connected') {
      this._setStatus('The connection to the kernel dropped: reconnecting…', true);
      this._outOfDate = true;
      return;
    }
    if (this.connection) {
      if (this._outOfDate) {
        this._outOfDate = false;
        void this._refresh();
      }
      return;
    }
    if (!this._noPairrepl && !this._connecting) {
      void this._connect();
    }
  }

  private async _connect(): Promise<void> {
    const kernel = this._kernel;
    if (!kernel) {
      return;
    }
    this._drop('The panel reconnected.');
    const generation = this._generation;
    this._connecting = true;
    this._setStatus('Connecting to the kernel’s pairrepl session…');
    try {
      const connection = await Connection.open(kernel, {
        state: state => {
          if (generation === this._generation) {
            this._showState(state);
          }
        },
        closed: why => {
          if (generation === this._generation) {
            this._connection = null;
            this._noPairrepl = !why;
            this._showState(null);
            this._setStatus(why || NO_PAIRREPL, false, true);
          }
        }
      });
      if (generation !== this._generation) {
        connection.end('The panel reconnected.');
      } else if (connection.live) {
        this._connection = connection;
      }
    } catch (error) {
      if (generation === this._generation) {
        this._setStatus(`Could not connect to the kernel (${error}).`, false, true);
      }
    } finally {
      this._connecting = false;
    }
  }

  /** End the connection (its pending requests end with `why`); later replies are ignored. */
  private _drop(why: string): void {
    this._generation++;
    this._connection?.end(why);
    this._connection = null;
  }

  private async _refresh(): Promise<void> {
    const reply = await this.request('state', {});
    if (reply.ok) {
      this._showState(reply as unknown as IState);
    }
  }

  /** A cell ran in the followed notebook: a kernel without pairrepl may have it now. */
  private _onExecuted(_: unknown, args: { notebook: Notebook }): void {
    if (this._noPairrepl && args.notebook === this._notebook?.content) {
      this._noPairrepl = false;
      void this._connect();
    }
  }

  // -- what the panel shows -------------------------------------------------------------

  /** The status line; `stale`: the cards are the last ones known (greyed, inactive);
   * `reconnect`: offer to try again by hand. */
  private _setStatus(text: string, stale = false, reconnect = false): void {
    this._status.textContent = text;
    this.node.classList.toggle('pairrepl-mod-stale', stale);
    this._reconnect.hidden = !reconnect;
  }

  private _showState(state: IState | null): void {
    if (state?.session !== this._state?.session) {
      for (const card of this._cards.values()) {
        card.node.remove();
      }
      this._cards.clear();
    }
    this._state = state;
    if (state) {
      this._setStatus(`Session ${state.session} · ${state.project}`);
    }
    this._renderList();
  }

  /** The cards, newest first, each updated in place; new ones are inserted, gone ones
   * removed, and the others never moved (a focused field keeps its focus). */
  private _renderList(): void {
    const proposals = [...(this._state?.proposals ?? [])].reverse();
    const listed = new Set(proposals.map(proposal => proposal.id));
    for (const [id, card] of this._cards) {
      if (!listed.has(id)) {
        card.node.remove();
        this._cards.delete(id);
      }
    }
    proposals.forEach((proposal, index) => {
      let card = this._cards.get(proposal.id);
      if (card) {
        card.update(proposal);
      } else {
        card = new ProposalCard(this, proposal);
        this._cards.set(proposal.id, card);
      }
      const there = this._list.children[index] ?? null;
      if (there !== card.node) {
        this._list.insertBefore(card.node, there);
      }
    });
    this._empty.remove();
    if (this._state && proposals.length === 0) {
      this._list.append(this._empty);
    }
  }

  private _notebook: NotebookPanel | null = null;
  private _kernel: Kernel.IKernelConnection | null = null;
  private _connection: Connection | null = null;
  private _connecting = false;
  private _generation = 0;
  private _noPairrepl = false;
  private _outOfDate = false;
  private _state: IState | null = null;
  private _cards = new Map<string, ProposalCard>();
  private _status = el('div', { class: 'pairrepl-status' });
  private _reconnect = button('Reconnect', 'reconnect', 'reject', () => {
    this._noPairrepl = false;
    void this._connect();
  });
  private _ask = new AskBox(this);
  private _list = el('div', { class: 'pairrepl-list' });
  private _empty = el('div', { class: 'pairrepl-empty' }, 'No proposals yet: ask above.');
}
