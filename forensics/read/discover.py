"""Find the files to analyse under the paths a user gave."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from forensics.read.sniff import HEAD_BYTES, sniff
from forensics.records.text import printable_path

# Files operating systems leave behind; never evidence, always skipped.
JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini", "Icon\r", ".localized"})
JUNK_DIRS = frozenset({".git", "__MACOSX", ".Spotlight-V100", ".Trashes", ".fseventsd", "@eaDir"})


def is_junk(name: str) -> bool:
    """OS clutter: Finder metadata, AppleDouble ``._*`` forks, thumbnail caches."""
    return name in JUNK_NAMES or name.startswith("._")


# Files that sit beside evidence in a case folder: notes, case files, scripts,
# reports, reference indexes. Inside a folder walk, one whose content is not an
# image or video is passed over (listed in ``skipped``), not reported unreadable;
# one named explicitly is always read, and content, not the name, still decides.
COMPANION_EXTENSIONS = frozenset({
    ".md", ".txt", ".rst", ".toml", ".json", ".jsonl", ".csv", ".tsv", ".yaml", ".yml", ".ini", ".cfg",
    ".py", ".sh", ".html", ".htm", ".css", ".js", ".db", ".sqlite", ".sqlite3", ".log", ".pdf", ".sha256",
    ".pem", ".crt", ".cer",  # certificates: the trust anchors a newsroom keeps beside signed files
})  # fmt: skip


def is_companion(path: str) -> bool:
    """A note, case file, script, report or index by name, and not an image or video by content."""

    name = path
    for sidecar in ("-wal", "-shm", "-journal"):  # SQLite's files beside an index
        if name.endswith(sidecar):
            name = name[: -len(sidecar)]
            break
    if os.path.splitext(name)[1].lower() not in COMPANION_EXTENSIONS:
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return False  # let the reader report why it cannot be opened
    return sniff(head).kind == "unknown"


@dataclass
class Discovery:
    """The files found, and what was passed over (with the reason).

    ``skipped_other`` is what is not evidence or cannot be (notes, broken links,
    links out of the scanned folders); ``errors`` is what should have been
    examined and could not be (a folder that cannot be opened or listed).
    """

    files: list[str] = field(default_factory=list)
    skipped_junk: int = 0
    skipped_other: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    missing: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def discover(paths: Iterable[str | os.PathLike[str]], *, skip: Iterable[str] = ()) -> Discovery:
    """Walk files and folders recursively, in a stable (sorted) order.

    Symbolic links are followed within the scanned paths only: a link whose
    target lies outside all of them is listed in ``skipped_other`` with its
    target and not followed, so that a report holds only what the evidence
    folders hold (a link to ``/`` or to the investigator's own pictures would
    otherwise bring them in). A folder already visited (same device and
    inode) is not entered again, so loops cannot hang. ``skip`` names files
    to leave out (such as a case file).
    """
    found = Discovery()
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int] | str] = set()
    skip_names = set(skip)
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]  # one path, not a sequence of one-letter paths
    names = [os.fsdecode(p) for p in paths]
    roots = [os.path.realpath(p) for p in names]

    def add(path: str) -> None:
        # the same file reached twice (./a.jpg and a.jpg, a hard link, a folder and a file in it) is read once
        try:
            st = os.stat(path)
            key: tuple[int, int] | str = (st.st_dev, st.st_ino)
        except OSError:
            key = os.path.abspath(path)  # the reader reports why it cannot be opened
        if key not in seen_files:
            seen_files.add(key)
            found.files.append(path)

    for path in names:
        if os.path.isdir(path):
            for f in _walk(path, roots, seen_dirs, found):
                if os.path.basename(f) not in skip_names:
                    add(f)
        elif os.path.lexists(path):
            if is_junk(os.path.basename(path)):
                found.skipped_junk += 1
            else:
                add(path)  # named explicitly: read it whatever it is
        else:
            found.missing.append(path)
    return found


def _walk(top: str, roots: Sequence[str], seen_dirs: set[tuple[int, int]], found: Discovery) -> Iterator[str]:
    """Files under ``top`` in sorted depth-first order.

    Iterative (a stack of folder listings), so that no nesting depth can overflow
    the interpreter's recursion limit.
    """
    stack: list[Iterator[os.DirEntry[str]]] = []
    listing = _list(top, seen_dirs, found)
    if listing is not None:
        stack.append(listing)
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name in JUNK_DIRS:
            continue
        if is_junk(entry.name):
            found.skipped_junk += 1
            continue
        try:
            if entry.is_symlink() and (target := _outside(entry.path, roots)) is not None:
                found.skipped_other.append(
                    (entry.path, f"symbolic link out of the scanned folders, to {printable_path(target)}: not followed")
                )
                continue
            if entry.is_dir(follow_symlinks=True):
                listing = _list(entry.path, seen_dirs, found)
                if listing is not None:
                    stack.append(listing)
            elif entry.is_file(follow_symlinks=True):
                if is_companion(entry.path):
                    found.skipped_other.append((entry.path, "not an image or video (a note, case file, script or report)"))
                else:
                    yield entry.path
            elif entry.is_symlink():
                found.skipped_other.append((entry.path, "broken symbolic link"))
            else:
                found.skipped_other.append((entry.path, "not a regular file"))
        except OSError as exc:
            found.skipped_other.append((entry.path, str(exc.strerror or exc)))


def _outside(link: str, roots: Sequence[str]) -> str | None:
    """The target of a symbolic link when it exists and lies outside every scanned path."""
    target = os.path.realpath(link)
    if not os.path.exists(target):
        return None  # broken, or a loop: reported as such by the walk
    for root in roots:
        if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
            return None
    return target


def _list(folder: str, seen_dirs: set[tuple[int, int]], found: Discovery) -> Iterator[os.DirEntry[str]] | None:
    """A folder's entries, sorted by name; None when it cannot be listed or was seen before."""
    try:
        st = os.stat(folder)
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return None
        seen_dirs.add(key)
        with os.scandir(folder) as it:
            return iter(sorted(it, key=lambda e: e.name))
    except OSError as exc:
        found.errors.append((folder, _folder_error(exc)))
        return None


def _folder_error(exc: OSError) -> str:
    """Why a folder was not examined, for a person."""
    if exc.errno == errno.ENAMETOOLONG:
        # nested deeper than the system's path limit (PATH_MAX, 4,096 bytes on Linux): no
        # program can open its files by name; a scan started nearer to it can
        return "folder not examined: its path is longer than the system allows; scan it from a folder nearer to it"
    return f"folder not examined: cannot open it: {exc.strerror or exc}"
