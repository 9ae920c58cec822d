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
from forensics.records.text import display_text
from forensics.version import __version__


class _Group(click.Group):
    """Turns library errors into one clean line on stderr and exit status 1; no error prints a raw control character."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ForensicsError as exc:
            raise click.ClickException(display_text(str(exc))) from exc
        except click.ClickException as exc:
            # click's own messages quote what was typed (an option, an argument); `message` is typed
            # final, so it is replaced on the instance rather than assigned
            vars(exc)["message"] = display_text(exc.message)
            raise
        except BrokenPipeError:
            # `forensics scan … | head` closed the pipe: not an error of ours.
            sys.stderr.close()
            raise SystemExit(0) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="forensics")
def cli() -> None:
    """Image provenance forensics: metadata, near-duplicates and consistency checks.

    Nothing this tool does touches the network. No output option may name an input
    or a file in a scanned folder, and every output file is written whole or not at
    all.

    Text output shows names so that a terminal cannot act on them: control and
    other invisible characters are escaped (\\x1b, \\n, \\u202e), a byte that is not
    UTF-8 is \\xNN (80 to ff) and a backslash in a name is \\\\. JSON keeps paths as
    they are.
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
