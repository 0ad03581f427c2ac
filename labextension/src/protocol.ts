/**
 * What the kernel's side of the panel (pairrepl/session/panel.py) sends and answers: the
 * shapes of its JSON messages over the "pairrepl" comm.
 */

export const COMM_TARGET = 'pairrepl';

export interface IProposal {
  id: string;
  code: string;
  rationale: string;
  model: string;
  state: string;
  runs: number;
  rejection_reason: string | null;
}

/** Pushed after any event that may move a proposal, and answered to `state`. */
export interface IState {
  session: string;
  project: string;
  explain_back: boolean;
  default_target: string;
  proposals: IProposal[];
}

/** The answer to `draft`: what Write would do, before anything is written. */
export interface IDraft {
  target: string;
  diff: string;
  draft_hash: string;
  symbols: string[];
  needs_explanation: boolean;
  rationale: string;
  /** Refused outright, with the words every front end uses. */
  blocked: string | null;
  /** The question a "yes" answers (a replacement, a shadowed name, a risky file name). */
  confirm: string | null;
  /** The cell asserts something: offer to promote it as a test. */
  as_test_instead: boolean;
  as_test: boolean;
  unchanged: boolean;
}

/** Every answer: ok, or a one-line error for the human; the rest depends on the request. */
export type Reply = { ok: boolean; error?: string; [field: string]: any };
