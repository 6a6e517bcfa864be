"""The rate-equation run of studies/kinetics.py: the tabulated right-hand side against the
direct one, re-solving a single-point trapped gap (curve rebuilt, as before issue 16) and the
pair rates at every step.

Target (issue 16): >= 50x faster; the #15 reproducer below took 58 s on this machine.
Run: PYTHONPATH=src python benchmarks/bench_kinetics.py
"""

from __future__ import annotations

import time

from photosc import materials
from photosc.physics import bcs, spectra
from photosc.studies import kinetics

#: issue 15's slow case: K3C60 at Z = 1/3.8, T and n* in internal units
CASE = (0.05295569694522352, 8.311411522521457e-08)


def main() -> None:
    model = materials.load("K3C60", Z=1 / 3.8)
    spectrum = spectra.k3c60()
    T, n_star = CASE
    kinetics.relaxation(model, spectrum, T * 1.01, n_star)  # imports and compiled kernels
    start, cpu = time.perf_counter(), time.process_time()
    fast = kinetics.relaxation(model, spectrum, T, n_star)
    t_fast, c_fast = time.perf_counter() - start, time.process_time() - cpu
    size = bcs._CURVE_CACHE_SIZE
    bcs._CURVE_CACHE_SIZE = 0  # the direct run as it was: every call rebuilds its curve
    bcs._CURVE_CACHE.clear()
    try:
        start, cpu = time.perf_counter(), time.process_time()
        slow = kinetics.relaxation(model, spectrum, T, n_star, tabulate=False)
        t_slow, c_slow = time.perf_counter() - start, time.process_time() - cpu
    finally:
        bcs._CURVE_CACHE_SIZE = size
    rel = abs(fast.attrs["half_life"] / slow.attrs["half_life"] - 1)
    print(
        f"  half-life: tabulated {fast.attrs['half_life']:.9g}, direct "
        f"{slow.attrs['half_life']:.9g} (rel diff {rel:.1e}), quadrature "
        f"{fast.attrs['half_life_quadrature']:.9g} (1/omega)"
    )
    print(
        f"BENCH kinetics.relaxation (issue 15 case): tabulated {t_fast:.2f} s wall, "
        f"{c_fast:.2f} s CPU; direct, curve rebuilt per call {t_slow:.2f} s wall, {c_slow:.2f} s "
        f"CPU; ratio {t_slow / t_fast:.0f}x wall, {c_slow / c_fast:.0f}x CPU (target >= 50)"
    )


if __name__ == "__main__":
    main()
