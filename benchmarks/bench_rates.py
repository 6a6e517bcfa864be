"""Benchmark: golden-rule rates over 1000 gaps with a tabulated alpha^2 F, against plain quad.

Run: PYTHONPATH=src python benchmarks/bench_rates.py
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable

import numpy as np
from scipy.integrate import quad
from scipy.special import expit

from photosc.physics import rates, spectra

N = 1000
N_REF = 20
T = 0.05  # ~ 53 K for the 22 THz unit


def tabulated_k3c60(points: int = 100) -> spectra.Tabulated:
    """The K3C60 model resampled on a uniform 100-point table, as a measured alpha^2 F would be."""
    model = spectra.k3c60()
    Omega = np.linspace(0.0, model.omega_max, points)
    return spectra.Tabulated(Omega, model(Omega))


def reference(kind: str, d: float, sp: spectra.Spectrum) -> float:
    """Point-by-point quad with the algebraic edge weight, panel by panel between the knots."""

    def n(W: float) -> float:
        return 1.0 / math.expm1(W / T)

    def g(W: float) -> float:
        if kind == "s":
            occupied = float(expit((W + d) / T))
            return sp(W) * (W * n(W) if W > 0 else T) / math.sqrt(W + 2 * d) * occupied
        if kind == "g":
            return sp(W) * math.sqrt(W) * float(expit((W - d) / T)) * n(W)
        return sp(W) * math.sqrt(W) * float(expit(-(W - d) / T)) * (1 + n(W))

    a = 0.0 if kind == "s" else 2 * d
    edges = sorted({a, sp.omega_max, *(k for k in sp.knots if a < k < sp.omega_max)})
    total = quad(g, edges[0], edges[1], weight="alg", wvar=(-0.5, 0))[0]
    for lo, hi in itertools.pairwise(edges[1:]):
        total += quad(lambda W: g(W) / math.sqrt(W - a), lo, hi)[0]
    return 2 * math.pi * total


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    sp = tabulated_k3c60()
    delta = np.linspace(0.0, 0.15, N)
    fns = {
        "g": rates.generation_rate,
        "s": rates.scattering_rate,
        "r": rates.recombination_rate,
    }
    fns["g"](delta[:10], T, sp)  # warm-up
    t_all, _ = timed(lambda: [f(delta, T, sp) for f in fns.values()])
    subset = delta[N // (2 * N_REF) :: N // N_REF]
    t_ref, ref = timed(lambda: [[reference(k, float(d), sp) for d in subset] for k in fns])
    ours = [f(subset, T, sp) for f in fns.values()]
    err = max(float(np.max(np.abs(o / np.array(r) - 1))) for o, r in zip(ours, ref, strict=True))
    per_ref = t_ref / (3 * len(subset))
    per_ours = t_all / (3 * N)
    print(
        f"BENCH rates (Gamma_g, Gamma_s, Gamma_r; {sp.knots.size}-point table): photosc "
        f"{t_all:.3f} s for {N} deltas x 3 rates; reference {per_ref * 1e3:.2f} ms/pt; "
        f"ratio {per_ref / per_ours:.0f}x per point; max rel. diff {err:.1e}"
    )


if __name__ == "__main__":
    main()
