"""Benchmarks of issue 10: reading a 10^4-row EPW .a2f file (target <= 0.1 s) against a plain
per-line Python parser, and screening 10 materials (target <= 30 s).

Run: PYTHONPATH=src python benchmarks/bench_screening.py (wall times; on a loaded machine the
CPU time is printed alongside).
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from _timing import best_time, report

from photosc import materials
from photosc.physics.spectra_readers import read_table
from photosc.studies import screening

ROWS, SMEARINGS = 10_000, 10


def write_epw(path: Path) -> Path:
    """An EPW .a2f in the layout of evaluate_a2f_lambda: w, N a2f, N running lambda, footer."""
    w = np.linspace(0.01, 100.0, ROWS)
    a2f = np.stack([(1 + 0.1 * k) * 4e-3 * w**2 * np.exp(-w / 5) for k in range(SMEARINGS)], 1)
    lam = np.cumsum(2 * a2f / w[:, None] * (w[1] - w[0]), axis=0)
    fmt = "%12.7f" * (1 + 2 * SMEARINGS)
    header = f" w[meV] a2f and integrated 2*a2f/w for {SMEARINGS:4d} smearing values"
    footer = "\n".join(
        [
            " Integrated el-ph coupling",
            "  #         " + "".join(f"{v:12.7f}" for v in lam[-1]),
            " Phonon smearing (meV)",
            "  #         " + "".join(f"{0.1 * (k + 1):12.7f}" for k in range(SMEARINGS)),
            "Electron smearing (eV)   0.0500000",
            "Fermi window (eV)   0.4000000",
            "Summed el-ph coupling    0.5000000",
        ]
    )
    np.savetxt(
        path, np.column_stack([w, a2f, lam]), fmt=fmt, header=header, footer=footer, comments=""
    )
    return path


def plain_reader(path: Path) -> np.ndarray:
    """Per-line Python: split every line, float() every token, keep the numeric rows."""
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append([float(t) for t in line.split()])
        except ValueError:
            continue
    return np.array([r for r in rows if len(r) == 1 + 2 * SMEARINGS])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_epw(Path(tmp) / "big.a2f")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = best_time(lambda: read_table(path))
        ref = best_time(lambda: plain_reader(path))
        report("read EPW .a2f (10^4 rows x 21 columns)", ours, 1, ref, 1)
        print(f"  target <= 0.1 s: {'met' if ours <= 0.1 else 'MISSED'} ({ours:.3f} s)")

        # 10 materials: the 7 presets and 3 TOML variants of K3C60 (other Tc)
        names = materials.available()
        base = (Path(materials.__file__).parent / "K3C60.toml").read_text()
        for tc in (20.0, 30.0, 38.0):
            variant = Path(tmp) / f"K3C60-Tc{tc:g}.toml"
            variant.write_text(base.replace("lam_eff = 0.3", f"Tc_K = {tc}"))
            names.append(str(variant))
        assert len(names) == 10
        wall, cpu = time.perf_counter(), time.process_time()
        screening.screen(names, T_K=100.0)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"BENCH screen 10 materials: {wall:.2f} s wall, {cpu:.2f} s CPU; "
            f"target <= 30 s: {'met' if wall <= 30 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
