"""Compiled fast path of the thermal gap: tabulated start plus one Newton step per point.

numba fuses the 32-node quadrature of ``_quadrature.thermal_nodes`` into one loop per point;
``benchmarks/bench_bcs.py`` measures it against the numpy version of the same algorithm.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from photosc._checks import FloatArray

#: status codes written by ``thermal_gap_kernel``
DONE, SLOW = 0, 1


@numba.njit(cache=True, inline="always")
def _lagrange4(table: np.ndarray, x: float) -> tuple[int, float, float, float, float]:
    """Index i0 and weights of 4-point Lagrange interpolation at grid coordinate x."""
    n = table.shape[0]
    i = min(max(math.floor(x) - 1, 0), n - 4)
    u = x - i
    w0 = -(u - 1) * (u - 2) * (u - 3) / 6
    w1 = u * (u - 2) * (u - 3) / 2
    w2 = -u * (u - 1) * (u - 3) / 2
    w3 = u * (u - 1) * (u - 2) / 6
    return i, w0, w1, w2, w3


@numba.njit(cache=True, inline="always")
def _table_tc(
    lam_eff: float, c: float, z_max: float, rho: FloatArray
) -> tuple[float, float, float]:
    """(1/lam_eff, z = exp(-1/lam_eff), T_c) with T_c from the table rho = T_c/(cutoff z) on a
    uniform z grid over [0, z_max]; T_c = -1 where z lies beyond the table."""
    target = 1.0 / lam_eff
    z = math.exp(-target)
    if z > z_max:
        return target, z, -1.0
    i, w0, w1, w2, w3 = _lagrange4(rho, z / (z_max / (rho.shape[0] - 1)))
    return target, z, c * z * (w0 * rho[i] + w1 * rho[i + 1] + w2 * rho[i + 2] + w3 * rho[i + 3])


@numba.njit(cache=True, fastmath=True)
def thermal_gap_kernel(
    lam_eff: FloatArray,
    T: FloatArray,
    c: FloatArray,
    z_max: float,
    rho: FloatArray,
    h2: FloatArray,
    frac: FloatArray,
    wfrac: FloatArray,
    margin: float,
    out: FloatArray,
    status: np.ndarray,
) -> None:
    """Gap at each point from the tables (rho = T_c/(cutoff z) on a uniform z grid over
    [0, z_max]; h2 = Delta^2/(Delta0^2 (1 - t)) on a uniform (z, t) grid over [0, z_max] x
    [0, 1]) and one Newton step; status SLOW where the bracketed solver must decide."""
    hz_h2 = z_max / (h2.shape[0] - 1)
    ht = 1.0 / (h2.shape[1] - 1)
    for p in range(lam_eff.size):
        target, z, tc = _table_tc(lam_eff[p], c[p], z_max, rho)
        status[p] = SLOW
        if tc < 0.0:
            continue
        Tp = T[p]
        t = Tp / tc
        d0 = c[p] / math.sinh(target)
        if t >= 1.0 + margin:
            out[p], status[p] = 0.0, DONE
            continue
        if Tp <= d0 / 50:
            out[p], status[p] = d0, DONE
            continue
        if t > 1.0 - margin:
            continue
        i, a0, a1, a2, a3 = _lagrange4(h2, z / hz_h2)
        j, b0, b1, b2, b3 = _lagrange4(h2[0], t / ht)
        h = 0.0
        for di, a in ((0, a0), (1, a1), (2, a2), (3, a3)):
            row = h2[i + di]
            h += a * (b0 * row[j] + b1 * row[j + 1] + b2 * row[j + 2] + b3 * row[j + 3])
        s = d0 * d0 * (1.0 - t) * h
        # one Newton step on I(s) = 1/lam_eff with the quadrature of thermal_nodes
        xi_f = min(c[p], 40.0 * Tp)
        I = 0.0
        dI = 0.0
        for k in range(frac.size):
            xi = xi_f * frac[k]
            e2 = xi * xi + s
            e = math.sqrt(e2)
            x = math.exp(-e / Tp)  # tanh(E/2T) = (1 - x)/(1 + x), cheaper than math.tanh
            th = (1.0 - x) / (1.0 + x)
            w = xi_f * wfrac[k]
            I += w * th / e
            dI += w * ((1.0 - th * th) / (2.0 * Tp) - th / e) / (2.0 * e2)
        e_c = math.sqrt(c[p] ** 2 + s)
        e_f = math.sqrt(xi_f * xi_f + s)
        I += math.log((c[p] + e_c) / (xi_f + e_f))
        dI += 0.5 / (e_c * (c[p] + e_c)) - 0.5 / (e_f * (xi_f + e_f))
        s_new = s - (I - target) / dI
        if abs(s_new - s) <= 1e-7 * s:
            out[p], status[p] = min(math.sqrt(s_new), d0), DONE


@numba.njit(cache=True)
def critical_temperature_kernel(
    lam_eff: FloatArray,
    c: FloatArray,
    z_max: float,
    rho: FloatArray,
    frac: FloatArray,
    wfrac: FloatArray,
    out: FloatArray,
    status: np.ndarray,
) -> None:
    """T_c at each point from the table rho = T_c/(cutoff z) (uniform z grid over [0, z_max])
    and one Newton step in t = ln y, y = cutoff/2T_c, on G(y) = 1/lam_eff (G as in
    ``bcs._critical_temperature``, with the quadrature of thermal_nodes); status SLOW where
    the step is not tiny or the point lies outside the table."""
    for p in range(lam_eff.size):
        target, _, tc = _table_tc(lam_eff[p], c[p], z_max, rho)
        status[p] = SLOW
        if tc < 0.0:
            continue
        xi_f = min(c[p], 40.0 * tc)
        G = math.log(c[p] / xi_f)
        for k in range(frac.size):
            xi = xi_f * frac[k]
            x = math.exp(-xi / tc)
            G += xi_f * wfrac[k] * (1.0 - x) / ((1.0 + x) * xi)
        y = c[p] / (2.0 * tc)
        step = (target - G) / math.tanh(y)
        if abs(step) <= 1e-6:
            out[p], status[p] = c[p] / (2.0 * math.exp(math.log(y) + step)), DONE
