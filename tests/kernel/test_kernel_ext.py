"""pairrepl_kernel's summariser called in this process: bounds, and that it leaves no trace."""

from __future__ import annotations

import contextlib
import json
import signal
import time
from typing import Any

from IPython.core.formatters import DisplayFormatter

from pairrepl.core.namespace import NamespaceSummary
from pairrepl_kernel import load_ipython_extension
from pairrepl_kernel.namespace import SUMMARY_FUNCTION_NAME, summarise_namespace


class Sleepy:
    def __repr__(self) -> str:
        time.sleep(60)
        return "never"


class Stubborn:
    """Swallows the first timeout: the repeating alarm must still stop it."""

    def __repr__(self) -> str:
        while True:
            with contextlib.suppress(BaseException):
                time.sleep(60)


def test_previous_alarm_handler_and_timer_are_restored() -> None:
    fired: list[int] = []

    def user_handler(signum: int, frame: Any) -> None:
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, user_handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.4)
        summarise_namespace({"sleepy": Sleepy()}, {})
        assert signal.getsignal(signal.SIGALRM) is user_handler
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining < 0.4
        time.sleep(0.5)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_total_time_is_bounded_even_with_many_slow_reprs() -> None:
    namespace: dict[str, object] = {f"s{i}": Sleepy() for i in range(40)}
    namespace["stubborn"] = Stubborn()
    namespace["text"] = "still summarised"
    started = time.monotonic()
    payload = summarise_namespace(namespace, {})
    assert time.monotonic() - started < 1.0
    by_name = NamespaceSummary.from_payload(payload).by_name()
    assert by_name["s0"].repr == "<repr timed out>"
    assert by_name["s39"].repr == "<not summarised: time budget spent>"
    assert by_name["text"].repr == "'still summarised'"


def test_containers_do_not_call_item_reprs_without_a_time_limit() -> None:
    payload = summarise_namespace({"items": [Sleepy(), 1]}, {})
    started = time.monotonic()
    assert payload["variables"][0]["repr"] == "<repr timed out>"
    assert time.monotonic() - started < 0.2


def test_output_is_json_and_matches_the_core_payload() -> None:
    class Shell:
        def __init__(self) -> None:
            self.user_ns: dict[str, Any] = {"x": 1, "name": "Ada", "_private": 2}
            self.user_ns_hidden: dict[str, Any] = {}
            self.display_formatter = DisplayFormatter()  # large_values wraps it

    shell = Shell()
    load_ipython_extension(shell)
    text = shell.user_ns[SUMMARY_FUNCTION_NAME]()
    summary = NamespaceSummary.from_payload(json.loads(text))
    assert [v.name for v in summary.variables] == ["x", "name"]
    assert SUMMARY_FUNCTION_NAME in shell.user_ns_hidden


def test_a_print_inside_repr_does_not_leak(capsys: Any) -> None:
    class Noisy:
        def __repr__(self) -> str:
            print("noise")
            return "Noisy()"

    payload = summarise_namespace({"noisy": Noisy()}, {})
    assert payload["variables"][0]["repr"] == "Noisy()"
    assert capsys.readouterr().out == ""
