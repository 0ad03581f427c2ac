"""The variables pane: the live namespace as the kernel summarised it.

It shows a ``NamespaceSummary`` (built inside the kernel with bounded work per object),
in columns sized to the names and to the pane (whose width follows the terminal's),
never the objects. Enter or a click on a name asks for the inspector on it
(``VariablesPane.InspectRequested``); the app opens it. The table is rebuilt on each change and capped, which is cheap at
the sizes a namespace has and keeps this widget simple.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pairrepl.core.namespace import NamespaceSummary, VariableSummary
from pairrepl.tui.commands import variables_bindings

MAX_ROWS = 500
MAX_REPR = 60
COLUMNS = ("name", "type", "value")


def variable_row(variable: VariableSummary) -> tuple[str, str, str]:
    """One table row: name, type (with dtype, then shape/len), a short one-line repr."""
    type_name = f"{variable.type_name} {variable.dtype}" if variable.dtype else variable.type_name
    if variable.size:
        type_name += f" {variable.size}"
    value = " ".join(variable.repr.split())
    if len(value) > MAX_REPR:
        value = value[: MAX_REPR - 1] + "…"
    return variable.name, type_name, value


CAPS = (16, 14)  # the most the name and type columns take (a longer one is cut)
PADDING = 2  # the table's cell padding, both sides


def column_widths(rows: list[tuple[str, str, str]], width: int) -> list[int]:
    """Name and type as wide as their widest entry (capped), and the value column the
    rest of ``width`` (at least its label), so a value shows as far as the pane allows
    however wide the terminal is."""
    widths = [
        min(cap, max([len(label), *(len(row[index]) for row in rows)]))
        for index, (label, cap) in enumerate(zip(COLUMNS[:-1], CAPS, strict=True))
    ]
    rest = width - sum(widths) - PADDING * len(COLUMNS) - 1  # the scrollbar's column
    return [*widths, max(len(COLUMNS[-1]), rest)]


class VariablesTable(DataTable[str]):
    """The names; Enter or a single click on a row opens the inspector on it."""

    BINDINGS: ClassVar[list[BindingType]] = [*variables_bindings()]

    async def _on_click(self, event: events.Click) -> None:
        before = self.cursor_coordinate
        await super()._on_click(event)
        if self.cursor_coordinate != before:  # Textual opens only on a second click
            self.action_select_cursor()


class VariablesPane(Vertical):
    """Name, type (and shape/len) and a short repr of each live name."""

    class InspectRequested(Message):
        """The human chose ``name`` to look into."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    _summary: NamespaceSummary | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="variables-note")
        table = VariablesTable(id="variables-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table

    @on(DataTable.RowSelected, "#variables-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.InspectRequested(event.row_key.value))

    def show(self, summary: NamespaceSummary) -> None:
        self._summary = summary
        table = self.query_one("#variables-table", DataTable)
        current = self.selected_name
        shown = summary.variables[:MAX_ROWS]
        rows = [variable_row(variable) for variable in shown]
        table.clear(columns=True)  # fresh columns: their widths fit the new names
        for label, width in zip(
            COLUMNS, column_widths(rows, self.content_region.width), strict=True
        ):
            table.add_column(label, width=width)
        for variable, row in zip(shown, rows, strict=True):
            table.add_row(*row, key=variable.name)
        names = [variable.name for variable in shown]
        if current in names:  # the cursor stays on the name the human was on
            table.move_cursor(row=names.index(current), animate=False)
        note = self.query_one("#variables-note", Static)
        hidden = len(summary.variables) - len(shown)
        if summary.error:
            note.update(f"no variables: {summary.error}")
            note.set_class(True, "error")
        elif summary.truncated or hidden > 0:
            note.update(f"{len(shown)} names shown; more exist")
            note.set_class(False, "error")
        else:
            note.update(
                f"{len(shown)} name{'s' if len(shown) != 1 else ''}" if shown else "no names yet"
            )
            note.set_class(False, "error")

    def on_resize(self) -> None:
        if self._summary is not None:
            self.show(self._summary)  # the value column takes what the width gives

    @property
    def selected_name(self) -> str | None:
        table = self.query_one("#variables-table", DataTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # no cursor yet
            return None

    @property
    def row_count(self) -> int:
        return self.query_one("#variables-table", DataTable).row_count
