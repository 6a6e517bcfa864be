"""Benchmarks: golden-rule rates for 1000 gaps (tabulated alpha^2 F) and Fig. 4c for 1000 n*.

Each against a plain point-by-point scipy reference (quad, brentq) on a subset, in the same run.

Run: PYTHONPATH=src python benchmarks/bench_rates.py
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import expit

from photosc import materials
from photosc.physics import bcs, rates, spectra
from photosc.units import temperature_from_K

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


def trapped_gap_reference(n_star: float, U0: float, T: float, nu: float) -> float:
    """Eqs. 10-11 by nested brentq on quad integrals: lam(Delta) from eq. 10, then n(Delta) = n*."""
    target = 1 / (nu * U0)

    def gap_integral(d: float, lam: float) -> float:
        return quad(
            lambda xi: math.tanh((math.hypot(xi, d) + lam) / (2 * T)) / math.hypot(xi, d), 0, 1
        )[0]

    def lam_of(d: float) -> float:
        return brentq(lambda lam: gap_integral(d, lam) - target, 0.0, 100 * T + 1.0, xtol=1e-14)

    def density(d: float) -> float:
        lam = lam_of(d)
        return 4 * nu * quad(lambda xi: float(expit(-(math.hypot(xi, d) + lam) / T)), 0, 1)[0]

    superconducting = gap_integral(1e-9, 0.0) > target  # below T_c: the branch ends at Delta_eq
    d_eq = brentq(lambda d: gap_integral(d, 0.0) - target, 1e-9, 1.0) if superconducting else 0.0
    d0 = 1 / math.sinh(1 / (nu * U0))
    return brentq(
        lambda d: density(d) - n_star, d_eq * (1 + 1e-9) + 1e-9, d0 * (1 - 1e-12), xtol=1e-13
    )


def bench_fig4c() -> None:
    model = materials.load("K3C60")
    T = float(temperature_from_K(100.0, model.omega_meV))
    n_normal = float(bcs.quasiparticle_density(0.0, T, model.nu))
    n_star = np.geomspace(1e-6, 0.9, N) * n_normal
    bcs.trapped_gap(n_star[:10], model.U0, T, model.nu)  # warm-up
    t_ours, (delta, _) = timed(lambda: bcs.trapped_gap(n_star, model.U0, T, model.nu))
    subset = np.arange(N // 10, N, N // 5)
    t_ref, ref = timed(
        lambda: [trapped_gap_reference(float(n_star[i]), model.U0, T, model.nu) for i in subset]
    )
    err = float(np.max(np.abs(np.asarray(delta)[subset] / np.array(ref) - 1)))
    per_ref, per_ours = t_ref / subset.size, t_ours / N
    print(
        f"BENCH fig4c (trapped gap, K3C60, 100 K): photosc {t_ours:.3f} s for {N} n*; reference "
        f"{per_ref * 1e3:.1f} ms/pt; ratio {per_ref / per_ours:.0f}x per point; "
        f"max rel. diff {err:.1e}"
    )


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
    bench_fig4c()
