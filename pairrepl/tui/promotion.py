"""Promotion in the app: the dialog that shows the diff before anything is written, the
blame view of a file, and the actions that open them.

The dialog asks the session for a fresh draft whenever the target, "after" or "as a
test" changes (on Enter, or at Ctrl+S if a field was typed in since), and hands back
the draft it showed: `Session.promote_draft` writes exactly that, or nothing if the
file changed on disk in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.provenance import LineBlame
from pairrepl.core.transcript import CellItem, PromotionItem
from pairrepl.frontend.promotion import blame_text, draft_summary
from pairrepl.frontend.render import short_id
from pairrepl.session import ConfirmationNeeded, NothingToPromote, PromotionDraft, SessionError
from pairrepl.session.blame import BlameError, blame_file
from pairrepl.tui.base import AppBase

DraftMaker = Callable[[str | None, bool, str | None], PromotionDraft]


@dataclass(frozen=True)
class PromoteRequest:
    """What the human confirmed in the dialog."""

    draft: PromotionDraft  # the one whose diff the dialog showed
    explanation: str


class PromoteScreen(ModalScreen[PromoteRequest | None]):
    """Shows what promoting one cell would write, and asks for the explain-back line
    when the code is the AI's, verbatim. Ctrl+S promotes; Escape writes nothing; nothing
    is written before. The fields are compact so that the diff keeps most of the rows,
    even at 80×24; PageUp/PageDown scroll it from any field."""

    BINDINGS = [  # noqa: RUF012
        Binding("ctrl+s", "promote", "Promote", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("pageup", "scroll_diff(-1)", "Scroll the diff up", priority=True),
        Binding("pagedown", "scroll_diff(1)", "Scroll the diff down", priority=True),
    ]

    def __init__(self, title: str, make_draft: DraftMaker) -> None:
        super().__init__()
        self.title_text = title
        self.make_draft = make_draft
        self.draft: PromotionDraft | None = None
        self._planned_target = ""  # what the path and "after" fields held at the last plan
        self._planned_after: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="promote-dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with Horizontal(id="promote-target-row"):
                yield from _field("into", "promote-target", "path/relative/to/the/project.py")
                yield Checkbox("as a test", id="promote-as-test")
            with Horizontal(id="promote-after-row"):
                yield from _field(
                    "after",
                    "promote-after",
                    "(optional) a definition in the file; new code goes at the end",
                )
            yield Static("", id="promote-summary")
            yield Checkbox("", id="promote-confirm")
            with VerticalScroll(id="promote-diff-scroll"):
                yield Static("", id="promote-diff")
            with Horizontal(id="promote-why-row"):
                yield from _field(
                    "why", "promote-why", "in your own words: what does this code do?"
                )
            with Horizontal(classes="dialog-buttons"):
                yield Label("PgUp/PgDn scroll the diff", classes="dim", id="promote-hint")
                yield Button("Ctrl+S promote", variant="primary", id="promote-yes", compact=True)
                yield Button("Esc cancel", id="promote-no", compact=True)

    def on_mount(self) -> None:
        self._plan(None, as_test=False, place_after=None)
        why_shown = self.query_one("#promote-why-row").display
        self.query_one("#promote-why" if why_shown else "#promote-target", Input).focus()

    def _plan(self, target: str | None, *, as_test: bool, place_after: str | None) -> None:
        summary = self.query_one("#promote-summary", Static)
        diff = self.query_one("#promote-diff", Static)
        self._planned_target = self._target  # what the field shows, used or not
        self._planned_after = None if as_test else place_after or None
        try:
            self.draft = self.make_draft(target or None, as_test, place_after or None)
        except SessionError as error:
            self.draft = None
            summary.update(Text(str(error), "bold red"))
            diff.update("")
            self._allow(False, needs_why=False, confirm="")
            self._offer_as_test(error, as_test)
            return
        draft = self.draft
        self.query_one("#promote-target", Input).value = self._planned_target = draft.target
        summary.update(draft_summary(draft))
        refusal = draft.refusal
        diff.update(  # no diff: the summary says why (the session's words), nothing else
            Syntax(draft.plan.diff, "diff", theme="ansi_dark", word_wrap=True)
            if draft.plan.diff
            else ""
        )
        confirm = refusal.what if isinstance(refusal, ConfirmationNeeded) else ""
        allowed = refusal is None or isinstance(refusal, ConfirmationNeeded)
        self._allow(allowed, needs_why=allowed and draft.needs_explanation, confirm=confirm)
        self._offer_as_test(refusal, as_test)

    def _offer_as_test(self, refusal: object, as_test: bool) -> None:
        """A cell of asserts has nothing to promote as code (``NothingToPromote`` with
        ``as_test_instead``): point at the 'as a test' checkbox."""
        if as_test or not (isinstance(refusal, NothingToPromote) and refusal.as_test_instead):
            return
        self.query_one("#promote-as-test", Checkbox).focus()
        self.notify("Space ticks 'as a test': the cell goes into a test file instead.", timeout=8)

    def _allow(self, allowed: bool, *, needs_why: bool, confirm: str) -> None:
        """Promote enabled or not; the explanation field and the yes a replacement (or a
        shadowed name, a risky file name) needs shown when the draft needs them."""
        self.query_one("#promote-yes", Button).disabled = not allowed
        self.query_one("#promote-why-row").display = needs_why
        box = self.query_one("#promote-confirm", Checkbox)
        box.value = False
        box.label = f"yes: {confirm}"
        box.display = bool(confirm)

    def action_scroll_diff(self, pages: int) -> None:
        scroll = self.query_one("#promote-diff-scroll", VerticalScroll)
        if pages < 0:
            scroll.scroll_page_up(animate=False)
        else:
            scroll.scroll_page_down(animate=False)

    @on(Input.Submitted, "#promote-target")
    @on(Input.Submitted, "#promote-after")
    def _target_changed(self) -> None:
        self._plan(self._target, as_test=self._as_test, place_after=self._place_after)

    @on(Checkbox.Changed, "#promote-as-test")
    def _as_test_changed(self, event: Checkbox.Changed) -> None:
        self._plan(None, as_test=event.value, place_after=None)  # a test has its own file
        self.query_one("#promote-after-row").display = not event.value

    def _fields_changed(self) -> bool:
        """Whether the path or "after" fields hold text the dialog did not plan from
        (typed, but not submitted with Enter)."""
        after_changed = not self._as_test and self._place_after != self._planned_after
        return self._target not in ("", self._planned_target) or after_changed

    @property
    def _target(self) -> str:
        return self.query_one("#promote-target", Input).value.strip()

    @property
    def _place_after(self) -> str | None:
        return self.query_one("#promote-after", Input).value.strip() or None

    @on(Input.Submitted, "#promote-why")
    def _why_submitted(self) -> None:
        self.action_promote()

    @property
    def _as_test(self) -> bool:
        return self.query_one("#promote-as-test", Checkbox).value

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "promote-yes":
            self.action_promote()
        else:
            self.action_cancel()

    def action_promote(self) -> None:
        if self._fields_changed():
            self._plan(self._target, as_test=self._as_test, place_after=self._place_after)
            self.notify("Planned again for what you typed: look at the diff, then promote.")
            return
        draft = self.draft
        refusal = None if draft is None else draft.refusal
        if draft is not None and isinstance(refusal, ConfirmationNeeded):
            if not self.query_one("#promote-confirm", Checkbox).value:
                self.notify("Tick the box to say yes to what the dialog warns of.", timeout=6)
                return
            draft = draft.confirming(*refusal.needed)
            refusal = None
        if draft is None or refusal is not None:
            self.notify("Nothing can be promoted as it stands: see the dialog.", timeout=4)
            return
        explanation = self.query_one("#promote-why", Input).value.strip()
        if draft.needs_explanation and not explanation:
            self.notify("Write one line in your own words of what the code does.", timeout=6)
            self.query_one("#promote-why", Input).focus()
            return
        self.dismiss(PromoteRequest(draft, explanation))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _field(label: str, field_id: str, placeholder: str) -> ComposeResult:
    """A dim label and a one-row input after it."""
    yield Label(f"{label:<6}", classes="dim")
    yield Input(placeholder=placeholder, id=field_id, compact=True)


class BlameScreen(ModalScreen[None]):
    """Each line of a file with who wrote it, from provenance and the file alone."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape,q,b", "close", "Close"),
    ]

    def __init__(self, file: str, lines: list[LineBlame]) -> None:
        super().__init__()
        self.file = file
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(id="blame-dialog", classes="dialog"):
            yield Label(f"blame · {self.file}", classes="dialog-title")
            with VerticalScroll(id="blame-scroll"):
                yield Static(blame_text(self.lines), id="blame-lines")
            yield Label(
                "ai = the AI's text verbatim · ai-edited · human = promoted from your cell · "
                "changed = edited by hand since · - = not promoted · Escape closes",
                classes="dim",
            )

    def action_close(self) -> None:
        self.dismiss(None)


class PromotionActions(AppBase):
    """The app's promotion actions (keys in commands.py)."""

    def action_promote(self) -> None:
        """Promote the newest cell that ran without error and defines something."""
        session = self.session
        if session is None or not self._on_main_screen:
            return
        try:
            cell = session.promotable_cell()
        except SessionError as error:
            self.notify(str(error), timeout=5)
            return
        self._open_promote_dialog(cell)

    def action_item_promote(self) -> None:
        cell = self._selection(CellItem, what="a cell")
        if cell is not None:
            self._open_promote_dialog(cell)

    def _open_promote_dialog(self, cell: CellItem) -> None:
        session = self.session
        if session is None:
            return
        if cell.status is not ExecutionStatus.OK:
            self.notify("Only a cell that ran without error can be promoted.", timeout=5)
            return
        label = f"In [{cell.execution_count}]" if cell.execution_count else short_id(cell.cell_id)
        title = f"Promote {label} · {cell.origin.value}"

        def make_draft(target: str | None, as_test: bool, after: str | None) -> PromotionDraft:
            return session.draft_promotion(
                cell.cell_id, target=target, as_test=as_test, place_after=after
            )

        def confirmed(request: PromoteRequest | None) -> None:
            if request is not None:
                self._guarded(self._promote_and_report(request), "promote")

        self.push_screen(PromoteScreen(title, make_draft), callback=confirmed)

    async def _promote_and_report(self, request: PromoteRequest) -> None:
        session = self.session
        if session is None:
            return
        promotion = await session.promote_draft(request.draft, request.explanation or None)
        self.notify(promotion.message, timeout=8)

    def action_item_undo_promotion(self) -> None:
        item, session = self._selection(PromotionItem, what="a promotion"), self.session
        if item is not None and session is not None:
            self._guarded(lambda: session.undo_promotion(item.promotion_id), "undo")

    def action_undo_promotion(self) -> None:
        session = self.session
        if session is not None:
            self._guarded(session.undo_promotion, "undo")

    def action_item_blame(self) -> None:
        item = self._selection(PromotionItem, what="a promotion")
        session = self.session
        if item is None or session is None:
            return
        try:
            lines = blame_file(session.project_root, item.target)
        except BlameError as error:  # a file gone or broken since: say so
            self.notify(f"Cannot blame {item.target}: {error}", severity="warning", timeout=8)
            return
        self.push_screen(BlameScreen(item.target, lines))
