"""A safeguarded Newton iteration on whole arrays (bisection whenever Newton leaves the bracket)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from photosc._checks import FloatArray

#: fun(x, idx) -> (h, dh/dx) at the points idx of the flattened problem.
Residual = Callable[[FloatArray, np.ndarray], tuple[FloatArray, FloatArray]]


def newton_bracketed(
    fun: Residual,
    lo: FloatArray,
    hi: FloatArray,
    x0: FloatArray,
    *,
    rtol: float = 1e-13,
    atol: FloatArray | float = 0.0,
    htol: FloatArray | float = 0.0,
    maxiter: int = 200,
    what: str = "root",
) -> FloatArray:
    """Roots of h on [lo, hi] for 1-d arrays, with h(lo) > 0 >= h(hi) at every point.

    Newton steps are taken while they stay inside the bracket, bisection otherwise (geometric
    when the bracket does not contain 0 and spans more than a factor 4, so that a bracket over
    many orders of magnitude shrinks in few steps); the bracket shrinks with the sign of h.
    Converges when a step is below rtol*|x| + atol (x is returned if its Newton step leaves the
    bracket by that little) or when |h| <= htol (the residual is at its rounding level).
    Raises RuntimeError naming ``what`` if some point has not converged after ``maxiter`` steps.
    """
    lo, hi, x = (np.array(a, dtype=float) for a in (lo, hi, x0))
    atol, htol = (np.broadcast_to(np.asarray(a, dtype=float), x.shape) for a in (atol, htol))
    active = np.flatnonzero(np.ones(x.shape, dtype=bool))
    for _ in range(maxiter):
        if active.size == 0:
            return x
        xa, la, ha = x[active], lo[active], hi[active]
        h, dh = fun(xa, active)
        if not np.all(np.isfinite(h)):
            i = active[~np.isfinite(h)][0]
            raise RuntimeError(f"{what}: the residual is not finite at x={float(x[i])!r}")
        positive = h > 0
        la = np.where(positive, xa, la)
        ha = np.where(positive, ha, xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = h / dh
        xn = xa - step
        outside = ~((xn > la) & (xn < ha))
        # at a root to tolerance the Newton step can round onto the end of the bracket that
        # x itself just became: x is the root then (bisecting on would throw it away)
        stuck = outside & (np.abs(step) <= rtol * np.abs(xa) + atol[active])
        xn = np.where(outside, _bisect(la, ha), xn)
        tol = rtol * np.abs(xn) + atol[active]
        small = (np.abs(h) <= htol[active]) | stuck
        done = (np.abs(xn - xa) <= tol) & ~outside | (ha - la <= tol) | small
        x[active], lo[active], hi[active] = np.where(small, xa, xn), la, ha
        active = active[~done]
    i = active[0]
    raise RuntimeError(
        f"{what}: safeguarded Newton did not converge in {maxiter} steps at {active.size} "
        f"points (first: x={float(x[i])!r} in [{float(lo[i])!r}, {float(hi[i])!r}])"
    )


def _bisect(lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Midpoint of [lo, hi]; the geometric one where both ends have one sign and differ > 4x."""
    a, b = np.abs(lo), np.abs(hi)
    geometric = (np.sign(lo) == np.sign(hi)) & (np.maximum(a, b) > 4 * np.minimum(a, b))
    return np.where(geometric, np.sign(lo) * np.sqrt(a) * np.sqrt(b), 0.5 * (lo + hi))
