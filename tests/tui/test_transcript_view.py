"""The virtualised transcript view on its own: batching, per-item redraw, following, folding."""

from __future__ import annotations

from textual.app import App, ComposeResult

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import StreamOutput
from pairrepl.core.transcript import CellItem, Item, NoticeItem
from pairrepl.tui.transcript_view import TranscriptView
from tests.tui.conftest import widget_text


class ViewApp(App[None]):
    """Just the view, full screen."""

    def compose(self) -> ComposeResult:
        yield TranscriptView(id="transcript")


def finished_cell(n: int) -> CellItem:
    cell = CellItem(f"c{n}", f"value_{n} = {n}")
    cell.execution_count, cell.status, cell.duration_s = n, ExecutionStatus.OK, 0.01
    return cell


async def test_many_updates_of_a_running_cell_cost_one_relayout_and_touch_one_item() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(TranscriptView)
        cells: list[Item] = [finished_cell(n) for n in range(1, 501)]
        view.load(cells)
        await pilot.pause()
        running = CellItem("run", "for i in range(1000): print(i)")
        view.update(running)
        view.flush()
        others = [block.lines for block in view._blocks[:-1]]
        flushes = view.flushes

        for i in range(1000):  # a burst of outputs, as a streaming cell produces
            running.outputs.append(StreamOutput("stdout", f"line {i}\n"))
            view.update(running)
        await pilot.pause(0.2)

        assert view.flushes == flushes + 1
        assert all(block.lines is lines for block, lines in zip(view._blocks, others, strict=False))
        screen = widget_text(view)
        assert "line 999" in screen  # followed to the bottom
        assert "… running" in screen


async def test_the_view_stays_where_the_human_scrolled_while_output_arrives() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(TranscriptView)
        view.load([finished_cell(n) for n in range(1, 101)])
        await pilot.pause()
        while view.scroll_y > 0:  # PageUp, as the human scrolls
            view.page_up()
            await pilot.pause()
        assert "In [1]:" in widget_text(view) and not view.following

        view.add_notice("something happened", "warning")
        view.flush()
        await pilot.pause()
        assert "In [1]:" in widget_text(view)  # not yanked to the bottom

        while not view.following:  # PageDown to the bottom: it follows again
            view.page_down()
            await pilot.pause()
        view.add_notice("again", "warning")
        view.flush()
        await pilot.pause()
        assert "⚠ again" in widget_text(view)


async def test_long_lines_fold_at_the_width_and_refold_on_resize() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TranscriptView)
        view.load([NoticeItem("x" * 200, "info")])
        await pilot.pause()
        narrow = view.line_count
        text = widget_text(view)
        assert text.replace("\n", "").replace(" ", "").count("x") == 200

        await pilot.resize_terminal(120, 20)
        await pilot.pause()
        assert view.line_count < narrow
        assert widget_text(view).count("x") == 200
