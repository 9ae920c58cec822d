"""The ``forensics`` command: a thin layer that parses, calls the library and renders."""

from __future__ import annotations

import sys

import click

from forensics.cli.frames import frames_command
from forensics.cli.index import index_group
from forensics.cli.match import match_command
from forensics.cli.meta import hash_command, meta_command
from forensics.cli.scan import scan_command
from forensics.errors import ForensicsError
from forensics.version import __version__


class _Group(click.Group):
    """Turns library errors into one clean line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ForensicsError as exc:
            raise click.ClickException(str(exc)) from exc
        except BrokenPipeError:
            # `forensics scan … | head` closed the pipe: not an error of ours.
            sys.stderr.close()
            raise SystemExit(0) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="forensics")
def cli() -> None:
    """Image provenance forensics: metadata, near-duplicates and consistency checks.

    Nothing this tool does touches the network.
    """


cli.add_command(scan_command)
cli.add_command(meta_command)
cli.add_command(hash_command)
cli.add_command(frames_command)
cli.add_command(index_group)
cli.add_command(match_command)


def main() -> None:
    # A file name that is not valid UTF-8 must never stop a report half-way.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    cli(prog_name="forensics")
