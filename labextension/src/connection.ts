/**
 * One comm to one kernel's pairrepl session: requests with their replies, and what the
 * kernel pushes (the proposals' states, an ask's streamed text).
 *
 * Where the requests go. JupyterLab 4.4+ sends a comm's messages to a kernel subshell
 * (JEP 91; one per comm target, the "Kernel Comms over subshells" setting) when the kernel
 * supports them, as ipykernel 7 does: a subshell answers while a cell runs on the main
 * shell. The requests that read and move the session's records (ON_SUBSHELL) go there, so
 * Accept or Reject never wait for a running cell. `ask` and `promote` look into the
 * user's live objects (the namespace summary, `$name` views, the re-import after a
 * write): they go to the main shell, between the human's cells, never beside one. With no
 * subshell (JupyterLab before 4.4, another kernel, the setting off) every request goes to
 * the main shell, as before.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { COMM_TARGET, IState, Reply } from './protocol';

const ON_SUBSHELL = new Set(['state', 'offered', 'accept', 'reject', 'draft', 'blame']);
/** How long a subshell may take to start before the comm opens without one. */
const SUBSHELL_START_MS = 5000;

export interface IConnectionEvents {
  state(state: IState): void;
  /** The kernel closed the comm: `why` says what is wrong ('' when the kernel has no
   * pairrepl at all: it closes a comm to a target nobody registered). */
  closed(why: string): void;
}

export class Connection {
  /** Open a comm to the kernel's pairrepl session (on a subshell when there is one). */
  static async open(kernel: Kernel.IKernelConnection, events: IConnectionEvents): Promise<Connection> {
    const comm = kernel.createComm(COMM_TARGET);
    const onSubshell = await subshellStarted(kernel, comm);
    const connection = new Connection(kernel, comm, onSubshell, events);
    // Opened before anything is sent on it: a request on the other shell must not
    // overtake the opening.
    await comm.open({}).done;
    return connection;
  }

  private constructor(
    private kernel: Kernel.IKernelConnection,
    private comm: Kernel.IComm,
    readonly onSubshell: boolean,
    events: IConnectionEvents
  ) {
    comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => {
      const data = msg.content.data as any;
      if (data.event === 'state') {
        events.state(data as IState);
      } else if (data.event === 'text') {
        this._streams.get(data.ask)?.(String(data.text));
      } else if (data.event === 'unavailable') {
        this._why = String(data.error);
      } else if (typeof data.reply_to === 'number') {
        this._settle(data.reply_to, data as Reply);
      }
    };
    comm.onClose = () => {
      this._finish(this._why || 'The kernel closed the connection.');
      events.closed(this._why);
    };
  }

  /** Whether requests can still be sent. */
  get live(): boolean {
    return this._ended === null;
  }

  /** Send a request; the promise always settles: with the kernel's reply, or with an
   * error once the connection ends (a restart, a change of kernel, a closed comm). */
  request(op: string, fields: Record<string, unknown> = {}, onText?: (text: string) => void): Promise<Reply> {
    if (this._ended !== null) {
      return Promise.resolve({ ok: false, error: this._ended });
    }
    const id = ++this._next;
    const data = { id, op, ...fields };
    return new Promise<Reply>(resolve => {
      this._pending.set(id, resolve);
      if (onText) {
        this._streams.set(id, onText);
      }
      try {
        if (this.onSubshell && !ON_SUBSHELL.has(op)) {
          this._sendOnMainShell(data);
        } else {
          this.comm.send(data as any);
        }
      } catch (error) {
        this._settle(id, { ok: false, error: `The request could not be sent: ${error}` });
      }
    });
  }

  /** Stop: pending requests end with `why`; the comm is closed if it is still open
   * (after a restart JupyterLab has already disposed of it). */
  end(why: string): void {
    if (this._finish(why) && !this.comm.isDisposed && !this.kernel.isDisposed) {
      this.comm.onClose = () => undefined;
      try {
        this.comm.close();
      } catch {
        // the kernel went away meanwhile: nothing left to close
      }
    }
  }

  private _finish(why: string): boolean {
    if (this._ended !== null) {
      return false;
    }
    this._ended = why;
    for (const resolve of this._pending.values()) {
      resolve({ ok: false, error: why });
    }
    this._pending.clear();
    this._streams.clear();
    return true;
  }

  private _settle(id: number, reply: Reply): void {
    const resolve = this._pending.get(id);
    this._pending.delete(id);
    this._streams.delete(id);
    resolve?.(reply);
  }

  /** A comm message to the main shell, whichever subshell the comm uses. */
  private _sendOnMainShell(data: Record<string, unknown>): void {
    const msg = KernelMessage.createMessage<KernelMessage.ICommMsgMsg<'shell'>>({
      msgType: 'comm_msg',
      channel: 'shell',
      username: this.kernel.username,
      session: this.kernel.clientId,
      content: { comm_id: this.comm.commId, data: data as any }
    });
    this.kernel.sendShellMessage(msg, false, true);
  }

  private _ended: string | null = null;
  private _why = '';
  private _next = 0;
  private _pending = new Map<number, (reply: Reply) => void>();
  private _streams = new Map<number, (text: string) => void>();
}

/** What JupyterLab 4.4+'s comms have (services' CommHandler); absent before. */
interface ISubshellComm {
  subshellStarted?: Promise<void>;
  subshellId?: string | null;
}

/** Whether the comm's messages go to a subshell, once it has started. */
async function subshellStarted(kernel: Kernel.IKernelConnection, comm: Kernel.IComm): Promise<boolean> {
  const subshell = comm as Kernel.IComm & ISubshellComm;
  if (subshell.subshellStarted === undefined || String(comm.commsOverSubshells) === 'disabled') {
    return false;
  }
  await kernel.info;
  if (!(kernel as Partial<Kernel.IKernelConnection>).supportsSubshells) {
    return false;
  }
  const timeout = new Promise<void>(resolve => setTimeout(resolve, SUBSHELL_START_MS));
  try {
    await Promise.race([subshell.subshellStarted, timeout]);
  } catch {
    return false;
  }
  return Boolean(subshell.subshellId);
}
