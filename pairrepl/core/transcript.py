"""The transcript: the session's events folded into the items a person reads.

The TUI draws it, the notebook export writes it, and ``--resume`` rebuilds it from the
ledger, all through ``Transcript.apply``, so what was shown is what was recorded
(invariant SCREEN-LEDGER-EXPORT-AGREE).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellLoaded,
    CellSubmitted,
    ContextMarked,
    Event,
    Interrupted,
    KernelDied,
    KernelDisconnected,
    KernelReconnected,
    KernelRestarted,
    KernelStarted,
    ModuleReloaded,
    NoteAdded,
    OutputProduced,
    OutputSpilled,
    PromotionRecovered,
    PromotionUndone,
    PromotionWritten,
    ProposalAccepted,
    ProposalMade,
    ProposalRejected,
    ReplyEdited,
    ReplyFinished,
    ReplyStreamed,
    RequestEdited,
    RequestSent,
    SessionResumed,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceDiff
from pairrepl.core.outputs import Output
from pairrepl.core.proposals import IllegalTransition, Proposal, ProposalState


@dataclass
class CellItem:
    cell_id: str
    code: str
    origin: Origin = Origin.HUMAN
    proposal_id: str | None = None
    loaded_from: str | None = None  # a notebook path: shown, not run until the human asks
    rerun_as: str | None = None  # the cell that later ran this one's code again
    kernel_epoch: int = 0  # which kernel ran it: each kernel start begins a new epoch
    execution_count: int | None = None
    status: ExecutionStatus | None = None  # None while running (or not run, if loaded)
    duration_s: float | None = None
    outputs: list[Output] = field(default_factory=list)
    spills: list[OutputSpilled] = field(default_factory=list)
    namespace_diff: NamespaceDiff = field(default_factory=NamespaceDiff)

    @property
    def running(self) -> bool:
        return self.status is None and self.loaded_from is None


@dataclass
class NoteItem:
    note_id: str
    text: str


@dataclass
class NoticeItem:
    """Something the human must know that is not a cell: a dead kernel, a new kernel."""

    text: str
    severity: str = "info"  # "info" | "warning" | "error"


@dataclass
class ExchangeItem:
    """A request to the AI and its reply as it streamed in."""

    request_id: str
    request: str
    model: str
    tokens: int = 0
    hint_mode: bool = False
    reply: str = ""
    finished: bool = False
    partial: bool = False
    error: str | None = None
    refusal: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    usage_known: bool = True  # False: the server sent no token counts
    proposal_id: str | None = None
    raw: str | None = None  # the model's raw reply, kept when its proposal was refused
    edited_request: str | None = None  # the human's rewrite, when there is one
    edited_reply: str | None = None

    @property
    def request_text(self) -> str:
        """What the AI is told was asked: the human's edit if any, else the original."""
        return self.request if self.edited_request is None else self.edited_request

    @property
    def reply_text(self) -> str:
        return self.reply if self.edited_reply is None else self.edited_reply


@dataclass
class ProposalItem:
    """A cell the AI proposed, its state, and the cells that ran it."""

    proposal: Proposal
    runs: list[str] = field(default_factory=list)  # cell ids, oldest first
    rejection_reason: str | None = None


@dataclass
class PromotionItem:
    """Definitions from a cell written into a project file (and whether that was undone)."""

    promotion_id: str
    cell_id: str
    target: str
    symbols: tuple[str, ...]
    origin: Origin
    before: str  # the file's whole text before and after: what undo needs
    after: str
    created: bool = False
    as_test: bool = False
    explanation: str | None = None
    reload_report: str = ""
    undone: bool = False
    created_folders: tuple[str, ...] = ()  # made for a new file: undo removes them if empty


Item = CellItem | NoteItem | NoticeItem | ExchangeItem | ProposalItem | PromotionItem


_RESUMED_ON_A_NEW_KERNEL = (
    "Session resumed on a new kernel: the outputs above came from a kernel that no "
    "longer exists, and its variables are gone. Re-run the cells to get them back."
)


@dataclass
class Transcript:
    items: list[Item] = field(default_factory=list)
    cells: dict[str, CellItem] = field(default_factory=dict)
    exchanges: dict[str, ExchangeItem] = field(default_factory=dict)
    proposals: dict[str, ProposalItem] = field(default_factory=dict)
    promotions: dict[str, PromotionItem] = field(default_factory=dict)
    pinned: set[str] = field(default_factory=set)  # item ids always in the AI's context
    hidden: set[str] = field(default_factory=set)  # item ids never in the AI's context
    kernel_epoch: int = 0
    _resumed: bool = False

    def apply(self, event: Event) -> Item | None:
        """Fold one event in; return the item it added or changed (None if none)."""
        if isinstance(event, CellSubmitted):
            return self._submit(event)
        if isinstance(event, CellLoaded):
            return self._add_cell(CellItem(event.cell_id, event.code, loaded_from=event.source))
        if isinstance(event, OutputProduced):
            cell = self.cells.get(event.cell_id)
            if cell is not None:
                cell.outputs.append(event.output)
            return cell
        if isinstance(event, OutputSpilled):
            cell = self.cells.get(event.cell_id)
            if cell is not None:  # the final record of a stream's spill replaces the first
                cell.spills = [spill for spill in cell.spills if spill.stream != event.stream]
                cell.spills.append(event)
            return cell
        if isinstance(event, CellFinished):
            cell = self.cells.get(event.cell_id)
            if cell is not None:
                cell.execution_count = event.execution_count
                cell.status = event.status
                cell.duration_s = event.duration_s
                cell.namespace_diff = event.namespace_diff
                ran = ProposalState.RAN_OK if event.status.succeeded else ProposalState.RAN_ERROR
                self._move_proposal(cell.proposal_id, ran)
            return cell
        if isinstance(event, NoteAdded):
            return self._add(NoteItem(event.note_id, event.text))
        if isinstance(event, Interrupted):
            return self._add(NoticeItem("Interrupted.", "warning"))
        if isinstance(event, KernelDied):
            reason = f" ({event.reason})" if event.reason else ""
            return self._add(
                NoticeItem(
                    f"The kernel died{reason}. Its variables are gone. Restart it to go on.",
                    "error",
                )
            )
        if isinstance(event, KernelRestarted):
            return self._add(
                NoticeItem(
                    f"Kernel restarted ({event.reason}): the namespace is empty; nothing was re-run.",
                    "warning",
                )
            )
        if isinstance(event, KernelDisconnected):
            reason = f" ({event.reason})" if event.reason else ""
            return self._add(
                NoticeItem(
                    f"Lost the connection to the kernel{reason}. Reconnecting; the kernel "
                    "may still be running. Run cells again once it is back.",
                    "warning",
                )
            )
        if isinstance(event, KernelReconnected):
            return self._add(
                NoticeItem(
                    f"Reconnected to the kernel after {_gap(event.gap_s)}: same kernel, "
                    "its variables are intact.",
                    "info",
                )
            )
        if isinstance(event, ContextMarked):
            self.pinned.discard(event.item_id)
            self.hidden.discard(event.item_id)
            if event.mark == "pinned":
                self.pinned.add(event.item_id)
            elif event.mark == "hidden":
                self.hidden.add(event.item_id)
            return self.cells.get(event.item_id)
        if isinstance(
            event, (RequestSent, ReplyStreamed, ReplyFinished, RequestEdited, ReplyEdited)
        ):
            return self._apply_exchange(event)
        if isinstance(event, ProposalMade):
            proposal = Proposal(
                event.proposal_id, event.code, event.rationale, event.model, event.request_id
            )
            exchange = self.exchanges.get(event.request_id)
            if exchange is not None:
                exchange.proposal_id = event.proposal_id
            self.proposals[event.proposal_id] = ProposalItem(proposal)
            return self._add(self.proposals[event.proposal_id])
        if isinstance(event, ProposalAccepted):
            return self._move_proposal(event.proposal_id, ProposalState.ACCEPTED)
        if isinstance(event, ProposalRejected):
            rejected = self._move_proposal(event.proposal_id, ProposalState.REJECTED)
            if rejected is not None:
                rejected.rejection_reason = event.reason
            return rejected
        if isinstance(event, PromotionWritten | PromotionUndone | ModuleReloaded):
            return self._apply_promotion(event)
        if isinstance(event, PromotionRecovered):
            severity = "info" if event.outcome == "not written" else "warning"
            return self._add(NoticeItem(event.message, severity))
        if isinstance(event, SessionResumed):
            self._resumed = True
            return None
        if isinstance(event, KernelStarted):
            self.kernel_epoch += 1
            notices = [event.notice] if event.notice else []
            if self._resumed:
                self._resumed = False
                notices.insert(0, _RESUMED_ON_A_NEW_KERNEL)
            return self._add(NoticeItem(" ".join(notices), "warning")) if notices else None
        return None

    def _submit(self, event: CellSubmitted) -> CellItem:
        earlier = self.cells.get(event.rerun_of or "")
        if earlier is not None:
            earlier.rerun_as = event.cell_id
        proposal = self.proposals.get(event.proposal_id or "")
        if proposal is not None:
            proposal.runs.append(event.cell_id)
        cell = CellItem(event.cell_id, event.code, event.origin, event.proposal_id)
        cell.kernel_epoch = self.kernel_epoch
        return self._add_cell(cell)

    def _apply_exchange(
        self, event: RequestSent | ReplyStreamed | ReplyFinished | RequestEdited | ReplyEdited
    ) -> Item | None:
        if isinstance(event, RequestSent):
            exchange = ExchangeItem(
                event.request_id, event.request, event.model, event.tokens, event.hint_mode
            )
            self.exchanges[event.request_id] = exchange
            return self._add(exchange)
        found = self.exchanges.get(event.request_id)
        if found is None:
            return None
        if isinstance(event, ReplyStreamed):
            found.reply += event.text
        elif isinstance(event, RequestEdited):
            found.edited_request = event.text
        elif isinstance(event, ReplyEdited):
            found.edited_reply = event.text
        else:
            found.finished = True
            found.partial = event.partial
            found.error = event.error
            found.refusal = event.refusal
            found.raw = event.raw
            found.input_tokens = event.input_tokens
            found.output_tokens = event.output_tokens
            found.cost_usd = event.cost_usd
            found.usage_known = event.usage_known
        return found

    def _apply_promotion(
        self, event: PromotionWritten | PromotionUndone | ModuleReloaded
    ) -> Item | None:
        if isinstance(event, PromotionWritten):
            item = PromotionItem(
                event.promotion_id,
                event.cell_id,
                event.target,
                event.symbols,
                event.origin,
                event.before,
                event.after,
                event.created,
                event.as_test,
                event.explanation,
                created_folders=event.created_folders,
            )
            self.promotions[event.promotion_id] = item
            proposal = self.proposals.get(event.proposal_id or "")
            if proposal is not None and proposal.proposal.state is not ProposalState.PROMOTED:
                self._move_proposal(event.proposal_id, ProposalState.PROMOTED)
            return self._add(item)
        found = self.promotions.get(event.promotion_id)
        if found is None:
            return None
        if isinstance(event, ModuleReloaded):
            found.reload_report = event.report
            return found
        found.undone = True
        cell = self.cells.get(found.cell_id)
        if cell is not None and not self.live_promotions_of(cell.proposal_id):
            self._move_proposal(cell.proposal_id, ProposalState.ACCEPTED)
        return found

    def live_promotions_of(self, proposal_id: str | None) -> list[PromotionItem]:
        """The promotions of a proposal's code that were not undone."""
        if proposal_id is None:
            return []
        return [
            promotion
            for promotion in self.promotions.values()
            if not promotion.undone
            and self.cells.get(promotion.cell_id) is not None
            and self.cells[promotion.cell_id].proposal_id == proposal_id
        ]

    def _move_proposal(self, proposal_id: str | None, wanted: ProposalState) -> ProposalItem | None:
        """Follow a recorded move. The session checked it before recording; a ledger that
        holds an illegal one anyway (an older bug) must still open, so it is skipped."""
        item = self.proposals.get(proposal_id or "")
        if item is not None:
            with contextlib.suppress(IllegalTransition):
                item.proposal = item.proposal.moved_to(wanted)
        return item

    def _add_cell(self, cell: CellItem) -> CellItem:
        self.cells[cell.cell_id] = cell
        self._add(cell)
        return cell

    def _add(self, item: Item) -> Item:
        self.items.append(item)
        return item

    def code_cells(self) -> list[CellItem]:
        return [item for item in self.items if isinstance(item, CellItem)]

    def pending_loaded_cells(self) -> list[CellItem]:
        """Cells loaded from a notebook that have not been run yet, in order."""
        return [
            cell
            for cell in self.code_cells()
            if cell.loaded_from is not None and cell.rerun_as is None
        ]

    def cell_that_bound(self, name: str) -> CellItem | None:
        """The newest cell whose run added or rebound ``name`` (by its namespace diff)."""
        for cell in reversed(self.code_cells()):
            diff = cell.namespace_diff
            if any(change.name == name for change in (*diff.added, *diff.changed)):
                return cell
        return None

    def cells_lost_with_kernel(self) -> list[CellItem]:
        """Cells that ran without error on an earlier kernel and were not re-run since:
        what to offer to re-run after a restart or a resume (never re-run by itself)."""
        return [
            cell
            for cell in self.code_cells()
            if cell.status is ExecutionStatus.OK
            and cell.kernel_epoch < self.kernel_epoch
            and cell.rerun_as is None
        ]


def _gap(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"
