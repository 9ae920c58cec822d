"""Output files written whole or not at all: a temporary file beside the target, renamed into place.

Every report, listing and frame the tool writes goes through :func:`atomic_text`
or :func:`atomic_binary`. An interrupted or failed run leaves the old target as
it was and no half-written file; the temporary file is removed on error (only
a process killed outright can leave one, named ``.NAME.XXXXXXXX.tmp``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from typing import BinaryIO, TextIO

_NAME_PART = 64  # characters of the target's name kept in the temporary name, within any file system's limit


@contextlib.contextmanager
def atomic_text(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    newline: str | None = None,
    overwrite: bool = True,
) -> Iterator[TextIO]:
    """A text file that appears at ``path`` only once the ``with`` block has finished.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write. A symbolic link is written through (its target is
        replaced); a device or pipe (``/dev/stdout``, ``>(…)``) is written
        directly, since it cannot be replaced.
    encoding, errors, newline : str
        As for :func:`open`.
    overwrite : bool
        When False an existing ``path`` is never replaced: :class:`FileExistsError`
        is raised and nothing is left behind.

    Raises
    ------
    OSError
        When the temporary file cannot be created, written or renamed.
    """
    target = os.fspath(path)
    if _is_stream(target):
        with open(target, "w", encoding=encoding, errors=errors, newline=newline) as direct:
            yield direct
        return
    with _staged(target, overwrite=overwrite) as fd, open(fd, "w", encoding=encoding, errors=errors, newline=newline, closefd=False) as f:
        yield f


@contextlib.contextmanager
def atomic_binary(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only once the ``with`` block has finished (see :func:`atomic_text`)."""
    target = os.fspath(path)
    if _is_stream(target):
        with open(target, "wb") as direct:
            yield direct
        return
    with _staged(target, overwrite=overwrite) as fd, open(fd, "wb", closefd=False) as f:
        yield f


def _is_stream(target: str) -> bool:
    """A character device, pipe or socket that exists: written in place, never replaced."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def _staged(target: str, *, overwrite: bool) -> Iterator[int]:
    """A descriptor of a new temporary file beside ``target``, renamed onto it when the block ends well."""
    target = os.path.realpath(target)  # through a link: replace what it points to, not the link
    if os.path.exists(target) and not os.access(target, os.W_OK):
        # replacing needs only the folder's permission; a read-only file stays as read-only as open() keeps it
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), target)
    fd, tmp = _create_beside(target)
    try:
        try:
            yield fd
            os.fsync(fd)  # the bytes are on disk before the name points at them
        finally:
            os.close(fd)
        _keep_mode(target, tmp)
        _commit(tmp, target, overwrite=overwrite)
    except BaseException:  # an error, Ctrl-C or SystemExit: drop the half-written file
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _create_beside(target: str) -> tuple[int, str]:
    folder, name = os.path.split(target)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name[:_NAME_PART]}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 less the umask: the same permissions open(path, "w") would give
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", os.path.join(folder, f".{name[:_NAME_PART]}.*.tmp"))


def _keep_mode(target: str, tmp: str) -> None:
    """A replaced file keeps its permissions (a report made private stays private)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return  # a new file
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def _commit(tmp: str, target: str, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # refuses an existing name, even one that appeared a moment ago
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), target) from None
    except OSError:  # a file system without hard links (FAT, some network shares)
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), target) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)
