"""The ``forensics`` command: a thin layer that parses, calls the library and renders."""

from __future__ import annotations

import importlib
import sys

import click

from forensics.errors import ForensicsError
from forensics.read.threads import one_blas_thread
from forensics.records.text import display_text
from forensics.version import __version__

# Before numpy loads (none of the imports above loads it): in the process that waits on the reading
# workers, BLAS threads took a core from a worker's decode (60 ms of a one-worker scan of 60 pictures).
one_blas_thread()

# Each command, and the module and name it is defined by: a command's module (and the library
# stages it imports) loads only when that command runs or the help lists it.
COMMANDS = {
    "scan": ("forensics.cli.scan", "scan_command"),
    "meta": ("forensics.cli.meta", "meta_command"),
    "hash": ("forensics.cli.meta", "hash_command"),
    "frames": ("forensics.cli.frames", "frames_command"),
    "index": ("forensics.cli.index", "index_group"),
    "match": ("forensics.cli.match", "match_command"),
}


class _Group(click.Group):
    """Turns library errors into one clean line on stderr and exit status 1; no error prints a raw control character.

    Its commands are imported when they are asked for (:data:`COMMANDS`).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return self.commands.get(cmd_name)

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


def main() -> None:
    # A file name that is not valid UTF-8 must never stop a report half-way.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    cli(prog_name="forensics")
