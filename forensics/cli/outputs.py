"""Where a command may write: never over its inputs, never into a scanned folder, always whole.

Every option that names a file to write is checked here before the command
does anything: an output that is an input (by device and inode, so a symbolic
or hard link to evidence is evidence), lies in a scanned folder, or is named
by two options is a usage error (exit status 2). Files are then written
through :mod:`forensics.records.atomic`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from itertools import combinations
from typing import IO

import click

from forensics.records.atomic import atomic_text
from forensics.records.text import display_path


class OutputConflict(click.ClickException):
    """An output option names a file the command must not write: one line on stderr, exit status 2."""

    exit_code = 2


def guard_outputs(outputs: Sequence[tuple[str, str | None]], inputs: Sequence[str], *, into_folders: bool = True) -> None:
    """Refuse outputs that would overwrite an input or land among the evidence.

    Parameters
    ----------
    outputs : sequence of (option, path)
        Each output option and the file it names (None or ``-``: not given, or stdout).
    inputs : sequence of str
        The files and folders the command reads.
    into_folders : bool
        Also refuse a new file inside a folder among ``inputs`` (a report
        there would be read as evidence by the next scan), and a file reached
        from one through a link. Off for an index in a folder it indexes,
        which discovery passes over.

    Raises
    ------
    OutputConflict
        Naming the option, the file and the input it collides with.
    """
    named = [(option, path) for option, path in outputs if path not in (None, "-")]
    for (first, a), (second, b) in combinations(named, 2):
        if _same_file(a, b):
            raise OutputConflict(f"{first} and {second} name the same file {display_path(a)}: give each output its own file")
    folders = [p for p in inputs if os.path.isdir(p)]
    for option, path in named:
        for source in inputs:
            if _same_file(path, source):
                raise OutputConflict(f"{option} {display_path(path)} would overwrite the input {display_path(source)}: write it elsewhere")
            if into_folders and source in folders and _under(path, source):
                what = "would overwrite a file in" if os.path.lexists(path) else "is inside"
                raise OutputConflict(
                    f"{option} {display_path(path)} {what} the scanned folder {display_path(source)}: write it outside the evidence"
                )
    if into_folders and folders and named:
        _guard_against_links(named, folders)


def _guard_against_links(named: Sequence[tuple[str, str]], folders: Sequence[str]) -> None:
    """A file reached from a scanned folder through a link (or a folder linked into one) is evidence too.

    Walks the folders as discovery does (following links to folders, each folder
    once) and compares devices and inodes; files are compared only with outputs
    that already exist, since a new file cannot be linked to.
    """
    existing = {}
    parents = {}
    for option, path in named:
        with contextlib.suppress(OSError):
            st = os.stat(path)
            existing[(st.st_dev, st.st_ino)] = (option, path)
        with contextlib.suppress(OSError):
            st = os.stat(os.path.dirname(os.path.abspath(path)))
            parents[(st.st_dev, st.st_ino)] = (option, path)
    seen: set[tuple[int, int]] = set()
    stack = list(folders)
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        if key in parents:
            option, path = parents[key]
            raise OutputConflict(
                f"{option} {display_path(path)} is inside a scanned folder (reached as {display_path(folder)}): write it outside the evidence"
            )
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    with contextlib.suppress(OSError):
                        if entry.is_dir(follow_symlinks=True):
                            stack.append(entry.path)
                        elif existing:
                            est = entry.stat(follow_symlinks=True)
                            if (est.st_dev, est.st_ino) in existing:
                                option, path = existing[(est.st_dev, est.st_ino)]
                                raise OutputConflict(
                                    f"{option} {display_path(path)} would overwrite {display_path(entry.path)}, the same file (a link) in a scanned folder: write it elsewhere"
                                )
        except OSError:
            continue


def _same_file(a: str, b: str) -> bool:
    """One file under two names: same device and inode when both exist, else the same resolved path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _under(path: str, folder: str) -> bool:
    """``path`` lies somewhere below ``folder``, by resolved path or by the identity of a parent folder."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    if os.path.normcase(real).startswith(os.path.normcase(top).rstrip(os.sep) + os.sep):
        return True
    try:
        want = os.stat(folder)
    except OSError:
        return False
    parent = os.path.dirname(real)
    while True:  # a case-insensitive or bind-mounted alias of the folder has the folder's identity
        with contextlib.suppress(OSError):
            if os.path.samestat(os.stat(parent), want):
                return True
        up = os.path.dirname(parent)
        if up == parent:
            return False
        parent = up


def check_writable(*paths: str | None) -> None:
    """Fail before a long scan, not after it, when an output file cannot be created."""
    for path in paths:
        if path in (None, "-"):
            continue
        folder = os.path.dirname(os.path.abspath(path))
        if _is_device(path):  # /dev/stdout, a pipe: written in place
            if not os.access(path, os.W_OK):
                raise click.ClickException(f"cannot write {display_path(path)}: permission denied")
            continue
        if os.path.isdir(path):
            raise click.ClickException(f"cannot write {display_path(path)}: it is a folder")
        if not os.path.isdir(folder):
            raise click.ClickException(f"cannot write {display_path(path)}: no folder {display_path(folder)}")
        if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
            raise click.ClickException(f"cannot write {display_path(path)}: permission denied")


def _is_device(path: str) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def output_stream(path: str | None) -> Iterator[IO[str]]:
    """Stdout, or the file given with ``--output``: written whole (UTF-8), or left as it was."""
    if path in (None, "-"):
        yield sys.stdout
        return
    try:
        with atomic_text(path, encoding="utf-8", errors="backslashreplace", newline="\n") as f:
            yield f
    except OSError as exc:  # cannot create, a full disk, a device that refuses writes
        raise click.ClickException(f"cannot write {display_path(path)}: {exc.strerror or exc}") from exc
