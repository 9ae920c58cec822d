"""What several commands share: consoles, progress, option sets (output files: :mod:`forensics.cli.outputs`)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING

import click

from forensics.read.decode import MEMORY_BUDGET_ENV, TIME_LIMIT_ENV, parse_size

if TYPE_CHECKING:
    from rich.console import Console

# rich is imported when something is printed, not before a command starts its work.


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


@contextlib.contextmanager
def progress_bar(label: str, *, quiet: bool = False, rate: str | None = None) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr, only when stderr is a terminal and not ``--quiet``.

    With ``rate`` (a unit, e.g. ``"files"``) it shows the rate as well as the time left.
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    speed = [TextColumn(f"{{task.fields[rate]}} {rate}/s")] if rate else []
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), *speed, TimeRemainingColumn(),
        console=stderr_console(), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=None, rate="–")

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            per_second = bar.tasks[task].speed  # rich's estimate over the last half minute
            if rate and per_second:
                bar.update(task, rate=f"{per_second:,.1f}")

        yield update


PIPE_WIDTH = 160  # rich would wrap a piped report at 80 columns, folding every path


def stdout_console(stream: IO[str]) -> Console:
    """A console for the report: colours only on a terminal, wide enough when piped.

    Emoji codes stay text: a file named ``:warning:.jpg`` is shown as named.

    On a terminal rich follows its width; into a pipe or a file the width is
    ``$COLUMNS`` when set, else :data:`PIPE_WIDTH`.
    """
    from rich.console import Console

    if stream is sys.stdout and _isatty(stream):
        return Console(highlight=False, soft_wrap=False, emoji=False)
    width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else PIPE_WIDTH
    return Console(file=stream, highlight=False, force_terminal=False, no_color=True, width=max(width, 40), emoji=False)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def quiet_option(f):
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar or warnings on stderr.")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (versioned schema) instead of text.")(f)


def trust_anchors_option(f):
    return click.option(
        "--trust-anchors", type=click.Path(dir_okay=False), metavar="FILE",
        help="PEM certificates to hold Content Credentials' signers against (without: signers are not checked against a trust list).",
    )(f)  # fmt: skip


class _Size(click.ParamType):
    """A byte count written as people write it: 512M, 2G, 1.5GiB, 4096."""

    name = "size"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def limit_options(f):
    """``--memory-budget`` and ``--time-limit``: what reading one file may cost (both also from the environment)."""
    f = click.option(
        "--time-limit", type=click.FloatRange(min=0), envvar=TIME_LIMIT_ENV, show_envvar=True, metavar="SECONDS",
        help="Seconds one file may take to read (default 60; for a video, between two batches of frames); "
        "a file still being read then is stopped and reported unreadable. 0: no limit.",
    )(f)  # fmt: skip
    return click.option(
        "--memory-budget", type=_Size(), envvar=MEMORY_BUDGET_ENV, show_envvar=True, metavar="SIZE",
        help="Memory decoding one file may take, e.g. 512M or 2G (default 1G), estimated from its header; "
        "a file that needs more is reported unreadable. 0: no budget.",
    )(f)  # fmt: skip
