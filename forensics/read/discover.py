"""Find the files to analyse under the paths a user gave."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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
})  # fmt: skip


def is_companion(path: str) -> bool:
    """A note, case file, script, report or index by name, and not an image or video by content."""
    from forensics.read.sniff import HEAD_BYTES, sniff

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
    """The files found, and what was passed over (with the reason)."""

    files: list[str] = field(default_factory=list)
    skipped_junk: int = 0
    skipped_other: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    missing: list[str] = field(default_factory=list)


def discover(paths: Iterable[str | os.PathLike[str]], *, skip: Iterable[str] = ()) -> Discovery:
    """Walk files and folders recursively, in a stable (sorted) order.

    Symbolic links to folders are followed once: a folder already visited
    (same device and inode) is not entered again, so loops cannot hang.
    ``skip`` names files to leave out (such as a case file).
    """
    found = Discovery()
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int] | str] = set()
    skip_names = set(skip)
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]  # one path, not a sequence of one-letter paths

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

    for raw in paths:
        path = os.fsdecode(raw)
        if os.path.isdir(path):
            for f in _walk(path, seen_dirs, found):
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


def _walk(top: str, seen_dirs: set[tuple[int, int]], found: Discovery) -> Iterator[str]:
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


def _list(folder: str, seen_dirs: set[tuple[int, int]], found: Discovery) -> Iterator[os.DirEntry[str]] | None:
    """A folder's entries, sorted by name; None when it cannot be listed or was seen before."""
    try:
        st = os.stat(folder)
    except OSError as exc:
        found.skipped_other.append((folder, f"cannot open folder: {exc.strerror or exc}"))
        return None
    key = (st.st_dev, st.st_ino)
    if key in seen_dirs:
        return None
    seen_dirs.add(key)
    try:
        with os.scandir(folder) as it:
            return iter(sorted(it, key=lambda e: e.name))
    except OSError as exc:
        found.skipped_other.append((folder, f"cannot list folder: {exc.strerror or exc}"))
        return None
