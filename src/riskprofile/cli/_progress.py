"""Progress of long work on standard error: reading, scoring and writing a batch.

Shown only on a terminal, and only for a stage that lasts more than a second: in a pipe or
a file standard error carries the same bytes with or without it (the tests compare them).
A stage that reports how far it is (``done`` of ``total``) draws a bar; one that cannot
(a column-wise step is one call) shows its elapsed time, redrawn from a timer thread.

While a line is drawn on standard error, anything else the command prints there (a
warning said while the batch is read in its thread) first clears the line, so that the
message stands on a line of its own; the next redraw puts the progress back under it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

__all__ = ["Progress", "Step"]

_WIDTH = 30


class Step(Protocol):
    """What a stage is told: how much is done, and the total when the stage learns it
    only then (``read_frame`` knows the records once the file is loaded)."""

    def __call__(self, done: int, total: int | None = None, /) -> None: ...


class Progress:
    """Progress lines for the stages of one command.

    Args:
        stream: where to draw (standard error by default).
        enabled: draw at all; by default only when ``stream`` is a terminal.
        delay: seconds a stage must last before its line appears.
        clock: the time source (tests give their own).
        timer: redraw a stage from a timer thread (off: only when the stage calls back).

    >>> progress = Progress(enabled=False)
    >>> with progress.stage("scoring", 3, "shipments") as step:
    ...     step(3)
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        timer: bool = True,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.delay = delay
        self.clock = clock
        self.timer = timer
        self.on_screen: _Line | None = None  # the line drawn and not yet finished

    @contextmanager
    def stage(self, what: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        """A stage (``"reading batch.parquet"``): yields the callback that says how much
        is done; at the end a stage that was shown says how long it took."""
        if not self.enabled:
            yield _ignore
            return
        line = _Line(self, what, total, unit)
        line.start()
        with _clearing_stderr(self):
            try:
                yield line.update
            except BaseException:
                line.finish(failed=True)  # the error says what happened, not "done"
                raise
            line.finish(failed=False)


_install_lock = threading.Lock()


@contextmanager
def _clearing_stderr(progress: Progress) -> Iterator[None]:
    """``sys.stderr`` wrapped while a stage of ``progress`` draws on it (stages open on
    several threads share one wrapper; the last to close puts the stream back)."""
    with _install_lock:
        if progress.stream is sys.stderr and not isinstance(sys.stderr, _ClearFirst):
            sys.stderr = _ClearFirst(progress, sys.stderr)
        found = sys.stderr
        wrapper = found if isinstance(found, _ClearFirst) and found.progress is progress else None
        if wrapper is not None:
            wrapper.stages += 1
    try:
        yield
    finally:
        if wrapper is not None:
            with _install_lock:
                wrapper.stages -= 1
                if not wrapper.stages and sys.stderr is wrapper:
                    sys.stderr = wrapper.stream


class _ClearFirst:
    """Standard error while a progress line may be on it: a write first erases the line
    drawn (``\\r`` and erase-to-end-of-line) and has the next update draw it again."""

    def __init__(self, progress: Progress, stream: TextIO) -> None:
        self.progress = progress
        self.stream = stream
        self.stages = 0  # the stages of ``progress`` open that share this wrapper

    def write(self, text: str) -> int:
        line = self.progress.on_screen
        if line is None or not text:
            return self.stream.write(text)
        with line.lock:
            self.stream.write("\r\x1b[K")
            self.progress.on_screen = None
            line.last = 0.0  # redrawn at its next update or tick, under the message
            return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:  # isatty, fileno, encoding...
        return getattr(self.stream, name)


def _ignore(done: int, total: int | None = None, /) -> None:
    return None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: no progress
        return False


class _Line:
    """One stage's line: drawn after the delay, redrawn at most five times a second."""

    def __init__(self, progress: Progress, what: str, total: int | None, unit: str) -> None:
        self.progress = progress
        self.what = what
        self.total = total
        self.unit = unit
        self.done = 0
        self.begun = progress.clock()
        self.last = 0.0
        self.shown = False
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.timer = threading.Thread(target=self._tick, daemon=True)

    def start(self) -> None:
        if self.progress.timer:
            self.timer.start()

    def _tick(self) -> None:
        # A stage that never calls back (one column-wise call) still shows it is alive.
        if self.stop.wait(self.progress.delay):
            return
        while True:
            self.draw(force=True)
            if self.stop.wait(1.0):
                return

    def update(self, done: int, total: int | None = None, /) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self.draw(force=False)

    def draw(self, *, force: bool, final: bool = False) -> None:
        with self.lock:
            now = self.progress.clock()
            elapsed = now - self.begun
            if not final and elapsed < self.progress.delay:
                return
            if not (force or final) and now - self.last < 0.2:
                return
            self.last = now
            self.shown = True
            text = self.what
            if self.total is not None:
                filled = int(_WIDTH * min(self.done, self.total) / max(self.total, 1))
                text += f" [{'#' * filled}{'.' * (_WIDTH - filled)}] "
                text += f"{self.done:,}/{self.total:,} {self.unit}".rstrip()
                if elapsed > 0 and self.done:
                    text += f", {self.done / elapsed:,.0f}/s"
            elif self.done and self.unit:  # a count without a total: how many so far
                text += f" {self.done:,} {self.unit}"
            text += f" ({'done in ' if final else ''}{elapsed:.1f} s)"
            # \r and erase-to-end-of-line: a terminal redraws the one line in place.
            stream = self.progress.stream
            if isinstance(stream, _ClearFirst):
                stream = stream.stream
            stream.write(f"\r{text}\x1b[K" + ("\n" if final else ""))
            stream.flush()
            self.progress.on_screen = None if final else self

    def finish(self, *, failed: bool) -> None:
        self.stop.set()
        if self.timer.is_alive():
            self.timer.join()
        if not self.shown:
            return
        if failed:
            with self.lock:
                if self.progress.on_screen is self:
                    self.progress.on_screen = None
                    self.progress.stream.write("\n")
                    self.progress.stream.flush()
            return
        if self.total is not None:
            self.done = max(self.done, self.total)
        self.draw(force=True, final=True)
