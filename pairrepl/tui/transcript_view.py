"""The transcript pane: a virtualised, line-based view that stays fast at any length
(invariant LARGE-OUTPUT-NEVER-FREEZES).

Why not one widget per cell, or ``RichLog``: both slow every keystroke as a session grows
(issue 2 measured +300 ms per key at 2,000 cells, and 11-22 s for 100k lines in
``RichLog``). Here the whole transcript is one ``ScrollView``: each item keeps its own
rendered lines (a ``_Block``), ``render_line`` draws only the rows on screen, and an
update to one item re-renders that item alone. Updates are merged on a short timer, so a
cell streaming hundreds of chunks a second costs one re-layout per tick, not per chunk;
the first update after a quiet tick is drawn at once (a reply's first words show as
they arrive, not a tick later).

Long lines are folded at the pane's width at word boundaries (wrap.py),
and each folded row starts with the line's continuation: the gutter, the proposal bar,
the code's indentation. Lines that fit (most) cost nothing to lay out, and resizing
never re-renders, it only folds again.

It follows the newest output: Textual's anchor keeps the bottom in view whenever the
content or the pane's height changes (a review pane opening takes rows from it). Only the
human stops that, by scrolling up (wheel, scrollbar, PageUp) or selecting an item; back
at the bottom (or back to the input) it follows again. While it does not follow, new
content below is announced (``new_below``).

The view also knows the ``ActionTargets`` (the proposal in review, the latest error):
only those items show the keys that act on them, and a change re-renders just the items
that gain or lose their keys.

With focus, the view has a selected item (Up/Down, k/j): its rows get a background and
the keys that act on it show under it. Moving the selection re-renders the two items
that gain or lose that line of keys, nothing else.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo
from textual.strip import Strip
from textual.timer import Timer

from pairrepl.core.transcript import CellItem, Item, NoticeItem, ProposalItem
from pairrepl.tui.commands import transcript_bindings
from pairrepl.tui.render import NO_TARGETS, ActionTargets, render_item, selection_keys
from pairrepl.tui.wrap import continuation, wrap_spans

FLUSH_DELAY_S = 0.04  # merge updates arriving within this window into one re-layout


@dataclass(eq=False)
class _Block:
    """One transcript item as drawn: its logical lines and their widths in cells."""

    item: Item
    lines: list[Text]
    widths: list[int]
    highlighted: bool
    height: int = 0  # rows at the current width
    row_starts: list[int] | None = None  # first row of each logical line, made on demand
    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # folded lines
    strips: dict[int, Strip] = field(default_factory=dict)  # line -> strip; -1 - line: its hang

    @classmethod
    def of(
        cls,
        item: Item,
        *,
        highlight: bool,
        targets: ActionTargets,
        mark: str = "normal",
        selected: bool = False,
    ) -> _Block:
        lines = render_item(item, highlight=highlight, targets=targets, mark=mark)
        keys = selection_keys(item, mark) if selected else None
        if keys is not None:
            lines.insert(len(lines) - 1, keys)  # above the blank separator
        return cls(item, lines, [line.cell_len for line in lines], highlight)

    def fold(self, width: int) -> None:
        """Lay the block out at ``width`` cells: where each line wider than that folds."""
        self.spans = {
            index: wrap_spans(
                self.lines[index].plain,
                cells,
                width,
                continuation(self.lines[index], width).cell_len,
            )
            for index, cells in enumerate(self.widths)
            if cells > width
        }
        self.height = len(self.widths) + sum(len(spans) - 1 for spans in self.spans.values())
        self.row_starts = None
        for key in [key for key in self.strips if key < 0]:  # continuations depend on width
            del self.strips[key]

    def rows_of(self, line: int) -> int:
        spans = self.spans.get(line)
        return 1 if spans is None else len(spans)

    def locate(self, row: int) -> tuple[int, int]:
        """The logical line drawn on ``row`` of this block, and which fold of it."""
        if self.row_starts is None:
            rows = (self.rows_of(line) for line in range(len(self.widths)))
            self.row_starts = [0, *accumulate(rows)][:-1]
        line = bisect_right(self.row_starts, row) - 1
        return line, row - self.row_starts[line]


class TranscriptView(ScrollView, can_focus=True):
    """Draws transcript items. Feed it with ``load`` (all at once) and ``update`` (one
    changed or new item; cheap, batched). It follows the bottom unless scrolled up."""

    new_below: reactive[bool] = reactive(False)
    """True while the view does not follow and content arrived below what it shows."""

    DEFAULT_CSS = """
    TranscriptView {
        overflow-x: hidden;
        overflow-y: scroll;
    }
    TranscriptView > .transcriptview--selected {
        background: $panel;
    }
    """
    BINDINGS = [*transcript_bindings()]  # noqa: RUF012 (Textual's declared type)
    COMPONENT_CLASSES = {"transcriptview--selected"}  # noqa: RUF012 (Textual's declared type)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._blocks: list[_Block] = []
        self._block_of: dict[int, _Block] = {}  # id(item) -> its block
        self._starts: list[int] = []  # first row of each block
        self._total_rows = 0
        self._width = 0
        self._pending: dict[int, Item] = {}  # id(item) -> item, in order of first update
        self._flush_timer: Timer | None = None
        self._last_flush = 0.0  # time.monotonic() of the last flush
        self._following = True  # the bottom stays in view (until the human scrolls up)
        self._targets = NO_TARGETS
        self.flushes = 0  # how many re-layouts happened (tests and benchmarks read it)
        self._selected: int | None = None  # index of the selected block
        self.context_mark: Callable[[Item], str] = lambda item: "normal"

    # -- feeding -------------------------------------------------------------------------

    def load(self, items: list[Item]) -> None:
        """Show these items (a resumed transcript can hold thousands): laid out at once,
        highlighted lazily as each comes into sight."""
        for item in items:
            self._add_block(item, highlight=False)
        self._relayout()

    def update(self, item: Item) -> None:
        """``item`` is new or changed: redraw it on the next tick."""
        self._pending.setdefault(id(item), item)
        if self._flush_timer is None:
            # At most one flush per FLUSH_DELAY_S: right away if the last one is older
            # (1 ms: a Textual timer needs a delay above zero).
            wait = max(0.001, self._last_flush + FLUSH_DELAY_S - time.monotonic())
            self._flush_timer = self.set_timer(wait, self.flush, name="transcript-flush")

    def set_targets(self, targets: ActionTargets) -> None:
        """Show the action keys on these items (and take them off the ones before)."""
        if targets == self._targets:
            return
        before, self._targets = self._targets, targets
        proposals = {before.proposal_id, targets.proposal_id} - {None}
        cells = {before.error_cell_id, targets.error_cell_id} - {None}
        for block in self._blocks:
            item = block.item
            if (isinstance(item, ProposalItem) and item.proposal.id in proposals) or (
                isinstance(item, CellItem) and item.cell_id in cells
            ):
                self.update(item)

    def add_notice(self, text: str, severity: str = "info") -> NoticeItem:
        """A notice from the app itself (a key hint, an error): shown, not recorded."""
        notice = NoticeItem(text, severity)
        self.update(notice)
        return notice

    def flush(self) -> None:
        """Apply the pending updates now (the timer calls this; tests may too)."""
        self._flush_timer = None
        if not self._pending:
            return
        self._last_flush = time.monotonic()
        rows_before = self._total_rows
        pending, self._pending = self._pending, {}
        for key, item in pending.items():
            block = self._block_of.get(key)
            if block is None:
                self._add_block(item, highlight=True)
            else:
                self._rerender(block)
        self._relayout()
        if not self._following and self._total_rows != rows_before:
            self.new_below = True

    def _add_block(self, item: Item, *, highlight: bool) -> None:
        block = _Block.of(
            item, highlight=highlight, targets=self._targets, mark=self.context_mark(item)
        )
        if self._width:
            block.fold(self._width)
        self._blocks.append(block)
        self._block_of[id(item)] = block

    def _rerender(self, block: _Block) -> None:
        selected = self._selected is not None and self._blocks[self._selected] is block
        fresh = _Block.of(
            block.item,
            highlight=True,
            targets=self._targets,
            mark=self.context_mark(block.item),
            selected=selected,
        )
        block.lines, block.widths, block.highlighted = fresh.lines, fresh.widths, True
        block.strips.clear()
        if self._width:
            block.fold(self._width)

    def _relayout(self) -> None:
        self.flushes += 1
        self._starts = [0, *accumulate(block.height for block in self._blocks)]
        self._total_rows = self._starts.pop()
        self.virtual_size = Size(self._width, self._total_rows)
        if self._following:
            self.scroll_end(animate=False, x_axis=False)  # after the new size is laid out
        self.refresh()

    @property
    def following(self) -> bool:
        """True while the view sticks to the bottom (the human has not scrolled up)."""
        return self._following

    # -- following the bottom ----------------------------------------------------------------
    #
    # Whether to follow is decided only by what the human does, never by a scroll
    # position seen while the layout changes: a pane opening below shrinks this view and
    # Textual moves its scroll position, and reading "not at the bottom" from that
    # stopped the following for good (issue 19, item 7).

    def on_mount(self) -> None:
        self.anchor()

    def _follow(self, on: bool) -> None:
        self._following = on
        self.anchor(on)
        if on:
            self.new_below = False

    def _scrolled_by_hand(self) -> None:
        """After the human scrolled: follow again at the bottom, else stay put."""
        self.call_after_refresh(lambda: self._follow(round(self.scroll_y) >= self.max_scroll_y))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scrolled_by_hand()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scrolled_by_hand()

    def on_scroll_to(self, message: ScrollTo) -> None:  # the scrollbar, dragged or clicked
        self._scrolled_by_hand()

    def page_up(self) -> None:
        self.scroll_page_up(animate=False)
        self._scrolled_by_hand()

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)
        self._scrolled_by_hand()

    # -- the selection ---------------------------------------------------------------------

    @property
    def selected_item(self) -> Item | None:
        return None if self._selected is None else self._blocks[self._selected].item

    def _selectable(self, index: int) -> bool:
        return not isinstance(self._blocks[index].item, NoticeItem)

    def select_step(self, step: int) -> Item | None:
        """Move the selection ``step`` items (-1 up, 1 down), skipping notices; with no
        selection yet, select the latest item. Returns the selected item."""
        self.flush()
        if not self._blocks:
            return None
        if self._selected is None:
            candidates = range(len(self._blocks) - 1, -1, -1)
        elif step < 0:
            candidates = range(self._selected - 1, -1, -1)
        else:
            candidates = range(self._selected + 1, len(self._blocks))
        for index in candidates:
            if self._selectable(index):
                self._select(index)
                break
        return self.selected_item

    def select_item(self, item: Item) -> None:
        """Select ``item`` (tests, and the app after an action)."""
        self.flush()
        block = self._block_of.get(id(item))
        if block is not None:
            self._select(self._blocks.index(block))

    def clear_selection(self) -> None:
        """No item selected; the view follows new output at the bottom again."""
        if self._selected is not None:
            self._follow(True)
            self._select(None)

    def _select(self, index: int | None) -> None:
        before, self._selected = self._selected, index
        for changed in {before, index} - {None}:
            assert changed is not None
            self._rerender(self._blocks[changed])
        if index is None:
            self._relayout()
            return
        self._follow(False)
        self._relayout()
        self.call_after_refresh(self._reveal, index)

    def _reveal(self, index: int) -> None:
        """Scroll just enough to show the selected block (its top, if it is taller)."""
        if index >= len(self._blocks):
            return
        top = self._starts[index]
        bottom = top + self._blocks[index].height
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > self.scroll_y + height:
            self.scroll_to(y=min(top, bottom - height), animate=False, immediate=True)

    def refresh_item(self, item: Item) -> None:
        """Redraw ``item`` (its context mark or its keys changed)."""
        if id(item) in self._block_of:
            self.update(item)

    # -- reading (tests, copy) -------------------------------------------------------------

    @property
    def item_count(self) -> int:
        return len(self._blocks)

    @property
    def line_count(self) -> int:
        """Rows of the whole transcript at the current width."""
        return self._total_rows

    def plain_text(self) -> str:
        """Everything the transcript shows, as plain text (one logical line per line)."""
        return "\n".join(line.plain for block in self._blocks for line in block.lines)

    # -- drawing -------------------------------------------------------------------------

    def on_resize(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        if width != self._width:
            self._width = width
            for block in self._blocks:
                block.fold(width)
            self._relayout()

    def render_line(self, y: int) -> Strip:
        width = self._width or max(1, self.scrollable_content_region.width)
        base = self.rich_style
        row = self.scroll_offset.y + y
        if not self._blocks or row >= self._total_rows or not self._width:
            return Strip.blank(width, base)
        index = bisect_right(self._starts, row) - 1
        block = self._blocks[index]
        if not block.highlighted:
            widths = block.widths
            self._rerender(block)
            if block.widths != widths:  # should not happen; keep the layout honest if it does
                self.call_after_refresh(self._relayout)
        line, fold = block.locate(row - self._starts[index])
        strip = block.strips.get(line)
        if strip is None:
            segments = block.lines[line].render(self.app.console, end="")
            strip = Strip(Segment.apply_style(segments, base), block.widths[line])
            block.strips[line] = strip
        spans = block.spans.get(line)
        if spans is None:
            shown = strip.extend_cell_length(width, base)
        else:
            start, end = spans[fold]
            shown = strip.crop(start, end)
            if fold:
                prefix = block.strips.get(-1 - line)  # the continuation, kept beside the line
                if prefix is None:
                    hang = continuation(block.lines[line], width)
                    prefix = Strip(Segment.apply_style(hang.render(self.app.console, end=""), base))
                    block.strips[-1 - line] = prefix
                shown = Strip.join([prefix, shown])
            shown = shown.adjust_cell_length(width, base)
        if index == self._selected:
            background = self.get_component_rich_style("transcriptview--selected").bgcolor
            shown = Strip(Segment.apply_style(shown, post_style=Style(bgcolor=background)), width)
        return shown

    def notify_style_update(self) -> None:
        super().notify_style_update()
        for block in self._blocks:
            block.strips.clear()
