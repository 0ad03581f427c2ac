"""The variables pane: the live namespace as the kernel summarised it.

It shows a ``NamespaceSummary`` (built inside the kernel with bounded work per object),
never the objects. The table is rebuilt on each change and capped, which is cheap at
the sizes a namespace has and keeps this widget simple.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from pairrepl.core.namespace import NamespaceSummary, VariableSummary

MAX_ROWS = 500
MAX_REPR = 60
COLUMNS = ("name", "type", "size", "value")


def variable_row(variable: VariableSummary) -> tuple[str, str, str, str]:
    """One table row: name, type (with dtype), shape/len, a short one-line repr."""
    type_name = f"{variable.type_name} {variable.dtype}" if variable.dtype else variable.type_name
    value = " ".join(variable.repr.split())
    if len(value) > MAX_REPR:
        value = value[: MAX_REPR - 1] + "…"
    return variable.name, type_name, variable.size or "", value


class VariablesPane(Vertical):
    """Name, type, shape/len and a short repr of each live name."""

    def compose(self) -> ComposeResult:
        yield Static("", id="variables-note")
        table: DataTable[str] = DataTable(
            id="variables-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns(*COLUMNS)
        yield table

    def show(self, summary: NamespaceSummary) -> None:
        table = self.query_one("#variables-table", DataTable)
        table.clear(columns=True)  # fresh columns: their widths fit the new names
        table.add_columns(*COLUMNS)
        rows = [variable_row(variable) for variable in summary.variables[:MAX_ROWS]]
        table.add_rows(rows)
        note = self.query_one("#variables-note", Static)
        hidden = len(summary.variables) - len(rows)
        if summary.error:
            note.update(f"no variables: {summary.error}")
            note.set_class(True, "error")
        elif summary.truncated or hidden > 0:
            note.update(f"{len(rows)} names shown; more exist")
            note.set_class(False, "error")
        else:
            note.update(
                f"{len(rows)} name{'s' if len(rows) != 1 else ''}" if rows else "no names yet"
            )
            note.set_class(False, "error")

    @property
    def row_count(self) -> int:
        return self.query_one("#variables-table", DataTable).row_count
