"""Where the one-worker command spends its wall time: a timeline of ``forensics scan``.

Runs ``python -m forensics scan DIR --json -o FILE --quiet --workers 1`` (the
60 JPEGs of ``scan_bench.py`` by default) with an audit hook in every process
that notes, against one clock: the fork of the reading worker, each picture
the worker opens, when the parent imports a few heavy modules, when each
process ends, and each process's CPU time. Prints the fixed cost before the
reading (start to fork), the reading (first file opened to the worker's end)
and the tail (the worker's end to the command's exit)::

    python benchmarks/scan_timeline.py [--runs 3] [DIR]

Run it from the tree to measure (``PYTHONPATH`` selects which ``forensics``).
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

HOOK = r"""
import atexit, os, resource, runpy, sys, time
T0 = time.perf_counter()
LOG = sys.argv.pop(1)
WATCH = {"numpy", "PIL", "exifread", "timezonefinder", "forensics.checks", "forensics.read.files", "forensics.render.json"}
events, seen = [("start", T0)], set()
def hook(name, args):
    if name == "os.fork":
        events.append(("fork", time.perf_counter()))
    elif name == "import" and args and args[0] in WATCH and args[0] not in seen:
        seen.add(args[0]); events.append(("import " + args[0], time.perf_counter()))
    elif name == "open" and args and isinstance(args[0], str) and args[0].upper().endswith((".JPG", ".JPEG")):
        events.append(("picture", time.perf_counter()))
def dump():
    r = resource.getrusage(resource.RUSAGE_SELF)
    with open(f"{LOG}.{os.getpid()}", "w") as f:
        for k, t in events:
            f.write(f"{t!r}\t{k}\n")
        f.write(f"{time.perf_counter()!r}\texit\n{r.ru_utime + r.ru_stime!r}\tcpu\n")
sys.addaudithook(hook)
atexit.register(dump)
_exit = os._exit
def exit_noting(code):  # a forked worker ends with os._exit, past atexit
    dump(); _exit(code)
os._exit = exit_noting
os.register_at_fork(after_in_child=lambda: (events.clear(), seen.clear()))
sys.argv = ["forensics", *sys.argv[1:]]
runpy.run_module("forensics", run_name="__main__", alter_sys=True)
"""


def run(folder: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "events")
        out = os.path.join(tmp, "report.json")
        proc = subprocess.run(
            [sys.executable, "-c", HOOK, log, "scan", folder, "--json", "-o", out, "--quiet", "--workers", "1"],
            stdout=subprocess.DEVNULL,
            cwd=tmp,  # not the current folder: PYTHONPATH (or the install) says which forensics
        )
        if proc.returncode not in (0, 1):
            raise SystemExit(f"the scan failed (exit status {proc.returncode})")
        logs = {}
        for path in glob.glob(log + ".*"):
            rows = [line.rstrip("\n").split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines()]
            logs[int(path.rsplit(".", 1)[1])] = [(float(t), k) for t, k in rows]
    parent = next(rows for rows in logs.values() if rows and rows[0][1] == "start")
    worker = next((rows for rows in logs.values() if rows is not parent), [])
    t0 = parent[0][0]

    def first(rows: list[tuple[float, str]], kind: str) -> float:
        return next((t for t, k in rows if k == kind), float("nan")) - t0

    figures = {
        "fork": first(parent, "fork"),
        "first picture": first(worker, "picture"),
        "worker end": first(worker, "exit"),
        "exit": first(parent, "exit"),
        "parent CPU": next(t for t, k in parent if k == "cpu"),
        "worker CPU": next((t for t, k in worker if k == "cpu"), float("nan")),
    }
    figures.update({k: first(parent, k) for _, k in parent if k.startswith("import ")})
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(HERE / "_data" / "phone12mp"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    for i in range(args.runs):
        f = run(args.folder)
        print(
            f"run {i + 1}: fork {f['fork']:.3f} s, reading {f['first picture']:.3f}–{f['worker end']:.3f} s, "
            f"tail {f['exit'] - f['worker end']:.3f} s, exit {f['exit']:.3f} s; "
            f"CPU parent {f['parent CPU']:.2f} s, worker {f['worker CPU']:.2f} s"
        )
        print("       parent imports: " + ", ".join(f"{k[7:]} {v:.2f}" for k, v in f.items() if k.startswith("import ")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
