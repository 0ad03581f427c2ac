"""Time limits and silence for looking at the user's objects from inside the kernel.

Whatever pairrepl does in the kernel runs the user's code: a ``__repr__``, a property, a
``__len__``. Any of it may sleep, loop or print. So every look runs under a wall-clock
limit (``signal.setitimer``: SIGALRM, main thread only), with the user's own handler and
timer put back afterwards, and with ``sys.stdout``/``sys.stderr`` discarded so that
nothing it prints lands in the cell.

A limit cannot stop a wait inside C code (SIGALRM is only seen between bytecodes): what
might block there (an accelerator's pending work) is never touched at all
(``devices.py``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: The alarm repeats at this interval, so a repr that swallows it once still stops.
RETRY_ALARM_SECONDS = 0.01


class TimeLimitExceeded(BaseException):
    """Raised by SIGALRM. A BaseException, so ``except Exception`` in user code lets it by."""


def can_use_signals() -> bool:
    """Whether a time limit can interrupt work here (SIGALRM reaches the main thread only)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class Limiter:
    """Runs work under a wall-clock limit, when signals allow it (``can_interrupt``);
    inside ``quiet_and_bounded``, which installs the handler."""

    def __init__(self, can_interrupt: bool) -> None:
        self.can_interrupt = can_interrupt

    def run(self, work: Callable[[], T], seconds: float) -> T:
        """``work()``'s result; raises ``TimeLimitExceeded`` after ``seconds``. Without
        signals the work runs unbounded: callers then look at builtin data only."""
        if not self.can_interrupt:
            return work()
        signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_ALARM_SECONDS)
        try:
            return work()
        finally:
            _disarm_timer()


class _Discard:
    """A stdout/stderr stand-in: a ``__repr__`` that prints must not leak into the cell."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def quiet_and_bounded(can_interrupt: bool) -> Iterator[None]:
    """Output discarded; with ``can_interrupt``, our SIGALRM handler installed (the
    user's handler and the rest of their timer restored after)."""
    with contextlib.ExitStack() as stack:
        if can_interrupt:
            stack.enter_context(_alarm_installed())
        sink = _Discard()
        stack.enter_context(contextlib.redirect_stdout(sink))
        stack.enter_context(contextlib.redirect_stderr(sink))
        yield


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeLimitExceeded()


def _disarm_timer() -> None:
    # An alarm already delivered can still raise here; keep trying until it is off.
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        except TimeLimitExceeded:
            continue


@contextlib.contextmanager
def _alarm_installed() -> Iterator[None]:
    """Install our SIGALRM handler; restore the user's handler and remaining timer after."""
    previous_handler = signal.getsignal(signal.SIGALRM)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, 0)
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        yield
    finally:
        _disarm_timer()
        signal.signal(
            signal.SIGALRM, previous_handler if previous_handler is not None else signal.SIG_DFL
        )
        if previous_delay > 0:
            remaining = max(previous_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)
