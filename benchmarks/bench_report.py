"""The main job, ``photosc report K3C60``: wall time in one process and in worker processes, and
its memory, sampled every 0.1 s over the whole process tree.

Targets (issue 16): <= 10 s wall with a warm cache on this 2-core machine; peak RSS <= 400 MiB.
Memory is stated both ways: the largest RSS of any one process, and the total PSS of the tree
(shared pages counted once: what the report costs the machine). A first run warms the caches.

Run: PYTHONPATH=src python benchmarks/bench_report.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

MIB = 2.0**20


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def run(jobs: int, out: Path) -> tuple[float, float, float]:
    """(wall s, largest RSS of one process MiB, largest total PSS MiB) of one report."""
    cmd = [sys.executable, "-c", "from photosc.cli import main; main()", "report", "K3C60"]
    start = time.perf_counter()
    proc = psutil.Popen([*cmd, "--out", str(out), "--jobs", str(jobs)], stdout=subprocess.DEVNULL)
    rss = pss = 0.0
    while proc.poll() is None:
        total = 0.0
        for p in _tree(proc):
            try:
                info = p.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            rss, total = max(rss, info.rss / MIB), total + info.pss / MIB
        pss = max(pss, total)
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"photosc report failed with exit code {proc.returncode}")
    return wall, rss, pss


def main() -> None:
    cores = len(psutil.Process().cpu_affinity() or [1])
    with tempfile.TemporaryDirectory() as tmp:
        run(cores, Path(tmp) / "warm")
        one = run(1, Path(tmp) / "one")
        many = run(cores, Path(tmp) / "many")
    for jobs, (wall, rss, pss) in ((1, one), (cores, many)):
        print(
            f"BENCH report K3C60 --jobs {jobs}: {wall:.1f} s wall (target <= 10); largest process "
            f"RSS {rss:.0f} MiB (target <= 400), total PSS {pss:.0f} MiB"
        )
    print(f"BENCH report speed-up on {cores} cores: {one[0] / many[0]:.2f}x")


if __name__ == "__main__":
    main()
