"""SIGINT, SIGTERM and SIGHUP all stop qsql the way Ctrl-C does, and clean-up finishes.

``timeout``, systemd, ``docker stop`` and Kubernetes send SIGTERM; closing a terminal sends
SIGHUP. Python's default for both is to die on the spot, skipping every ``finally``: a
half-written INSERT's temporary file stayed for ever. Here each becomes an exception the
code already handles (a :class:`KeyboardInterrupt`), so the running statement unwinds, its
sink discards its temporary file and the model requests are cancelled.

A second signal while that clean-up runs is not raised (an exception in the middle of
clean-up is what printed tracebacks and left files behind); qsql says it is still cleaning
up. A third one stops the process at once, for a clean-up that hangs.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """Stopped by SIGTERM or SIGHUP: unwinds like Ctrl-C, but the shell leaves instead of
    going back to its prompt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """128 + the signal's number, as a shell reports a process a signal stopped."""
    return 128 + (interrupt.signum if isinstance(interrupt, Terminated) else signal.SIGINT)


class InterruptHandler:
    """Installed by the command (main thread only) for the life of the process."""

    def __init__(self) -> None:
        self._cleaning_up = False
        self._extra = 0
        self._previous: dict[int, object] = {}

    def install(self) -> InterruptHandler:
        for signum in HANDLED_SIGNALS:
            try:
                previous = signal.getsignal(signum)
                if previous == signal.SIG_IGN:
                    continue  # nohup, or a background job of a script: keep ignoring as asked
                signal.signal(signum, self._handle)
                self._previous[signum] = previous
            except (ValueError, OSError):  # not the main thread, or a platform without it
                pass
        return self

    def uninstall(self) -> None:
        """Put back the handlers :meth:`install` replaced: ``cli.main(argv)`` called from Python
        (a test, an embedding program) leaves the caller's signal handling as it found it."""
        for signum, previous in self._previous.items():
            try:
                # getsignal() gives None for a handler not set from Python: signal() refuses it (TypeError).
                signal.signal(signum, previous)  # type: ignore[arg-type]
            except (ValueError, OSError, TypeError):
                pass
        self._previous.clear()

    def rearm(self) -> None:
        """The interrupted work has been cleaned up (the shell is back at its prompt): the
        next signal interrupts again."""
        self._cleaning_up = False
        self._extra = 0

    def ignore_while_exiting(self) -> None:
        """The work is done and qsql is about to exit with its status. The interpreter resets
        signal handlers to the defaults while it shuts down, so a second Ctrl-C arriving then
        killed the process by the signal (status -2) instead of the 130 already decided."""
        if not self._cleaning_up:
            return  # nothing was interrupted: a signal now still stops the process as usual
        for signum in HANDLED_SIGNALS:
            try:
                signal.signal(signum, signal.SIG_IGN)
            except (ValueError, OSError):
                pass

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self._cleaning_up:
            self._cleaning_up = True
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            raise Terminated(signum)
        self._extra += 1
        if self._extra == 1:
            _say("qsql: still cleaning up (temporary files, open requests); interrupt once more to stop at once")
            return
        _say("qsql: stopped during clean-up")
        os._exit(128 + signum)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP for a short step that must not be cut in half, and
    deliver the first one that arrived once the step is done.

    ``asyncio.new_event_loop()`` is such a step: a Ctrl-C raised in the middle of it left a
    half-built loop whose clean-up printed "Exception ignored" noise at exit. Only the main
    thread can swap handlers; elsewhere (and for a handler that is not Python's) the step
    runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous: dict[int, Callable[[int, FrameType | None], Any]] = {}  # Python handlers only

    def remember(signum: int, frame: FrameType | None) -> None:
        arrived.append(signum)

    for signum in HANDLED_SIGNALS:
        try:
            handler = signal.getsignal(signum)
            if callable(handler):
                previous[signum] = handler
                signal.signal(signum, remember)
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for number, saved in previous.items():
            signal.signal(number, saved)
        if arrived:
            signal.raise_signal(arrived[0])  # the restored handler takes it at the next step


def _say(text: str) -> None:
    try:
        os.write(sys.stderr.fileno(), (text + "\n").encode())
    except (OSError, ValueError):
        pass
