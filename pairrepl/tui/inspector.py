"""The object inspector: one live object at a time, drilled into from the variables pane.

It shows what the kernel says about the object at a path (``Session.inspect``): type,
module, size, a capped repr, and the sections of its kind (statistics and a corner of an
array, dtypes, nulls, head and tail of a DataFrame, signature, source and docstring of
a function, the traceback of an exception); then its items (a page at a time) or its
public attributes. Enter opens the selected entry the same way; Backspace goes back
along the breadcrumb. Every query is bounded inside the kernel and runs in a worker, so
a hostile object can only make the inspector say "timed out", never freeze the app.

Nothing here is recorded: looking changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from pairrepl.core.inspection import Entry, Inspection, ObjectPath
from pairrepl.tui.commands import inspector_bindings, inspector_footer

#: (path, offset, items_only, read_values): ``Session.inspect``.
Inspect = Callable[[ObjectPath, int, bool, bool], Awaitable[Inspection]]

MORE_ROW = "more"
VALUE_CHARS = 120
STYLE_TITLE = "bold cyan"
STYLE_DIM = "dim"
STYLE_PROBLEM = "bold yellow"
_SECTIONS_SAY_IT_ALL = ("frame", "series")  # shape, head and tail: the repr adds nothing
_PROBLEM_MARKS = ("<timed out", "<raised", "<not evaluated", "<listing", "<dir()")


def crumbs_text(path: ObjectPath) -> Text:
    """``inspect  df › .columns › [0]``: where the human is, and the way back."""
    text = Text("inspect  ", STYLE_DIM)
    for index, crumb in enumerate(path.crumbs()):
        if index:
            text.append(" › ", STYLE_DIM)
        text.append(crumb, "bold" if index == len(path.steps) - 1 else "")
    return text


def header_text(inspection: Inspection) -> Text:
    """``DataFrame · pandas · 244 B · 1,000,000 items · 4 ms``."""
    if inspection.error:
        return Text(f"cannot inspect: {inspection.error}", STYLE_PROBLEM)
    parts = [inspection.type_name or "?"]
    if inspection.module and inspection.module != "builtins":
        parts.append(inspection.module)
    if inspection.size:
        parts.append(inspection.size)
    if inspection.items_total is not None:
        parts.append(f"{inspection.items_total:,} {_items_word(inspection)}")
    text = Text(" · ".join(parts), "bold")
    text.append(f"  ({inspection.elapsed_s * 1000:.0f} ms in the kernel)", STYLE_DIM)
    return text


def body_text(inspection: Inspection) -> Text:
    """The repr, then each section under its title. Problems stand out."""
    text = Text()
    if inspection.error:
        text.append(
            "The object is not there now (deleted, or a step on the way failed). "
            "Backspace goes back; r tries again.",
            STYLE_DIM,
        )
        return text
    show_repr = inspection.repr and inspection.kind not in _SECTIONS_SAY_IT_ALL
    blocks = [("repr", inspection.repr)] if show_repr else []
    blocks += [(section.title, section.text) for section in inspection.sections]
    for index, (title, body) in enumerate(blocks):
        if index:
            text.append("\n\n")
        text.append(f"{title}\n", STYLE_TITLE)
        text.append(body, STYLE_PROBLEM if _is_problem(body) else "")
    return text


def listing_title(inspection: Inspection, shown: int) -> str:
    if inspection.items_total is not None:
        if not inspection.items_total:
            return f"no {_items_word(inspection)}"
        return (
            f"{_items_word(inspection)} 1–{shown:,} of {inspection.items_total:,} · Enter opens one"
        )
    if inspection.attributes_total:
        listed = len(inspection.attributes)
        more = f" (first {listed})" if listed < inspection.attributes_total else ""
        return f"public attributes: {inspection.attributes_total}{more} · Enter opens one"
    return ""


def entry_row(entry: Entry) -> tuple[Text, Text, Text]:
    value = " ".join(entry.summary.split())
    if len(value) > VALUE_CHARS:
        value = value[: VALUE_CHARS - 1] + "…"
    style = STYLE_PROBLEM if _is_problem(value) else ""
    return Text(entry.label), Text(entry.type_name, STYLE_DIM), Text(value, style)


def more_row(remaining: int) -> tuple[Text, Text, Text]:
    return (
        Text("…", STYLE_DIM),
        Text(""),
        Text(f"{remaining:,} more · Enter loads the next page", STYLE_DIM),
    )


def _items_word(inspection: Inspection) -> str:
    return {"frame": "columns", "array": "rows"}.get(inspection.kind, "items")


def _is_problem(text: str) -> bool:
    return text.startswith(_PROBLEM_MARKS)


class InspectorScreen(ModalScreen[None]):
    """Drill into live objects, starting at ``root``; ``inspect`` asks the session."""

    BINDINGS: ClassVar[list[BindingType]] = [*inspector_bindings()]

    def __init__(self, inspect: Inspect, root: ObjectPath) -> None:
        super().__init__()
        self._inspect = inspect
        self.path = root
        self.inspection: Inspection | None = None
        self._entries: list[Entry] = []
        self._back: list[tuple[ObjectPath, int]] = []  # the breadcrumb, with the row we left

    def compose(self) -> ComposeResult:
        with Vertical(id="inspector-dialog", classes="dialog"):
            yield Static(crumbs_text(self.path), id="inspector-crumbs")
            yield Static(Text("loading…", STYLE_DIM), id="inspector-header")
            with VerticalScroll(id="inspector-body"):
                yield Static("", id="inspector-sections")
            yield Label("", id="inspector-listing-title", classes="dim")
            table: DataTable[Text] = DataTable(
                id="inspector-entries", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("name", "type", "value")
            yield table
            yield Label(inspector_footer(), classes="dim")

    def on_mount(self) -> None:
        self.query_one("#inspector-entries", DataTable).focus()
        self._load(self.path, 0)

    # -- loading ------------------------------------------------------------------------

    @work(exclusive=True, group="inspect", exit_on_error=False)
    async def _load(self, path: ObjectPath, row: int, read_values: bool = False) -> None:
        self.path = path
        self.query_one("#inspector-crumbs", Static).update(crumbs_text(path))
        self.query_one("#inspector-header", Static).update(
            Text("asking the kernel… (it answers once the running cell is done)", STYLE_DIM)
        )
        inspection = await self._inspect(path, 0, False, read_values)
        if path != self.path:
            return
        self.inspection = inspection
        self._entries = list(inspection.items or inspection.attributes)
        self.query_one("#inspector-header", Static).update(header_text(inspection))
        self.query_one("#inspector-sections", Static).update(body_text(inspection))
        self.query_one("#inspector-body", VerticalScroll).scroll_home(animate=False)
        self._fill_table(row)

    def _fill_table(self, row: int = 0) -> None:
        inspection = self.inspection
        table = self.query_one("#inspector-entries", DataTable)
        table.clear()
        title = self.query_one("#inspector-listing-title", Label)
        if inspection is None or inspection.error:
            title.update("")
            table.display = False
            return
        for index, entry in enumerate(self._entries):
            table.add_row(*entry_row(entry), key=str(index))
        remaining = self._remaining()
        if remaining:
            table.add_row(*more_row(remaining), key=MORE_ROW)
        title.update(listing_title(inspection, self._shown_items()))
        table.display = table.row_count > 0
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)

    def _shown_items(self) -> int:
        inspection = self.inspection
        if inspection is None or inspection.items_total is None:
            return 0
        return inspection.items_offset + len(self._entries)

    def _remaining(self) -> int:
        inspection = self.inspection
        if inspection is None or inspection.items_total is None:
            return 0
        return max(0, inspection.items_total - self._shown_items())

    @work(exclusive=True, group="inspect", exit_on_error=False)
    async def _load_more(self) -> None:
        path, offset = self.path, self._shown_items()
        page = await self._inspect(path, offset, True, False)
        if path != self.path or self.inspection is None:
            return
        if page.error:
            self.notify(f"Could not load more: {page.error}", severity="warning")
            return
        self._entries.extend(page.items)
        self._fill_table(row=offset)

    # -- keys ---------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#inspector-entries")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.row_key.value)

    def action_inspector_open(self) -> None:
        table = self.query_one("#inspector-entries", DataTable)
        if table.row_count:
            table.action_select_cursor()

    def _open(self, key: str | None) -> None:
        if key == MORE_ROW:
            self._load_more()
            return
        if key is None or not key.isdigit() or int(key) >= len(self._entries):
            return
        entry = self._entries[int(key)]
        if entry.step is None:
            self.notify(entry.summary, timeout=4)
            return
        table = self.query_one("#inspector-entries", DataTable)
        self._back.append((self.path, table.cursor_row))
        self._load(self.path.child(entry.step), 0)

    def action_inspector_back(self) -> None:
        if self._back:
            path, row = self._back.pop()
            self._load(path, row)
        elif self.path.parent() is not None:
            parent = self.path.parent()
            assert parent is not None
            self._load(parent, 0)
        else:
            self.dismiss(None)

    def action_inspector_refresh(self) -> None:
        table = self.query_one("#inspector-entries", DataTable)
        self._load(self.path, table.cursor_row)

    def action_inspector_values(self) -> None:
        """An array on an accelerator: its statistics and a corner, read now (the kernel
        reads them only if the device is idle)."""
        table = self.query_one("#inspector-entries", DataTable)
        self._load(self.path, table.cursor_row, read_values=True)

    def action_inspector_close(self) -> None:
        self.dismiss(None)
