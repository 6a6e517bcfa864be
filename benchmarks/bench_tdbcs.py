"""Collisionless BCS: photosc's compiled Magnus-4 kernel against a plain numpy RK4 of the same
pseudospin equations, in the same run.

Run: PYTHONPATH=src python benchmarks/bench_tdbcs.py

The problem: 10^4 levels, a sudden quench Delta_i = Delta_f / 2 -> lam_eff = 0.3 (nu = 0.6,
cutoff 1), 10^5 steps of dt = 0.1 (t = 10^4 < the revival time 15708), one core. The numpy
reference (RK4 of ds_k/dt = b_k x s_k with Delta recomputed at every stage) runs 300 steps and is
scaled per level-step; its accuracy at equal dt is also printed (RK4 is not norm-preserving).
"""

from __future__ import annotations

import math
import time

import numpy as np

from photosc.physics import bcs, tdbcs

NU, LAM, LEVELS, STEPS, DT = 0.6, 0.3, 10_000, 100_000, 0.1


def quench_couplings() -> tuple[float, float]:
    U_f = LAM / NU
    U_i = 1.0 / (NU * math.asinh(1.0 / (0.5 * float(bcs.gap(U_f, 0.0, NU)))))
    return U_i, U_f


def numpy_rk4(n_steps: int) -> tuple[np.ndarray, float]:
    """RK4 of the pseudospin equations vectorised over levels; returns |Delta| per step, time."""
    U_i, U_f = quench_couplings()
    xi, w = tdbcs.level_grid(LEVELS)
    d0 = tdbcs.grid_gap(U_i, 0.0, NU, xi, w)
    E = np.sqrt(xi**2 + d0**2)
    s = np.stack([0.5 * d0 / E, np.zeros_like(xi), -0.5 * xi / E])

    def rhs(s: np.ndarray) -> np.ndarray:
        delta = U_f * NU * (np.sum(w * s[0]) - 1j * np.sum(w * s[1]))
        b = np.stack([np.full_like(xi, -2 * delta.real), np.full_like(xi, 2 * delta.imag), 2 * xi])
        return np.cross(b, s, axis=0)

    gaps = np.empty(n_steps)
    start = time.perf_counter()
    for n in range(n_steps):
        k1 = rhs(s)
        k2 = rhs(s + 0.5 * DT * k1)
        k3 = rhs(s + 0.5 * DT * k2)
        k4 = rhs(s + DT * k3)
        s = s + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        gaps[n] = abs(U_f * NU * (np.sum(w * s[0]) - 1j * np.sum(w * s[1])))
    return gaps, time.perf_counter() - start


def main() -> None:
    U = tdbcs.quench(*quench_couplings())
    tdbcs.simulate(U, [10 * DT], NU, n_levels=LEVELS, dt=DT)  # JIT warm-up (cached on disk)
    start, cpu = time.perf_counter(), time.process_time()
    tdbcs.simulate(U, [STEPS * DT], NU, n_levels=LEVELS, dt=DT)
    ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
    ref_steps = 300
    gaps, ref = numpy_rk4(ref_steps)
    t = DT * np.arange(1, ref_steps + 1)
    fine = tdbcs.simulate(U, t, NU, n_levels=LEVELS, dt=DT / 4)["Delta"].values
    coarse = tdbcs.simulate(U, t, NU, n_levels=LEVELS, dt=DT)["Delta"].values
    ns_ours = ours / (LEVELS * STEPS) * 1e9
    ns_ref = ref / (LEVELS * ref_steps) * 1e9
    print(
        f"BENCH tdbcs_magnus4: photosc {ours:.2f} s wall ({ours_cpu:.2f} s CPU) for {LEVELS} "
        f"levels x {STEPS} steps (target <= 10 s); {ns_ours:.2f} ns per level-step"
    )
    print(
        f"BENCH tdbcs_vs_numpy_rk4: photosc {ns_ours:.2f} ns/level-step; reference numpy RK4 "
        f"{ns_ref:.1f} ns/level-step ({ref_steps} steps); ratio {ns_ref / ns_ours:.0f}x; "
        f"max |Delta| error at dt = {DT}: photosc {np.max(np.abs(coarse - fine)):.1e}, "
        f"RK4 {np.max(np.abs(gaps - fine)):.1e}"
    )


if __name__ == "__main__":
    main()
