"""What a cell did to the namespace, as the transcript shows it: a real kernel and ledger."""

from pairrepl.core.events import CellFinished
from pairrepl.core.namespace import ChangeKind
from pairrepl.ledger import Ledger
from pairrepl.session import Session


async def test_a_cell_that_adds_rebinds_mutates_and_deletes(
    session: Session, ledger: Ledger
) -> None:
    await session.run(
        "count = 1\nitems = [1]\nprices = {'a': 1, 'b': 2}\n"
        "class Box:\n    pass\nbox = Box()\nbox.size = 1\nscratch = 'tmp'"
    )
    execution = await session.run(
        "count = count + 1\n"  # rebound
        "items.append(2)\n"  # mutated: longer
        "prices['a'] = 10\n"  # mutated: same length, other content
        "box.size = 2\n"  # mutated: an attribute
        "del scratch\n"  # deleted
        "total = sum(items)"  # added
    )
    diff = execution.namespace_diff
    assert [(c.name, c.after) for c in diff.added] == [("total", "int  3")]
    assert [(c.name, c.before) for c in diff.deleted] == [("scratch", "str 3  'tmp'")]
    changed = {c.name: (c.how, c.before, c.after) for c in diff.changed}
    assert changed == {
        "count": (ChangeKind.REBOUND, "int  1", "int  2"),
        "items": (ChangeKind.MUTATED, "list 1  [1]", "list 2  [1, 2]"),
        "prices": (ChangeKind.MUTATED, "dict 2  {'a': 1, 'b': 2}", "dict 2  {'a': 10, 'b': 2}"),
        "box": (ChangeKind.MUTATED, changed["box"][1], changed["box"][2]),
    }
    assert changed["box"][1].startswith("Box  <")
    # The ledger keeps how each name changed: a resumed transcript shows the same.
    finished = [e.event for e in ledger.entries(session.id) if isinstance(e.event, CellFinished)]
    assert finished[-1].namespace_diff == diff


async def test_a_value_whose_repr_times_out_is_unknown_never_a_change(session: Session) -> None:
    await session.run(
        "import time\nslow = {'on': False}\n"
        "class Big:\n"
        "    def __repr__(self):\n"
        "        if slow['on']:\n"
        "            time.sleep(5)\n"
        "        return 'Big()'\n"
        "b = Big()"
    )
    assert session.namespace.by_name()["b"].repr == "Big()"
    quiet = await session.run("slow['on'] = True")  # b itself is untouched
    assert session.namespace.by_name()["b"].repr.startswith("<repr timed out")
    assert "b" not in {change.name for change in quiet.namespace_diff.changed}
    rebound = await session.run("b = Big()")  # another object: that much is known
    assert [change.name for change in rebound.namespace_diff.changed] == ["b"]
