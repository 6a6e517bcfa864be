"""Fixed-order quadratures for the BCS integrals, vectorised over arrays of (Delta, T, lam).

Two rules, both checked against mpmath to ~1e-13 relative in ``tests/test_bcs.py``:

* ``thermal``: integrals over xi of functions of E^2 = xi^2 + Delta^2 that are even and analytic
  in E (tanh(E/2T)/E, log cosh(E/2T)). Their poles lie at distance >= pi T from the real xi axis,
  and they become elementary beyond xi = 40 T, so two Gauss-Legendre panels on [0, 8T] and
  [8T, 40T] (16 nodes each) plus an analytic tail reach machine precision.
* ``fermi``: integrals containing the Fermi function f((E + lam)/T), written with xi = Delta sinh u
  (so dxi/E = du). Panels are the union of a grid uniform in u (spacing <= 1.2) and a grid uniform
  in x = (E + lam)/T over the window where f varies (width <= 3 in x; the poles of f lie at
  distance pi), 8 Gauss-Legendre nodes each.
"""

from __future__ import annotations

import numpy as np

from photosc._checks import FloatArray

#: Beyond E + lam = X_MAX * T the Fermi factor is below e^-40.
X_MAX = 40.0

_GL16 = np.polynomial.legendre.leggauss(16)
_GL8 = np.polynomial.legendre.leggauss(8)
_THERMAL_EDGES = np.array([0.0, 0.2, 1.0])


def _thermal_rule() -> tuple[FloatArray, FloatArray]:
    x, w = _GL16
    a, b = _THERMAL_EDGES[:-1, None], _THERMAL_EDGES[1:, None]
    return (((a + b) + (b - a) * x) / 2).ravel(), ((b - a) * w / 2).ravel()


#: Nodes and weights of the thermal rule as fractions of xi_f = min(cutoff, 40 T).
THERMAL_FRAC, THERMAL_WFRAC = _thermal_rule()


def thermal_nodes(T: FloatArray, cutoff: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Nodes xi (..., 32), weights (..., 32) on [0, xi_f] and xi_f = min(cutoff, 40 T)."""
    xi_f = np.minimum(cutoff, X_MAX * T)
    return xi_f[..., None] * THERMAL_FRAC, xi_f[..., None] * THERMAL_WFRAC, xi_f


def fermi_nodes(
    delta: FloatArray, T: FloatArray, lam: FloatArray, cutoff: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Nodes u (..., N) and weights on [0, U], U = asinh(cutoff / delta), for Fermi integrals.

    Returns (u, w, U). Requires delta > 0 and T > 0.
    """
    U = np.arcsinh(cutoff / delta)
    x0 = (delta + lam) / T
    xc = (np.sqrt(cutoff**2 + delta**2) + lam) / T
    lo = np.clip(x0, -X_MAX, None)
    hi = np.clip(np.maximum(x0, 0.0) + X_MAX, None, xc)
    hi = np.maximum(hi, lo)
    grid_x = lo[..., None] + (hi - lo)[..., None] * np.linspace(0.0, 1.0, 25)
    u_x = np.arccosh(np.clip((T[..., None] * grid_x - lam[..., None]) / delta[..., None], 1, None))
    u_x = np.minimum(u_x, U[..., None])
    u_u = U[..., None] * np.linspace(0.0, 1.0, 13)
    edges = np.sort(np.concatenate([u_x, u_u], axis=-1), axis=-1)
    a, b = edges[..., :-1, None], edges[..., 1:, None]
    x, w = _GL8
    u = (a + b) / 2 + (b - a) / 2 * x
    wu = (b - a) / 2 * w
    shape = (*u.shape[:-2], -1)
    return u.reshape(shape), np.broadcast_to(wu, u.shape).reshape(shape), U
