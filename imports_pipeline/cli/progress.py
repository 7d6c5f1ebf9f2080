"""Progress of ``imports-pipeline import`` while a long step runs: a bar redrawn in place on a
terminal, plain lines every few seconds without one (a log, a CI job, a pipe), so a person or a
log reader sees that a 2-million-row file is moving and how fast."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO

from imports_pipeline.local_import import StepDone, StepProgress

BAR_WIDTH = 24
TERMINAL_REDRAW_SECONDS = 0.2
PLAIN_LINE_SECONDS = 5.0
"""How often a plain line is written while a step runs: often enough to see it move, rarely
enough not to flood a log."""


class ProgressDisplay:
    """Hears ``StepLog``'s progress and step ends and shows them on ``stream``; a thread
    redraws (terminal) or repeats (plain) the running step's line while it lasts."""

    def __init__(
        self, stream: TextIO, terminal: bool | None = None, every: float | None = None
    ) -> None:
        self.stream = stream
        self.terminal = stream.isatty() if terminal is None else terminal
        self.every = every or (TERMINAL_REDRAW_SECONDS if self.terminal else PLAIN_LINE_SECONDS)
        self.current: StepProgress | None = None
        self.started = time.perf_counter()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.ticker = threading.Thread(target=self.tick, name="import-progress", daemon=True)

    def __enter__(self) -> ProgressDisplay:
        self.ticker.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stopped.set()
        self.ticker.join()
        with self.lock:
            if self.terminal and self.current is not None:
                self.write("\n")
            self.current = None

    def progress(self, progress: StepProgress) -> None:
        """A step began, or one of its parts ended: a plain line says the part at once."""
        with self.lock:
            if self.current is None or self.current.name != progress.name:
                self.started = time.perf_counter()
            self.current = progress
            if progress.parts_done and not self.terminal:
                self.write(self.line(progress) + "\n")

    def step_done(self, step: StepDone) -> None:
        with self.lock:
            self.current = None
            ending = "\r\033[K" if self.terminal else ""
            self.write(
                f"{ending}{step.name}: {step.rows:,} rows in {step.seconds:.2f} s"
                f" ({step.rows_per_second:,.0f} rows/s)\n"
            )

    def tick(self) -> None:
        while not self.stopped.wait(self.every):
            with self.lock:
                if self.current is None:
                    continue
                if self.terminal:
                    self.write("\r\033[K" + self.bar(self.current))
                else:
                    self.write(self.line(self.current) + "\n")

    def line(self, progress: StepProgress) -> str:
        """``process: 3/8 phases, prevalidate 120,000 rows in 0.80 s (150,000 rows/s), 4.1 s``"""
        elapsed = time.perf_counter() - self.started
        said = f"{progress.name}: running, {elapsed:.1f} s"
        if progress.parts:
            said += f", {progress.parts_done}/{progress.parts} phases"
        if progress.parts_done:
            said += (
                f", {progress.part_name} {progress.part_rows:,} rows in"
                f" {progress.part_seconds:.2f} s ({progress.part_rows_per_second:,.0f} rows/s)"
            )
        return said

    def bar(self, progress: StepProgress) -> str:
        """``process [#########...............] 3/8 prevalidate 150,000 rows/s 4.1 s``; a
        step of one call shows a block moving to and fro, since its share done is unknown."""
        elapsed = time.perf_counter() - self.started
        if progress.parts:
            filled = BAR_WIDTH * progress.parts_done // progress.parts
            cells = "#" * filled + "." * (BAR_WIDTH - filled)
            said = f"{progress.parts_done}/{progress.parts}"
            if progress.parts_done:
                said += f" {progress.part_name} {progress.part_rows_per_second:,.0f} rows/s"
        else:
            position = int(elapsed / TERMINAL_REDRAW_SECONDS) % (2 * BAR_WIDTH - 8)
            position = min(position, 2 * BAR_WIDTH - 8 - position)
            cells = "." * position + "####" + "." * (BAR_WIDTH - 4 - position)
            said = ""
        return f"{progress.name} [{cells}] {said} {elapsed:.1f} s".replace("  ", " ")

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
