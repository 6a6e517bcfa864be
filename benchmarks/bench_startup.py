"""Start-up: wall time of fresh processes (best of 5), against the bare interpreter and a bare
``import numpy`` measured in the same run.

Targets (issue 16): ``photosc --help`` <= 0.3 s; start-up to the first computed number
<= 0.5 s. Run: PYTHONPATH=src python benchmarks/bench_startup.py
"""

from __future__ import annotations

import subprocess
import sys
import time

CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import numpy": [sys.executable, "-c", "import numpy"],
    "photosc --help": [sys.executable, "-c", "from photosc.cli import main; main(['--help'])"],
    "first number (bcs.gap)": [
        sys.executable,
        "-c",
        "from photosc.physics import bcs; print(bcs.gap(0.5, 0.01, 0.6))",
    ],
    "first number (model T_c, K)": [
        sys.executable,
        "-c",
        "from photosc import materials; print(materials.load('K3C60').Tc_K)",
    ],
    "refused input (T-K=-5)": [
        sys.executable,
        "-c",
        "from photosc.cli import main; main(['landscape', 'K3C60', '--T-K', '-5'])",
    ],
}


def wall(cmd: list[str], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    times = {name: wall(cmd) for name, cmd in CASES.items()}
    base = times["python -c pass"]
    for name, t in times.items():
        print(f"BENCH startup {name}: {t:.3f} s wall ({t / base:.1f}x the bare interpreter)")


if __name__ == "__main__":
    main()
