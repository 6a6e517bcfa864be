"""Speed of the metastability phase diagram against the plain scipy script a user would write.

Target (issue 3): a 256 x 256 (dE, nu) diagram with T_B at every metastable point in <= 60 s
wall on 2 cores. The reference (issue 16: the best plain script, not a yes/no bisection) solves
for T_B directly: T_B is the fold where the largest force -dF/dQ beyond the barrier falls to
zero, so brentq in T on g(T) = max_Q f(Q, T), the maximum by a coarse Q grid and a bounded Brent
search, the gap by brentq on the gap equation integrated by quad at every Q.
Run: PYTHONPATH=src python benchmarks/bench_landscape.py
"""

from __future__ import annotations

import math
import time

import dask
import numpy as np
from _timing import report
from scipy.integrate import quad
from scipy.optimize import brentq, minimize_scalar

from photosc.physics.pairing import attraction, attraction_slope
from photosc.studies.phase_diagram import phase_diagram

G, LAM_EFF = 0.6, 0.3
Q_COARSE = np.linspace(0.01, 3.0, 40)
#: dE rows per dask task: 32 gave 1.72x on 2 threads for this diagram, 16 gave 1.39x.
CHUNK = 32


def reference_gap(U: float, T: float, nu: float) -> float:
    """Thermal gap by brentq on the gap equation, each integral by quad (cutoff 1)."""

    def h(d: float) -> float:
        E = lambda xi: math.hypot(xi, d)  # noqa: E731
        f = (lambda xi: 1 / E(xi)) if T == 0 else (lambda xi: math.tanh(E(xi) / (2 * T)) / E(xi))
        return quad(f, 0, 1, limit=200, epsabs=1e-13, epsrel=1e-12)[0] - 1 / (nu * U)

    d0 = 1 / math.sinh(1 / (nu * U))
    if h(1e-12 * d0) <= 0:
        return 0.0
    if h(d0) >= 0:  # T << Delta0: the T = 0 gap within rounding
        return d0
    return brentq(h, 1e-12 * d0, d0, xtol=1e-15, rtol=1e-13)


def reference_force(Q: float, T: float, dE: float, nu: float) -> float:
    """f(Q) = -Q + Delta^2 U'/U^2 (eqs. 5-7, M = omega = 1)."""
    U = float(attraction(Q, dE, G, LAM_EFF / nu))
    return -Q + reference_gap(U, T, nu) ** 2 / U**2 * float(attraction_slope(Q, dE, G))


def reference_fold(dE: float, nu: float, T: float) -> float:
    """max_Q f(Q, T): > 0 while a barrier and a metastable minimum exist."""
    f = [reference_force(q, T, dE, nu) for q in Q_COARSE]
    k = int(np.argmax(f))
    lo, hi = Q_COARSE[max(k - 1, 0)], Q_COARSE[min(k + 1, Q_COARSE.size - 1)]
    best = minimize_scalar(
        lambda q: -reference_force(q, T, dE, nu),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return max(-float(best.fun), f[k])


def reference_untrapping(dE: float, nu: float) -> float:
    """T_B by brentq on the fold condition max_Q f = 0 (nan if no minimum at T = 0)."""
    if reference_fold(dE, nu, 0.0) <= 0:
        return float("nan")
    return brentq(lambda T: reference_fold(dE, nu, T), 0.0, 2.0, xtol=1e-12, rtol=1e-10)


def main() -> None:
    n = 256
    dE, nu = np.linspace(0.2, 3.0, n), np.linspace(0.3, 5.0, n)
    print(f"  {n}x{n} diagram ...", flush=True)
    start = time.perf_counter()
    lazy = phase_diagram(dE, nu, g=G, lam_eff=LAM_EFF, chunks={"dE": CHUNK})
    with dask.config.set(scheduler="threads", num_workers=2):
        ds = lazy.compute()
    seconds = time.perf_counter() - start
    print(f"  done in {seconds:.1f} s; reference on 4 points ...", flush=True)
    kinds = np.bincount(ds["kind"].values.ravel(), minlength=3)
    print(
        f"  {n}x{n} diagram: {kinds[0]} none, {kinds[1]} type I, {kinds[2]} type II; "
        f"T_B at {int(np.isfinite(ds['T_B']).sum())} points, "
        f"first-order T at {int(np.isfinite(ds['T_first_order']).sum())}"
    )
    # reference on a few grid points: two metastable (T_B by brentq on the fold), two not
    picks = [(40, 200), (120, 230), (200, 40), (30, 20)]
    ref_start = time.perf_counter()
    ref = [reference_untrapping(dE[i], nu[j]) for i, j in picks]
    ref_seconds = time.perf_counter() - ref_start
    for (i, j), t_ref in zip(picks, ref, strict=True):
        ours = float(ds["T_B"][i, j])
        diff = abs(ours / t_ref - 1) if np.isfinite(t_ref) else float("nan")
        print(
            f"  dE={dE[i]:.3f} nu={nu[j]:.3f}: T_B photosc {ours:.8g}, reference {t_ref:.8g} "
            f"(rel diff {diff:.1e})"
        )
    report(f"phase diagram {n}x{n} (2 threads)", seconds, n * n, ref_seconds, len(picks))
    print(f"  target: <= 60 s wall on 2 cores; measured {seconds:.1f} s")


if __name__ == "__main__":
    main()
