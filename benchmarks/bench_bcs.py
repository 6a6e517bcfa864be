"""Speed of the BCS core against a plain point-by-point scipy (quad + brentq) reference.

Targets (issue 2): gap on 1e6 (U, T) points <= 2 s on one core and >= 300x the reference per
point; trapped_gap on 1e4 values of n* <= 2 s. Run: python benchmarks/bench_bcs.py
"""

from __future__ import annotations

import math

import numpy as np
from _timing import best_time, report
from scipy.integrate import quad
from scipy.optimize import brentq

from photosc.physics import bcs


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


if __name__ == "__main__":
    main()
