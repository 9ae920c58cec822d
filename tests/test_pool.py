"""A worker process that dies costs only the file it was on; workers die with their parent."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import imagegen
import pytest
from click.testing import CliRunner

from forensics import scan
from forensics.cli import cli
from forensics.read import pool
from forensics.read.pool import READ_CRASHED, map_isolated
from forensics.refs import index as index_module
from forensics.refs.index import ReferenceIndex
from forensics.render import html

forked = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="a function patched in the test reaches the worker processes only when they are forked",
)


def _jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    imagegen.photo(seed, (48, 36)).save(buf, "JPEG")
    return buf.getvalue()


def _folder(tmp_path, n=8):
    folder = tmp_path / "pictures"
    folder.mkdir()
    for i in range(n):
        (folder / f"ok{i}.jpg").write_bytes(_jpeg(i))
    (folder / "poison.jpg").write_bytes(_jpeg(99))
    return folder


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the system ends a process that ran out of memory


def _is_poison(path) -> bool:
    return os.fsdecode(path).endswith("poison.jpg")


# -- the helper itself ---------------------------------------------------------------------------


def _logged(item: tuple[str, int, str]) -> int:
    log, k, death = item
    with open(log, "a") as f:
        f.write(f"{k}\n")
    if k == 7:
        if death == "kill":
            _die()
        os._exit(139)  # as a segfaulting decoder would
    time.sleep(0.01)
    return k * k


@forked
@pytest.mark.parametrize("death", ["kill", "exit"])
def test_a_dying_worker_costs_only_its_item(tmp_path, death):
    log = str(tmp_path / "calls")
    items = [(log, k, death) for k in range(24)]
    out = map_isolated(_logged, items, on_crash=lambda item: -item[1], workers=3, most=2)
    assert out == [-7 if k == 7 else k * k for k in range(24)]
    calls = [int(line) for line in (tmp_path / "calls").read_text().split()]
    assert calls.count(7) == 2  # in its chunk, then alone: it is not trusted to a shared pool again
    assert all(calls.count(k) >= 1 for k in range(24))
    # only the items in the broken pool's unfinished chunks run again, not every item after the crash:
    # at most one chunk per worker plus the one the executor queues ahead (chunks of 2), and item 7 alone
    assert len(calls) - 24 <= (3 + 1) * 2 + 1


def _raise_on_three(k: int) -> int:
    if k == 3:
        raise ValueError("three")
    return k


def test_an_exception_in_a_worker_is_not_a_crash():
    with pytest.raises(ValueError, match="three"):
        map_isolated(_raise_on_three, list(range(12)), on_crash=lambda k: -1, workers=2)


def test_a_small_set_runs_in_process_in_order():
    done = []
    assert map_isolated(abs, [-3, 1, -2], on_crash=lambda k: 0, workers=4, progress=lambda d, t: done.append((d, t))) == [3, 1, 2]
    assert done == [(1, 3), (2, 3), (3, 3)]


# -- scan, index add, the HTML report ------------------------------------------------------------


def _read_or_die(path, *args, **kwargs):
    from forensics.read.files import read_file

    if _is_poison(path):
        _die()
    return read_file(path, *args, **kwargs)


@forked
def test_a_crashing_worker_does_not_end_the_scan(tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "_read_file", _read_or_die)  # the reader the pool sends its workers
    report = scan([_folder(tmp_path)], workers=2)
    assert len(report.images) == 9
    (bad,) = report.unreadable
    assert bad.name == "poison.jpg" and bad.error == READ_CRASHED
    assert all(r.hashes is not None for r in report.images if r.name != "poison.jpg")


_read_item = index_module._read_item


def _read_item_or_die(path):
    if _is_poison(path):
        _die()
    return _read_item(path)


@pytest.fixture
def deadly_index_reader(monkeypatch):
    monkeypatch.setattr(index_module, "_read_item", _read_item_or_die)


@forked
def test_a_crashing_worker_does_not_lose_an_index_batch(tmp_path, deadly_index_reader):
    folder = _folder(tmp_path)
    with ReferenceIndex(tmp_path / "refs.db") as index:
        result = index.add([folder], workers=2, batch=3)
        assert result.unreadable == ((str(folder / "poison.jpg"), READ_CRASHED),)
        assert result.added == 8
        stored = sorted(os.path.basename(f["path"]) for f in index.files())
    assert stored == [f"ok{i}.jpg" for i in range(8)]


@forked
def test_index_add_reports_the_file_that_crashed_its_worker(tmp_path, deadly_index_reader):
    folder = _folder(tmp_path)
    db = tmp_path / "refs.db"
    res = CliRunner().invoke(cli, ["index", "add", str(db), str(folder), "-w", "2", "--json", "-q"])
    assert res.exit_code == 1, res.output  # a file could not be read
    assert '"added": 8' in res.output and "poison.jpg" in res.output and READ_CRASHED in res.output
    with ReferenceIndex(db) as index:
        assert len(index.files()) == 8


def _previews_or_die(path, **kwargs):
    from forensics.pixels.preview import previews

    if _is_poison(path):
        _die()
    return previews(path, **kwargs)


@forked
def test_a_crashing_worker_leaves_one_card_without_its_picture(tmp_path, monkeypatch):
    monkeypatch.setattr(html, "previews", _previews_or_die)
    out = tmp_path / "report.html"
    res = CliRunner().invoke(cli, ["scan", str(_folder(tmp_path)), "-w", "2", "--html", str(out), "-q"])
    assert out.is_file(), res.output
    cards = out.read_text(encoding="utf-8").split('<details class="card')[1:]
    assert len(cards) == 9
    (poisoned,) = [c for c in cards if "poison.jpg" in c]
    assert "the picture could not be made" in poisoned and "data:image/jpeg" not in poisoned
    assert all("data:image/jpeg" in c for c in cards if c is not poisoned)


# -- workers end with their parent ---------------------------------------------------------------

_PARENT = """
import multiprocessing, os, sys, time
from forensics.read.pool import map_isolated

def nap(log):
    with open(log, "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(120)

if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[2])
    map_isolated(nap, [sys.argv[1]] * 8, on_crash=lambda log: None, workers=2)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):  # gone, or going while /proc was read
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status waits to be read


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads process states from /proc")
@pytest.mark.parametrize("start", multiprocessing.get_all_start_methods())
def test_workers_die_with_their_parent(tmp_path, start):
    """Killed with SIGKILL, the parent cleans nothing up: the workers must end by themselves."""
    script, log = tmp_path / "parent.py", tmp_path / "pids"
    script.write_text(textwrap.dedent(_PARENT))
    parent = subprocess.Popen([sys.executable, str(script), str(log), start])
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.05)
            pids = [int(line) for line in log.read_text().split()] if log.exists() else []
        assert len(pids) == 2, "the workers did not start"
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in pids), "a worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for p in pids:
            if _alive(p):
                os.kill(p, signal.SIGKILL)


_BLAS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


@pytest.mark.parametrize("given", [None, ("OPENBLAS_NUM_THREADS", "3"), ("OMP_NUM_THREADS", "2")])
def test_workers_run_numpys_blas_on_one_thread_unless_told(given, monkeypatch):
    # a process a core already: BLAS threads in each would only take cores from the others
    for name in _BLAS:
        monkeypatch.delenv(name, raising=False)
    if given is not None:
        monkeypatch.setenv(*given)
    seen = map_isolated(os.getenv, list(_BLAS), on_crash=lambda _: "crashed", workers=1, time_limit=60)
    expected = [given[1] if given and given[0] == name else None for name in _BLAS]
    assert seen == (expected if given else ["1", None, None])  # a user's choice in any of them is kept


def test_the_command_runs_numpys_blas_on_one_thread_unless_told():
    env = {k: v for k, v in os.environ.items() if k not in _BLAS}
    code = "import forensics.cli, sys, os; print('numpy' in sys.modules, os.environ.get('OPENBLAS_NUM_THREADS'))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "1"]  # set before numpy loads, which is when OpenBLAS reads it
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OPENBLAS_NUM_THREADS": "2"}, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "2"]
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OMP_NUM_THREADS": "2"}, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "None"]  # OpenBLAS reads OMP_NUM_THREADS then: left to it
