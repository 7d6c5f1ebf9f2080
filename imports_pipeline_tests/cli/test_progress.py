"""The progress display of ``imports-pipeline import``, on a stream as a log or a terminal sees
it: plain lines repeat while a step runs, a terminal gets one bar redrawn in place."""

from __future__ import annotations

import io
import time

from imports_pipeline.cli.progress import ProgressDisplay
from imports_pipeline.local_import import StepDone, StepProgress


def test_without_a_terminal_a_long_step_repeats_plain_lines_then_says_its_speed():
    stream = io.StringIO()
    with ProgressDisplay(stream, terminal=False, every=0.05) as display:
        display.progress(StepProgress("validate"))
        time.sleep(0.4)
        display.step_done(StepDone("validate", 120_000, 2.0))
    lines = stream.getvalue().splitlines()
    running = [line for line in lines if line.startswith("validate: running, ")]
    assert len(running) >= 3, lines
    assert lines[-1] == "validate: 120,000 rows in 2.00 s (60,000 rows/s)"
    assert "\r" not in stream.getvalue() and "\033" not in stream.getvalue()


def test_a_part_done_is_said_at_once_with_its_rows_per_second():
    stream = io.StringIO()
    with ProgressDisplay(stream, terminal=False, every=60) as display:
        display.progress(StepProgress("process", parts=8))
        display.progress(StepProgress("process", 3, 8, "prevalidate", 150_000, 0.5))
    (line,) = stream.getvalue().splitlines()
    assert line.startswith("process: running, ")
    assert line.endswith(", 3/8 phases, prevalidate 150,000 rows in 0.50 s (300,000 rows/s)")


def test_on_a_terminal_one_bar_is_redrawn_in_place():
    stream = io.StringIO()
    with ProgressDisplay(stream, terminal=True, every=0.02) as display:
        display.progress(StepProgress("process", parts=8))
        display.progress(StepProgress("process", 4, 8, "transform", 100_000, 0.25))
        time.sleep(0.2)
        display.step_done(StepDone("process", 100_000, 1.0))
    text = stream.getvalue()
    redraws = text.split("\r\033[K")
    assert len(redraws) >= 4  # redrawn, not a new line each time
    half = "#" * 12 + "." * 12
    bar = f"process [{half}] 4/8 transform 400,000 rows/s "
    assert any(part.startswith(bar) for part in redraws)
    assert text.endswith("\r\033[Kprocess: 100,000 rows in 1.00 s (100,000 rows/s)\n")
    assert text.count("\n") == 1
