"""The inspector, completion and obj? help, asked of a real kernel through the adapter.

numpy and pandas come from the test extra; pairrepl itself never imports them (the
kernel side recognises them by duck typing once the cell imported them)."""

from __future__ import annotations

import time

import pytest

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.inspection import Inspection, ObjectPath, Step, StepKind
from pairrepl.kernel import LocalKernel

from .conftest import RecordingSink

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def run(kernel: LocalKernel, code: str) -> None:
    reply = await kernel.execute(code, RecordingSink())
    assert reply.status is ExecutionStatus.OK, code


async def inspect(kernel: LocalKernel, path: ObjectPath, offset: int = 0) -> Inspection:
    inspection = await kernel.inspect(path, offset)
    assert inspection.error is None, inspection.error
    return inspection


def section(inspection: Inspection, title: str) -> str:
    return next(s.text for s in inspection.sections if s.title == title)


async def test_an_int_and_a_dict_of_a_million_items_paged(shared_kernel: LocalKernel) -> None:
    await run(shared_kernel, "n = 42\nbig = {i: str(i) for i in range(1_000_000)}")
    number = await inspect(shared_kernel, ObjectPath.name("n"))
    assert (number.kind, number.type_name, number.repr) == ("scalar", "int", "42")
    started = time.monotonic()
    big = await inspect(shared_kernel, ObjectPath.name("big"))
    assert time.monotonic() - started < 0.5
    assert (big.kind, big.items_total, len(big.items), big.more_items) == (
        "mapping",
        1_000_000,
        50,
        999_950,
    )
    assert (big.items[1].label, big.items[1].type_name, big.items[1].summary) == ("1", "str", "'1'")
    started = time.monotonic()
    last = await shared_kernel.inspect(ObjectPath.name("big"), 999_990, items_only=True)
    assert time.monotonic() - started < 0.5
    assert [entry.label for entry in last.items] == [str(i) for i in range(999_990, 1_000_000)]
    assert last.sections == () and last.more_items == 0
    opened = await inspect(shared_kernel, ObjectPath.name("big").child(last.items[-1].step))  # type: ignore[arg-type]
    assert opened.repr == "'999999'"


async def test_numpy_array_and_dataframe(shared_kernel: LocalKernel) -> None:
    pytest.importorskip("numpy")
    pytest.importorskip("pandas")
    await run(
        shared_kernel,
        "import numpy as np, pandas as pd\n"
        "arr = np.arange(12.0).reshape(3, 4)\narr[0, 0] = np.nan\n"
        "df = pd.DataFrame({'price': [1.0, None, 3.0, 4.0, 5.0, 6.0], 'qty': range(6)})",
    )
    arr = await inspect(shared_kernel, ObjectPath.name("arr"))
    assert (arr.kind, arr.module, arr.size) == ("array", "numpy", "96 B")
    assert section(arr, "shape") == "(3, 4)  dtype float64"
    stats = section(arr, "statistics")
    assert "NaN 1" in stats and "min np.float64(1.0)" in stats and "max np.float64(11.0)" in stats
    assert "mean np.float64(6.0)" in stats
    assert "[ 4.,  5.,  6.,  7.]" in section(arr, "values")
    df = await inspect(shared_kernel, ObjectPath.name("df"))
    assert (df.kind, df.items_total) == ("frame", 2)
    columns = section(df, "columns").splitlines()
    assert columns[0].split() == ["price", "float64", "1", "null"]
    assert columns[1].split() == ["qty", "int64", "0", "null"]
    assert "1    NaN" in section(df, "head") and "5    6.0    5" in section(df, "tail")
    assert [(e.label, e.summary) for e in df.items] == [
        ("'price'", "float64 · 1 null"),
        ("'qty'", "int64 · 0 null"),
    ]
    price = await inspect(shared_kernel, ObjectPath.name("df").child(df.items[0].step))  # type: ignore[arg-type]
    assert price.kind == "series" and section(price, "nulls") == "1"


async def test_a_function_shows_its_source_from_the_cell(shared_kernel: LocalKernel) -> None:
    await run(
        shared_kernel,
        "def area(width: float, height: float = 1.0) -> float:\n"
        "    '''Rectangle area.'''\n"
        "    return width * height",
    )
    area = await inspect(shared_kernel, ObjectPath.name("area"))
    assert area.kind == "callable"
    assert section(area, "signature") == "area(width: float, height: float = 1.0) -> float"
    assert section(area, "doc") == "Rectangle area."
    assert section(area, "source").startswith("def area(width: float, height: float = 1.0)")
    assert section(area, "defined").startswith("In [")


async def test_hostile_objects_show_as_such_and_the_next_cell_runs(
    shared_kernel: LocalKernel,
) -> None:
    await run(
        shared_kernel,
        "import time\n"
        "class Sleepy:\n    def __repr__(self):\n        time.sleep(60)\n"
        "class Touchy:\n    ok = 1\n"
        "    @property\n    def broken(self):\n        raise ValueError('no')\n"
        "    @property\n    def stuck(self):\n        time.sleep(60)\n"
        "    def method(self, a, b=2):\n        pass\n"
        "class Lazy:\n    def __getattr__(self, name):\n        time.sleep(60)\n"
        "sleepy, touchy, lazy = Sleepy(), Touchy(), Lazy()",
    )
    started = time.monotonic()
    sleepy = await inspect(shared_kernel, ObjectPath.name("sleepy"))
    assert time.monotonic() - started < 1.5
    assert sleepy.repr.startswith("<timed out")
    started = time.monotonic()
    lazy = await inspect(shared_kernel, ObjectPath.name("lazy"))  # every getattr hangs
    assert time.monotonic() - started < 2.5 and lazy.type_name == "Lazy"
    touchy = await inspect(shared_kernel, ObjectPath.name("touchy"))
    shown = {entry.label: (entry.type_name, entry.summary) for entry in touchy.attributes}
    assert shown[".broken"] == ("?", "<raised ValueError: no>")
    assert shown[".stuck"][1].startswith("<timed out")
    assert shown[".ok"] == ("int", "1")
    assert shown[".method"] == ("method", "(self, a, b=2)")
    opened = await shared_kernel.inspect(
        ObjectPath.name("touchy").child(Step(StepKind.ATTR, "broken"))
    )
    assert opened.error == "reading .broken raised ValueError: no"
    # No alarm left armed: the next cell runs at once and is not cut short.
    started = time.monotonic()
    sink = RecordingSink()
    reply = await shared_kernel.execute("time.sleep(0.3); print('slept')", sink)
    assert reply.status is ExecutionStatus.OK and sink.stdout() == "slept\n"
    assert time.monotonic() - started < 1.5


async def test_the_last_error_and_secret_names(shared_kernel: LocalKernel) -> None:
    reply = await shared_kernel.execute("def boom():\n    return 1 / 0\nboom()", RecordingSink())
    assert reply.status is ExecutionStatus.ERROR
    error = await inspect(shared_kernel, ObjectPath.last_error())
    assert error.kind == "exception" and error.type_name == "ZeroDivisionError"
    traceback = section(error, "traceback")
    assert "return 1 / 0" in traceback and "ZeroDivisionError: division by zero" in traceback
    assert "interactiveshell.py" not in traceback  # starts at the cell, not in IPython
    await run(
        shared_kernel, "api_key = 'sk-canary'\nsettings = {'token': 'tk-canary', 'user': 'me'}"
    )
    secret = await inspect(shared_kernel, ObjectPath.name("api_key"))
    assert "canary" not in repr(secret)
    settings = await inspect(shared_kernel, ObjectPath.name("settings"))
    assert "canary" not in repr(settings) and settings.items[1].summary == "'me'"
    token = await inspect(shared_kernel, ObjectPath.name("settings").child(settings.items[0].step))  # type: ignore[arg-type]
    assert token.kind == "redacted" and "canary" not in repr(token)


async def test_secret_columns_and_rows_of_a_table_never_leave_the_kernel(
    shared_kernel: LocalKernel,
) -> None:
    pytest.importorskip("pandas")
    await run(
        shared_kernel,
        "import pandas as pd\n"
        "users = pd.DataFrame({'name': ['ada', 'bob'], 'api_token': ['tk-canary-1', 'tk-canary-2'],"
        " 'score': [3, 4]})\n"
        "config = pd.Series({'host': 'db.local', 'password': 'pw-canary'})",
    )
    view = await shared_kernel.describe("users")  # what the AI's $users shows
    assert view is not None and "canary" not in view and "ada" in view and "api_token" in view
    table = await inspect(shared_kernel, ObjectPath.name("users"))
    assert "canary" not in repr(table) and "ada" in section(table, "head")
    assert [item.summary for item in table.items if "token" in item.label] == ["<redacted>"]
    series = await inspect(shared_kernel, ObjectPath.name("config"))
    assert "canary" not in repr(series) and "db.local" in section(series, "head")
    assert "canary" not in repr(await shared_kernel.namespace())


async def test_completion_and_help_on_a_user_function(shared_kernel: LocalKernel) -> None:
    await run(shared_kernel, "def greet_user(who):\n    '''Say hello.'''\n    return 'hi ' + who")
    found = await shared_kernel.complete("x = greet_u", 11)
    assert "greet_user" in found.matches and (found.start, found.end) == (4, 11)
    short = await shared_kernel.help("greet_user?", 10, 0)
    assert short.found and "greet_user(who)" in short.text and "Say hello." in short.text
    assert "return 'hi ' + who" not in short.text
    full = await shared_kernel.help("greet_user??", 10, 1)
    assert "return 'hi ' + who" in full.text
    missing = await shared_kernel.help("nothing_here?", 12, 0)
    assert not missing.found
    await run(
        shared_kernel,
        "import time\nclass Slow:\n    def __repr__(self):\n        time.sleep(60)\nslow = Slow()",
    )
    started = time.monotonic()
    hostile = await shared_kernel.help("slow?", 4, 0)
    assert time.monotonic() - started < 2.0
    assert hostile.error is not None and "timed out" in hostile.error


async def test_queries_leave_in_out_history_and_count_alone(shared_kernel: LocalKernel) -> None:
    await run(shared_kernel, "'marker'")
    await run(
        shared_kernel,
        "ip = get_ipython()\nsnap = (len(In), len(Out), ip.execution_count, _, "
        "len(ip.history_manager.input_hist_raw))\nitems = [1, 2]",
    )
    await inspect(shared_kernel, ObjectPath.name("items"))
    await shared_kernel.inspect(ObjectPath.name("items"), 1, items_only=True)
    await shared_kernel.complete("ite", 3)
    await shared_kernel.help("items?", 5, 1)
    sink = RecordingSink()
    await shared_kernel.execute(
        "(len(In) - snap[0], len(Out) - snap[1], ip.execution_count - snap[2], _ == snap[3],"
        " len(ip.history_manager.input_hist_raw) - snap[4])",
        sink,
    )
    assert sink.outputs[-1].text == "(1, 0, 1, True, 1)"  # only this checking cell counts
