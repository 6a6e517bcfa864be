"""Speed of the BCS core against a plain point-by-point scipy (quad + brentq) reference.

Targets (issue 2): gap on 1e6 (U, T) points <= 2 s on one core and >= 300x the reference per
point; trapped_gap on 1e4 values of n* <= 2 s. Issue 16: a single-point trapped_gap <= 50x its
per-point cost in a batch, critical_temperature <= 2x gap per point, orbit_action without
rebuilding its rule. Run: python benchmarks/bench_bcs.py
"""

from __future__ import annotations

import math
import time

import numpy as np
from _timing import best_time, report
from scipy.integrate import quad
from scipy.optimize import brentq

from photosc.physics import bcs, kramers
from photosc.studies import thermodynamics


def reference_gap(lam_eff: float, T: float) -> float:
    """Thermal gap by brentq on the gap equation, each integral by quad (cutoff 1)."""

    def h(d: float) -> float:
        integrand = lambda xi: math.tanh(math.hypot(xi, d) / (2 * T)) / math.hypot(xi, d)  # noqa: E731
        return quad(integrand, 0, 1, limit=200, epsabs=1e-13, epsrel=1e-12)[0] - 1 / lam_eff

    d0 = 1 / math.sinh(1 / lam_eff)
    return 0.0 if h(1e-12 * d0) <= 0 else brentq(h, 1e-12 * d0, d0, xtol=1e-15, rtol=1e-13)


def reference_trapped_gap(n_star: float, lam_eff: float, T: float, nu: float) -> float:
    """Trapped gap by nested brentq: lam from eq. 11 at each Delta, Delta from eq. 10."""

    def density(d: float, lam: float) -> float:
        f = lambda xi: 1 / (math.exp(min((math.hypot(xi, d) + lam) / T, 700)) + 1)  # noqa: E731
        return 4 * nu * quad(f, 0, 1, limit=200, epsabs=0, epsrel=1e-12)[0]

    def lam_of(d: float) -> float:
        return brentq(lambda lam: density(d, lam) - n_star, -2, 60 * T + 1, xtol=1e-14)

    def h(d: float) -> float:
        lam = lam_of(d)
        g = lambda xi: math.tanh((math.hypot(xi, d) + lam) / (2 * T)) / math.hypot(xi, d)  # noqa: E731
        return quad(g, 0, 1, limit=200, epsrel=1e-12)[0] - 1 / lam_eff

    d0 = 1 / math.sinh(1 / lam_eff)
    return brentq(h, 1e-3 * d0, d0 * (1 - 1e-12), xtol=1e-15)


def main() -> None:
    rng = np.random.default_rng(0)
    n = 10**6
    lam_eff = rng.uniform(0.05, 2.0, n)
    T = rng.uniform(0.0, 3.0, n) * bcs.critical_temperature(lam_eff, 1.0)
    seconds = best_time(lambda: bcs.gap(lam_eff, T, 1.0), repeat=2)
    m = 100
    ref_seconds = best_time(lambda: [reference_gap(lam_eff[i], T[i]) for i in range(m)], repeat=1)
    ours = bcs.gap(lam_eff[:m], T[:m], 1.0)
    ref = np.array([reference_gap(lam_eff[i], T[i]) for i in range(m)])
    sc = ref > 0
    print(
        f"  gap agreement with reference: max rel diff {np.max(np.abs(ours[sc] / ref[sc] - 1)):.1e}"
    )
    report("gap 1e6 (U, T) points", seconds, n, ref_seconds, m)

    lam_eff, nu = 0.3, 0.6
    T = 2.0 * bcs.critical_temperature(lam_eff, 1.0)
    n_star = np.geomspace(1e-10, 0.1, 10**4)
    seconds = best_time(lambda: bcs.trapped_gap(n_star, lam_eff / nu, T, nu))
    pick = n_star[:: 10**4 // 10]
    ref_seconds = best_time(
        lambda: [reference_trapped_gap(x, lam_eff, T, nu) for x in pick], repeat=1
    )
    ours = bcs.trapped_gap(pick, lam_eff / nu, T, nu)[0]
    ref = np.array([reference_trapped_gap(x, lam_eff, T, nu) for x in pick])
    print(f"  trapped gap agreement: max rel diff {np.max(np.abs(ours / ref - 1)):.1e}")
    report("trapped_gap 1e4 n*", seconds, n_star.size, ref_seconds, pick.size)
    single_points(lam_eff, nu, T)
    critical_temperature_vs_gap()
    curve_and_action()


def single_points(lam_eff: float, nu: float, T: float) -> None:
    """200 single-point calls at one (U, T), as a rate-equation run makes them (the first one
    builds the curve), against the per-point cost in a batch of 1000."""
    n_star = np.geomspace(1e-9, 0.05, 200)
    T_new = T * (1 + 1e-12)  # a (U, T) not seen yet, so the first call is cold
    start = time.perf_counter()
    for x in n_star:
        bcs.trapped_gap(x, lam_eff / nu, T_new, nu)
    single = (time.perf_counter() - start) / n_star.size
    batch_n = np.geomspace(1e-9, 0.05, 1000)
    batch = best_time(lambda: bcs.trapped_gap(batch_n, lam_eff / nu, T_new * (1 + 1e-12), nu))
    per_point = batch / batch_n.size
    print(
        f"BENCH trapped_gap single point: {single * 1e3:.3f} ms per call (200 calls at one "
        f"(U, T), the first cold); batch of 1000: {per_point * 1e6:.1f} us/pt; "
        f"ratio {single / per_point:.1f}x (target <= 50)"
    )


def critical_temperature_vs_gap() -> None:
    rng = np.random.default_rng(1)
    n = 10**6
    lam_eff = rng.uniform(0.05, 2.0, n)
    T = rng.uniform(0.0, 3.0, n) * bcs.critical_temperature(lam_eff, 1.0)
    t_gap = best_time(lambda: bcs.gap(lam_eff, T, 1.0), repeat=3)
    t_tc = best_time(lambda: bcs.critical_temperature(lam_eff, 1.0), repeat=3)
    print(
        f"BENCH critical_temperature 1e6 couplings: {t_tc / n * 1e6:.3f} us/pt; gap on 1e6 "
        f"(U, T): {t_gap / n * 1e6:.3f} us/pt; ratio {t_tc / t_gap:.2f}x gap (target <= 2)"
    )


def curve_and_action() -> None:
    """trapped_gap_curve (one solve for the stable gap and every branch) against trapped_gap
    alone, and orbit_action per call on a double well."""
    from photosc import materials

    model = materials.load("K3C60")
    n = np.geomspace(1e-7, 0.05, 400)
    thermodynamics.trapped_gap_curve(model, [model.Tc], n[:3])  # imports, first Dataset
    T = [2.0 * model.Tc * (1 + 1e-11)]
    t_curve = best_time(lambda: thermodynamics.trapped_gap_curve(model, T, n), repeat=1)
    t_alone = best_time(
        lambda: bcs.trapped_gap(n, model.U0, T[0] * (1 + 1e-12), model.nu, model.cutoff),
        repeat=1,
    )
    well = lambda q: 0.5 * q**2 - 0.4 * q**3 + 0.06 * q**4  # noqa: E731
    q_b = (1.2 - math.sqrt(1.2**2 - 4 * 0.24)) / (2 * 0.24)
    q_ms = (1.2 + math.sqrt(1.2**2 - 4 * 0.24)) / (2 * 0.24)
    t_action = best_time(lambda: kramers.orbit_action(well, q_b, q_ms), repeat=20)
    print(
        f"BENCH trapped_gap_curve 400 n*: {t_curve:.3f} s; trapped_gap alone {t_alone:.3f} s; "
        f"ratio {t_curve / t_alone:.2f}x (one solve, plus the Dataset); orbit_action "
        f"{t_action * 1e3:.2f} ms per call"
    )


if __name__ == "__main__":
    main()
