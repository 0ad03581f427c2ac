"""The output cap: head kept, tail rolled, nothing in between invented or lost in counts."""

import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from pairrepl.core.outputs import OutputCapper, OutputLimits

LIMITS = OutputLimits(head_lines=5, head_chars=1_000, tail_lines=3, tail_chars=1_000)


def feed_all(chunks: list[str]) -> tuple[OutputCapper, str]:
    capper = OutputCapper(LIMITS)
    head = "".join(capper.feed(chunk) for chunk in chunks)
    return capper, head


def test_short_output_is_kept_whole() -> None:
    capper, head = feed_all(["a\nb\n", "c\n"])
    assert head == "a\nb\nc\n"
    assert not capper.overflowed
    assert capper.omitted_lines == 0


def test_long_output_keeps_head_and_tail_and_counts_the_rest() -> None:
    text = "".join(f"{i}\n" for i in range(100))
    capper, head = feed_all([text[:7], text[7:300], text[300:]])
    assert head == "0\n1\n2\n3\n4\n"
    assert capper.overflowed
    assert capper.tail() == "97\n98\n99\n"
    assert capper.omitted_lines == 100 - 5 - 3


@given(st.lists(st.text(alphabet="ab\n", max_size=40), max_size=30))
def test_head_plus_tail_is_a_prefix_and_suffix_of_the_stream(chunks: list[str]) -> None:
    capper, head = feed_all(chunks)
    whole = "".join(chunks)
    assert whole.startswith(head)
    assert whole.endswith(capper.tail())
    if not capper.overflowed:
        assert head == whole
    else:
        assert head.count("\n") <= LIMITS.head_lines
        assert capper.tail().count("\n") <= LIMITS.tail_lines


def test_a_line_that_never_ends_does_not_fill_memory() -> None:
    capper = OutputCapper(OutputLimits(head_lines=5, head_chars=100, tail_lines=3, tail_chars=50))
    chunk = "x" * 1_000_000
    tracemalloc.start()
    try:
        kept = [capper.feed(chunk) for _ in range(50)]
        retained, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(map(len, kept)) <= 100
    assert len(capper.tail()) <= 50
    assert retained < 5_000_000  # 50 MB went through; almost none of it stays
