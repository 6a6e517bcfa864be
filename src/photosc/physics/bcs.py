"""BCS thermodynamics with a cutoff: gap, T_c, free energy (eq. 7), quasi-particle density
(eq. 11) and the quasi-particle-trapped gap at fixed quasi-particle density (eqs. 9-11).

Internal units: energies (U, Delta, T, lam, cutoff) in hbar*omega, nu = nu(0)*omega per spin per
site, densities per site. Every function broadcasts its arguments like a numpy ufunc and returns
a Python float for scalar input.

Accuracy: Delta, T_c, F and n agree with mpmath references to <= 1e-9 relative (observed
~1e-13) for lam_eff = nu U in [0.05, 2], T in [0, 3 T_c], |lam| <= 50 T and Delta/cutoff
down to 1e-6; see ``tests/test_bcs.py``. The quadratures are described in ``_quadrature``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, spence

from photosc._checks import MAX_GAP, FloatArray, broadcast, checked, output
from photosc.physics._gap_kernel import SLOW, thermal_gap_kernel
from photosc.physics._quadrature import THERMAL_FRAC, THERMAL_WFRAC, fermi_nodes, thermal_nodes
from photosc.physics._solve import newton_bracketed

_BLOCK = 4096  # points per block on the hot path: keeps the (points x nodes) arrays in cache
_ROUNDING = 1e-14  # relative rounding level of the quadratures: residuals below it are zero
_T_ZERO = 1e-140  # temperatures below are exactly zero for every quantity here
_MIN_COUPLING = 1 / 300  # weaker: Delta0, T_c ~ e^(-1/(nu U)) below 1e-130, no longer resolvable
_TC_MARGIN = 1e-9  # relative distance to the tabulated T_c within which the full solver decides


def _coupling(U: FloatArray, nu: FloatArray) -> FloatArray:
    """lam_eff = nu U, refused below 1/300 where Delta0 ~ e^(-1/lam_eff) leaves double range."""
    lam_eff = nu * U
    weak = lam_eff < _MIN_COUPLING
    if np.any(weak):
        value = float(np.broadcast_to(lam_eff, weak.shape)[weak].flat[0])
        raise ValueError(f"U*nu must be >= 1/300 (gaps below 1e-130), got U*nu={value!r}")
    return lam_eff


def _temperature(T: ArrayLike) -> FloatArray:
    """Validated T >= 0, with T below _T_ZERO set to 0: with gaps of at least 1e-130 (see
    _coupling) every thermal factor e^(-E/T) is zero there, and the quadratures would underflow."""
    T = checked("T", T, nonnegative=True)
    return np.where(T < _T_ZERO, 0.0, T)


# --- the gap integral I(Delta, T, lam) = int_0^c dxi tanh((E + lam)/2T) / E ------------------


def _thermal_integral(s: FloatArray, T: FloatArray, c: FloatArray) -> tuple[FloatArray, FloatArray]:
    """I(Delta, T, 0) and dI/ds as functions of s = Delta^2, for T > 0 (Delta = 0 allowed)."""
    xi, w, xi_f = thermal_nodes(T, c)
    E2 = xi**2 + s[..., None]
    E = np.sqrt(E2)
    with np.errstate(over="ignore"):  # E/2T = inf for T -> 0: tanh = 1, as it should
        t = np.tanh(E / (2 * T[..., None]))
    I_nodes = np.sum(w * t / E, axis=-1)
    dI_nodes = np.sum(w * ((1 - t * t) / (2 * T[..., None]) - t / E) / (2 * E2), axis=-1)
    E_c, E_f = np.sqrt(c**2 + s), np.sqrt(xi_f**2 + s)
    tail = np.log((c + E_c) / (xi_f + E_f))  # = asinh(c/Delta) - asinh(xi_f/Delta)
    dtail = 0.5 / (E_c * (c + E_c)) - 0.5 / (E_f * (xi_f + E_f))
    return I_nodes + tail, dI_nodes + dtail


def _fermi_moments(
    delta: FloatArray, T: FloatArray, lam: FloatArray, c: FloatArray, *, with_log: bool = False
) -> dict[str, FloatArray]:
    """Integrals over u (xi = Delta sinh u) of f, cosh(u) f, f(1-f)/T, ... for Delta, T > 0.

    f = f((E + lam)/T) with E = Delta cosh u; ``with_log`` adds L = int cosh(u) ln(1 + e^-x).
    """
    u, w, U = fermi_nodes(delta, T, lam, c)
    cu = np.cosh(u)
    x = (delta[..., None] * cu + lam[..., None]) / T[..., None]
    ex = np.exp(-np.abs(x))
    f = np.where(x >= 0, ex, 1.0) / (1 + ex)
    g = ex / ((1 + ex) ** 2 * T[..., None])  # f(1 - f) / T = -df/dlam
    wc = w * cu
    E_c = np.sqrt(c**2 + delta**2)
    m = {
        "U": U,
        "E_c": E_c,
        "f_c": expit(-(E_c + lam) / T),
        "A0": np.sum(w * f, axis=-1),
        "A1": np.sum(wc * f, axis=-1),
        "B0": np.sum(w * g, axis=-1),
        "B1": np.sum(wc * g, axis=-1),
        "B2": np.sum(wc * cu * g, axis=-1),
    }
    if with_log:
        m["L"] = np.sum(wc * (np.maximum(-x, 0) + np.log1p(ex)), axis=-1)
    return m


def _general_integral(
    delta: FloatArray, T: FloatArray, lam: FloatArray, c: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """I(Delta, T, lam) and dI/dDelta for Delta > 0 (T = 0 handled exactly)."""
    E_c = np.sqrt(c**2 + delta**2)
    U = np.arcsinh(c / delta)
    dU = -c / (delta * E_c)
    # T = 0: tanh -> sign(E + lam); states below E = -lam count -1.
    xi_l = np.sqrt(np.clip(lam**2 - delta**2, 0, None)) * (lam < -delta)
    xi_l = np.minimum(xi_l, c)
    I0 = U - 2 * np.arcsinh(xi_l / delta)
    with np.errstate(invalid="ignore", divide="ignore"):  # xi_l = 0: no occupied states
        dI0 = dU + np.where(xi_l > 0, 2 * xi_l / (delta * np.sqrt(xi_l**2 + delta**2)), 0.0)
    hot = T > 0
    if not np.any(hot):
        return I0, dI0
    m = _fermi_moments(delta[hot], T[hot], lam[hot], c[hot])
    I0[hot] = m["U"] - 2 * m["A0"]
    dI0[hot] = 2 * m["B1"] + (1 - 2 * m["f_c"]) * dU[hot]
    return I0, dI0


def thermal_gap_integral(
    delta: FloatArray, T: FloatArray, c: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """I(Delta, T, lam = 0) of eq. 10 (dimensionless) and dI/dDelta (1/(hbar*omega)) for 1-d
    float arrays (Delta, T, cutoff in hbar*omega), WITHOUT validation: the kernel of
    ``gap_integral`` for other physics modules' hot paths; call ``gap_integral`` otherwise.
    T = 0 (or below 1e-140) is exact, I = asinh(cutoff/Delta), and needs Delta > 0."""
    hot = T >= _T_ZERO
    d = np.where(hot, 1.0, delta)
    I = np.arcsinh(c / d)
    dI = -c / (d * np.sqrt(c**2 + d**2))
    if np.any(hot):
        I[hot], dI_ds = _thermal_integral(delta[hot] ** 2, T[hot], c[hot])
        dI[hot] = 2 * delta[hot] * dI_ds
    return I, dI


def gap_integral(
    delta: ArrayLike, T: ArrayLike, cutoff: ArrayLike = 1.0, lam: ArrayLike = 0.0
) -> Any:
    """I = int_0^cutoff dxi tanh((E + lam)/2T) / E, E = sqrt(xi^2 + Delta^2) (eq. 10 of the paper).

    The gap equation is I = 1/(nu U). Delta, T, lam, cutoff in hbar*omega; I is dimensionless.
    Delta = 0 is allowed when T > 0 and lam = 0; Delta > 0 otherwise.
    """
    return output(_integral_and_slope(delta, T, cutoff, lam)[0])


def gap_integral_ddelta(
    delta: ArrayLike, T: ArrayLike, cutoff: ArrayLike = 1.0, lam: ArrayLike = 0.0
) -> Any:
    """dI/dDelta of ``gap_integral`` (eq. 10 of the paper; negative for lam >= 0), in
    1/(hbar*omega)."""
    return output(_integral_and_slope(delta, T, cutoff, lam)[1])


def _integral_and_slope(
    delta: ArrayLike, T: ArrayLike, cutoff: ArrayLike, lam: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    d, t, c, lm = broadcast(
        delta=checked("delta", delta, nonnegative=True, at_most=MAX_GAP),
        T=_temperature(T),
        cutoff=checked("cutoff", cutoff, positive=True),
        lam=checked("lam", lam),
    )
    if np.any((d == 0) & ((t == 0) | (lm != 0))):
        raise ValueError("delta must be > 0 where T = 0 or lam != 0 (the integral diverges)")
    shape = d.shape
    d, t, c, lm = (np.array(a, dtype=float).ravel() for a in (d, t, c, lm))
    thermal = lm == 0
    I, dI = np.empty(d.shape), np.empty(d.shape)
    I[thermal], dI[thermal] = thermal_gap_integral(d[thermal], t[thermal], c[thermal])
    rest = ~thermal
    if np.any(rest):
        I[rest], dI[rest] = _general_integral(d[rest], t[rest], lm[rest], c[rest])
    return I.reshape(shape), dI.reshape(shape)


# --- gap and critical temperature ------------------------------------------------------------


def _zero_temperature_gap(lam_eff: FloatArray, c: FloatArray) -> FloatArray:
    return c / np.sinh(1.0 / lam_eff)


def _in_blocks(fn: Callable[..., FloatArray], *arrays: FloatArray) -> FloatArray:
    """fn applied to consecutive blocks of 1-d arrays (keeps points x nodes arrays in cache)."""
    out = np.empty(arrays[0].shape)
    for start in range(0, out.size, _BLOCK):
        sl = slice(start, start + _BLOCK)
        out[sl] = fn(*(a[sl] for a in arrays))
    return out


def _thermal_gap(lam_eff: FloatArray, T: FloatArray, c: FloatArray) -> FloatArray:
    """Thermal (lam = 0) gap for 1-d arrays, by safeguarded Newton in s = Delta^2."""
    target = 1.0 / lam_eff
    out = _zero_temperature_gap(lam_eff, c)
    hot = np.flatnonzero(T > out / 50)  # below, Delta = Delta0 to O(e^-50)
    tg, tt, cc, s0 = target[hot], T[hot], c[hot], out[hot] ** 2
    I_zero, dI_zero = _thermal_integral(np.zeros_like(tt), tt, cc)
    sc = I_zero > tg
    out[hot[~sc]] = 0.0
    hot, tg, tt, cc, s0 = hot[sc], tg[sc], tt[sc], cc[sc], s0[sc]
    I_top, dI_top = _thermal_integral(s0, tt, cc)
    # Both Newton steps (from s = 0 and from s = Delta0^2) undershoot: I is convex in s.
    s_start = np.maximum((I_zero[sc] - tg) / -dI_zero[sc], s0 - np.minimum(I_top - tg, 0) / dI_top)

    def residual(s: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
        I, dI = _thermal_integral(s, tt[i], cc[i])
        return I - tg[i], dI

    s = newton_bracketed(
        residual,
        np.zeros_like(s0),
        s0,
        np.clip(s_start, 0, s0),
        rtol=1e-14,
        htol=_ROUNDING * tg,
        what="gap",
    )
    out[hot] = np.sqrt(s)
    return out


# Delta/cutoff depends only on lam_eff and T/cutoff. With z = exp(-1/lam_eff) and t = T/T_c,
# T_c/(cutoff z) and h2 = Delta^2 / (Delta0^2 (1 - t)) are smooth on [0, z_max] x [0, 1] (h2 is
# analytic through T_c, where Delta^2 is linear in T_c - T), so tables of them interpolated at
# fourth order give a start within ~1e-8 and a single Newton step finishes the job. Points
# where that step is not tiny, within 1e-9 of T_c, or outside the table go to ``_thermal_gap``.
_Z_MAX = math.exp(-1 / 2.5)


@functools.cache
def _gap_tables() -> tuple[FloatArray, FloatArray]:
    """T_c/z on 1537 and h2 on 97 x 385 uniform points of [0, z_max] (x [0, 1]), cutoff 1."""
    z_fine = np.linspace(0.0, _Z_MAX, 1537)
    z_fine[0] = math.exp(-60.0)  # lam_eff = 1/60: the weak-coupling limit to double precision
    Tc_fine = _critical_temperature(-1 / np.log(z_fine), np.ones_like(z_fine))
    z, Tc = z_fine[::16], Tc_fine[::16]
    lam_eff, ones = -1 / np.log(z), np.ones_like(z)
    d0 = _zero_temperature_gap(lam_eff, ones)
    t = np.linspace(0.0, 1.0, 385)[:-1]
    lam_g, Tc_g, d0_g = (np.repeat(a, t.size) for a in (lam_eff, Tc, d0))
    t_g = np.tile(t, z.size)
    gaps = _in_blocks(_thermal_gap, lam_g, Tc_g * t_g, np.ones_like(t_g))
    h2 = ((gaps / d0_g) ** 2 / (1 - t_g)).reshape(z.size, t.size)
    # at T_c: Delta^2 / (1 - t) -> T_c |dI/dT| / |dI/ds| = tanh(1/2T_c) / |dI/ds|
    slope = _thermal_integral(np.zeros_like(Tc), Tc, ones)[1]
    h2_tc = np.tanh(1 / (2 * Tc)) / -slope / d0**2
    return Tc_fine / z_fine, np.concatenate([h2, h2_tc[:, None]], axis=1)


def _thermal_gap_tabulated(lam_eff: FloatArray, T: FloatArray, c: FloatArray) -> FloatArray:
    """Thermal gap for 1-d arrays: compiled table start + one Newton step, else ``_thermal_gap``."""
    rho, h2 = _gap_tables()
    out = np.empty(lam_eff.shape)
    status = np.empty(lam_eff.shape, dtype=np.int8)
    thermal_gap_kernel(
        lam_eff, T, c, _Z_MAX, rho, h2, THERMAL_FRAC, THERMAL_WFRAC, _TC_MARGIN, out, status
    )
    slow = status == SLOW
    if np.any(slow):
        out[slow] = _in_blocks(_thermal_gap, lam_eff[slow], T[slow], c[slow])
    return out


def _largest_root_gap(
    lam_eff: FloatArray, T: FloatArray, c: FloatArray, lam: FloatArray
) -> FloatArray:
    """Largest Delta solving I(Delta, T, lam) = 1/lam_eff (lam != 0: I may be non-monotonic)."""
    target = 1.0 / lam_eff
    d0 = _zero_temperature_gap(lam_eff, c)
    frac = np.geomspace(1e-8, 1.0, 97)
    grid = d0[:, None] * frac
    shape = grid.shape
    h = (
        _general_integral(
            grid.ravel(),
            np.repeat(T, frac.size),
            np.repeat(lam, frac.size),
            np.repeat(c, frac.size),
        )[0].reshape(shape)
        - target[:, None]
    )
    crossing = (h[:, :-1] > 0) & (h[:, 1:] <= 0)
    has = crossing.any(axis=1)
    j = shape[1] - 2 - np.argmax(crossing[:, ::-1], axis=1)
    out = np.zeros_like(T)
    k = np.flatnonzero(has)
    if k.size == 0:
        return out

    def residual(x: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
        idx = k[i]
        I, dI = _general_integral(x, T[idx], lam[idx], c[idx])
        return I - target[idx], dI

    lo, hi = grid[k, j[k]], grid[k, j[k] + 1]
    out[k] = newton_bracketed(residual, lo, hi, 0.5 * (lo + hi), rtol=1e-14, what="gap")
    return out


def gap(
    U: ArrayLike, T: ArrayLike, nu: ArrayLike, cutoff: ArrayLike = 1.0, lam: ArrayLike = 0.0
) -> Any:
    """Superconducting gap Delta >= 0 solving 1/(nu U) = int_0^cutoff dxi tanh((E+lam)/2T)/E.

    Eq. 10 of the paper (lam = 0: the thermal BCS gap equation behind eq. 7). U, T, cutoff, lam
    in hbar*omega, nu = nu(0)*omega. Returns Delta in hbar*omega; 0 where only the normal
    solution exists. T = 0 is exact: Delta0 = cutoff / sinh(1/(nu U)). For lam < 0 the gap
    equation can have several solutions; the largest is returned.
    """
    U = checked("U", U, positive=True)
    T = _temperature(T)
    nu = checked("nu", nu, positive=True)
    c = checked("cutoff", cutoff, positive=True)
    lam = checked("lam", lam)
    U, T, nu, c, lam = broadcast(U=U, T=T, nu=nu, cutoff=c, lam=lam)
    shape = U.shape
    lam_eff, t, cc, lm = (np.broadcast_to(a, shape).ravel() for a in (_coupling(U, nu), T, c, lam))
    out = np.empty(lam_eff.shape)
    thermal = lm == 0
    out[thermal] = _thermal_gap_tabulated(lam_eff[thermal], t[thermal], cc[thermal])
    if not np.all(thermal):
        rest = ~thermal
        out[rest] = _largest_root_gap(lam_eff[rest], t[rest], cc[rest], lm[rest])
    return output(out.reshape(shape))


def critical_temperature(U: ArrayLike, nu: ArrayLike, cutoff: ArrayLike = 1.0) -> Any:
    """BCS critical temperature T_c solving 1/(nu U) = int_0^cutoff dxi tanh(xi/2T_c)/xi (eq. 10
    of the paper at Delta = 0, lam = 0).

    U, cutoff in hbar*omega; nu = nu(0)*omega. Returns T_c in hbar*omega/k_B. For weak coupling
    T_c -> 1.134 cutoff exp(-1/(nu U)) (2 e^gamma / pi = 1.1339).
    """
    U = checked("U", U, positive=True)
    nu = checked("nu", nu, positive=True)
    c = checked("cutoff", cutoff, positive=True)
    U, nu, c = broadcast(U=U, nu=nu, cutoff=c)
    lam_eff, cc = _coupling(U, nu), c
    shape = lam_eff.shape
    return output(_in_blocks(_critical_temperature, lam_eff.ravel(), cc.ravel()).reshape(shape))


def _critical_temperature(lam_eff: FloatArray, c: FloatArray) -> FloatArray:
    """T_c for 1-d arrays by Newton in t = ln y, y = c/2T, where G(y) = int_0^y tanh(x)/x dx
    is convex and increasing with slope tanh(y); G(y) = ln y + ln(4 e^gamma / pi) for large y."""
    target = 1.0 / lam_eff
    t_weak = target - np.log(4 * np.exp(np.euler_gamma) / np.pi)

    def residual(t: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
        y = np.exp(t)
        G = _thermal_integral(np.zeros_like(y), c[i] / (2 * y), c[i])[0]
        return target[i] - G, -np.tanh(y)

    lo = np.minimum(t_weak, np.log(target)) - 1.0  # G(y) <= y
    hi = np.maximum(t_weak, 0.0) + 2.0
    t = newton_bracketed(residual, lo, hi, t_weak, rtol=1e-15, atol=1e-15, what="T_c")
    return c / (2 * np.exp(t))


def coupling_for_critical_temperature(Tc: ArrayLike, cutoff: ArrayLike = 1.0) -> Any:
    """The lam_eff = nu U whose BCS critical temperature is Tc (eq. 10 at Delta = lam = 0).

    Tc and cutoff in hbar*omega; exact: 1/lam_eff = int_0^cutoff dxi tanh(xi/2Tc)/xi. For
    cutoff/Tc > 80 the integral is ln(2 e^gamma cutoff / (pi Tc)) up to a relative e^(-80)
    (the tail int_y^inf (1 - tanh x)/x dx ~ e^(-2y)/y, y = cutoff/2Tc), used there, so that any
    Tc > 0 works (the quadrature underflows for Tc < 1e-140).
    """
    Tc = checked("Tc", Tc, positive=True)
    c = checked("cutoff", cutoff, positive=True)
    Tc, c = broadcast(Tc=Tc, cutoff=c)
    weak = c / Tc > 80
    t = np.where(weak, c, Tc)
    with np.errstate(divide="ignore", over="ignore"):
        integral = np.where(
            weak,
            np.log(2 * np.exp(np.euler_gamma) / np.pi * (c / Tc)),
            _thermal_integral(np.zeros(Tc.shape), t, c)[0],
        )
    return output(1.0 / integral)


# --- free energy and quasi-particle density ----------------------------------------------------


def _condensation_integral(delta: FloatArray, xi: FloatArray) -> FloatArray:
    """P(xi) = int_0^xi (E - xi') dxi' in a form free of cancellation; P = 0 at Delta = 0."""
    d2 = delta**2
    with np.errstate(divide="ignore", invalid="ignore"):
        P = 0.5 * d2 * (xi / (np.sqrt(xi**2 + d2) + xi) + np.arcsinh(xi / delta))
    return np.where(delta > 0, P, 0.0)


def free_energy(
    delta: ArrayLike, U: ArrayLike, T: ArrayLike, nu: ArrayLike, cutoff: ArrayLike = 1.0
) -> Any:
    """BCS free energy per site F_SC(Delta) - F_SC(0) of eq. 7 of the paper, in hbar*omega.

    Delta, U, T, cutoff in hbar*omega, nu = nu(0)*omega. Evaluated as
    Delta^2/U - 4 nu T int_0^c dxi ln[cosh(E/2T) / cosh(xi/2T)], which equals eq. 7 minus its
    Delta = 0 value and is free of cancellation. At T = 0 and the self-consistent gap it is the
    condensation energy -nu (coth(1/(nu U)) - 1) (cutoff 1).
    """
    delta = checked("delta", delta, nonnegative=True, at_most=MAX_GAP)
    U = checked("U", U, positive=True)
    T = _temperature(T)
    nu = checked("nu", nu, positive=True)
    c = checked("cutoff", cutoff, positive=True)
    bcast = broadcast(delta=delta, U=U, T=T, nu=nu, cutoff=c)
    shape = bcast[0].shape
    d, u, t, n, cc = (np.array(a, dtype=float).ravel() for a in bcast)
    F = d**2 / u - 2 * n * _condensation_integral(d, cc)  # T = 0
    hot = t > 0
    if np.any(hot):
        dh, th, ch = d[hot], t[hot], cc[hot]
        xi, w, xi_f = thermal_nodes(th, ch)
        E = np.sqrt(xi**2 + dh[:, None] ** 2)
        half = dh[:, None] ** 2 / (2 * th[:, None] * (E + xi))  # (E - xi) / 2T
        h = np.minimum(half, 20.0)  # log cosh(E/2T) - log cosh(xi/2T), two exact forms:
        small = np.log1p(2 * np.sinh(h / 2) ** 2 + np.tanh(xi / (2 * th[:, None])) * np.sinh(h))
        large = half + np.log1p(np.exp(-E / th[:, None])) - np.log1p(np.exp(-xi / th[:, None]))
        log_ratio = np.where(half < 20.0, small, large)
        thermal = np.sum(w * log_ratio, axis=-1)
        tail = _condensation_integral(dh, ch) - _condensation_integral(dh, xi_f)
        F[hot] = dh**2 / u[hot] - n[hot] * (4 * th * thermal + 2 * tail)
    return output(F.reshape(shape))


def quasiparticle_density(
    delta: ArrayLike, T: ArrayLike, nu: ArrayLike, cutoff: ArrayLike = 1.0, lam: ArrayLike = 0.0
) -> Any:
    """Bogoliubov quasi-particle density per site n = 4 nu int_0^c dxi f(E + lam) (eq. 11).

    f(E) = 1/(exp(E/T) + 1). Delta, T, lam, cutoff in hbar*omega; nu = nu(0)*omega. The factor 4
    counts both spins and both signs of xi. lam = 0 gives the thermal density.
    """
    delta = checked("delta", delta, nonnegative=True, at_most=MAX_GAP)
    T = _temperature(T)
    nu = checked("nu", nu, positive=True)
    c = checked("cutoff", cutoff, positive=True)
    lam = checked("lam", lam)
    bcast = broadcast(delta=delta, T=T, nu=nu, cutoff=c, lam=lam)
    shape = bcast[0].shape
    d, t, n, cc, lm = (np.array(a, dtype=float).ravel() for a in bcast)
    # T = 0: every state with E < -lam is occupied.
    out = 4 * n * np.minimum(cc, np.sqrt(np.clip(lm**2 - d**2, 0, None)) * (lm < -d))
    normal = (t > 0) & (d == 0)
    tn, ln_ = t[normal], lm[normal]
    out[normal] = (
        4
        * n[normal]
        * tn
        * (np.logaddexp(0, -ln_ / tn) - np.logaddexp(0, -(cc[normal] + ln_) / tn))
    )
    sc = (t > 0) & (d > 0)
    if np.any(sc):
        out[sc] = 4 * n[sc] * d[sc] * _fermi_moments(d[sc], t[sc], lm[sc], cc[sc])["A1"]
    return output(out.reshape(shape))


# --- quasi-particle trapping at fixed quasi-particle density (eqs. 9-11, Appendix B) ----------

# Grid of Delta/Delta0(U) on which the curve n*(Delta) of eq. 10 solutions is sampled: dense
# towards Delta -> 0 and, logarithmically, towards Delta -> Delta0 (where n* -> 0).
_CURVE = np.unique(np.concatenate([np.geomspace(1e-6, 0.5, 48), 1 - np.geomspace(1e-14, 0.5, 72)]))


def _lam_bracket(
    delta: FloatArray, T: FloatArray, c: FloatArray, target: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Bracket [lo, hi] of lam with I(Delta, T, lam) < target at lo and > target at hi."""
    U = np.arcsinh(c / delta)
    lo = -np.sqrt(c**2 + delta**2) - 40 * T
    hi = T * np.log(2 * U / (U - target)) - delta + T
    return lo, hi


def _lam_on_curve(
    delta: FloatArray, T: FloatArray, c: FloatArray, target: FloatArray, lam0: FloatArray
) -> FloatArray:
    """lam solving eq. 10, I(Delta, T, lam) = target, for 1-d arrays (I increases with lam)."""
    lo, hi = _lam_bracket(delta, T, c, target)

    def residual(lam: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
        m = _fermi_moments(delta[i], T[i], lam, c[i])
        return target[i] - (m["U"] - 2 * m["A0"]), -2 * m["B0"]

    x0 = np.where((lam0 > lo) & (lam0 < hi), lam0, 0.5 * (lo + hi))
    return newton_bracketed(
        residual, lo, hi, x0, rtol=1e-15, atol=1e-13 * T, htol=_ROUNDING * target, what="lam"
    )


def _lam_for_density(
    delta: FloatArray, T: FloatArray, c: FloatArray, log_n4: FloatArray, lam0: FloatArray
) -> FloatArray:
    """lam solving eq. 11, ln(n / 4 nu) = log_n4 at fixed Delta (n decreases with lam).

    Near saturation (n* -> 0) this fixes lam far better than eq. 10, which barely depends on it.
    """
    lo = -np.sqrt(c**2 + delta**2) - 40 * T
    hi = T * (np.log(c) - log_n4) - delta + T

    def residual(lam: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
        m = _fermi_moments(delta[i], T[i], lam, c[i])
        return np.log(delta[i] * m["A1"]) - log_n4[i], -m["B1"] / m["A1"]

    x0 = np.where((lam0 > lo) & (lam0 < hi), lam0, 0.5 * (lo + hi))
    return newton_bracketed(residual, lo, hi, x0, rtol=1e-15, atol=1e-13 * T, what="lam")


def _log_density(
    delta: FloatArray, T: FloatArray, c: FloatArray, target: FloatArray, lam: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """ln(n / 4 nu) along the eq. 10 curve lam(Delta), and its total derivative in Delta."""
    m = _fermi_moments(delta, T, lam, c)
    dU = -c / (delta * m["E_c"])
    dI_ddelta = 2 * m["B1"] + (1 - 2 * m["f_c"]) * dU
    dlam = -dI_ddelta / (2 * m["B0"])
    dn_ddelta = m["A1"] - delta * m["B2"] - c * m["f_c"] / delta
    dn_dlam = -delta * m["B1"]
    n = delta * m["A1"]
    return np.log(n), (dn_ddelta + dn_dlam * dlam) / n


def _newton_2d(
    delta: FloatArray,
    lam: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    T: FloatArray,
    c: FloatArray,
    target: FloatArray,
    log_n4: FloatArray,
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Newton on eqs. 10 and 11 together in (Delta, lam), from a close start, Delta kept in
    [lo, hi]. Returns (delta, lam, converged); points that leave the bracket are not converged."""
    delta, lam = delta.copy(), lam.copy()
    ok = np.zeros(delta.shape, dtype=bool)
    active = np.arange(delta.size)
    for _ in range(30):
        d, lm = delta[active], lam[active]
        m = _fermi_moments(d, T[active], lm, c[active])
        dU = -c[active] / (d * m["E_c"])
        r1 = m["U"] - 2 * m["A0"] - target[active]
        r2 = np.log(d * m["A1"]) - log_n4[active]
        j11, j12 = 2 * m["B1"] + (1 - 2 * m["f_c"]) * dU, 2 * m["B0"]
        j21 = (m["A1"] - d * m["B2"] - c[active] * m["f_c"] / d) / (d * m["A1"])
        j22 = -m["B1"] / m["A1"]
        det = j11 * j22 - j12 * j21
        step_d = -(r1 * j22 - j12 * r2) / det
        step_l = -(j11 * r2 - j21 * r1) / det
        delta[active], lam[active] = d + step_d, lm + step_l
        inside = (delta[active] > lo[active]) & (delta[active] < hi[active])
        done = np.abs(step_d) <= 1e-14 * d
        ok[active] = done & inside
        active = active[~done & inside & np.isfinite(step_d)]
        if active.size == 0:
            break
    return delta, lam, ok


def _branches_1d(
    n_star: FloatArray, lam_eff: FloatArray, T: FloatArray, c: FloatArray, nu: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """All superconducting solutions of eqs. 10-11 for 1-d arrays: (delta, lam), shape (N, B)."""
    if n_star.size == 0:
        return np.empty((0, 1)), np.empty((0, 1))
    params = np.stack([lam_eff, T, c], axis=-1)
    combos, which = np.unique(params, axis=0, return_inverse=True)
    which = which.ravel()
    ke, kT, kc = combos.T
    target_k = 1.0 / ke
    d0_k = _zero_temperature_gap(ke, kc)
    # the curve n*(Delta) of eq. 10 solutions, per distinct (lam_eff, T, cutoff)
    J = _CURVE.size
    grid = (d0_k[:, None] * _CURVE).ravel()
    gT, gc, gt = (np.repeat(a, J) for a in (kT, kc, target_k))
    lam_grid = _lam_on_curve(grid, gT, gc, gt, np.zeros_like(grid))
    logn_grid = _log_density(grid, gT, gc, gt, lam_grid)[0].reshape(-1, J)
    lam_grid = lam_grid.reshape(-1, J)
    # sign changes of ln n - ln n* between grid points, and in the last interval (n -> 0)
    r = logn_grid[which] - np.log(n_star / (4 * nu))[:, None]
    r = np.concatenate([r, np.full((r.shape[0], 1), -np.inf)], axis=1)
    cross = np.signbit(r[:, :-1]) != np.signbit(r[:, 1:])
    point, j = np.nonzero(cross)
    if point.size == 0:
        return np.full((n_star.size, 1), np.nan), np.full((n_star.size, 1), np.nan)
    k = which[point]
    frac_ext = np.append(_CURVE, 1.0)
    lo, hi = d0_k[k] * frac_ext[j], d0_k[k] * frac_ext[j + 1]
    orient = np.where(r[point, j] > 0, 1.0, -1.0)
    # start from linear interpolation in ln n between the bracketing grid points
    r_lo, r_hi = r[point, j], r[point, j + 1]
    t = np.where(np.isfinite(r_hi), r_lo / (r_lo - r_hi), 0.5)
    lam_end = np.append(lam_grid, lam_grid[:, -1:] + 40 * kT[:, None], axis=1)
    lam_start = lam_grid[k, j] + t * (lam_end[k, j + 1] - lam_grid[k, j])
    jT, jc, jt = kT[k], kc[k], target_k[k]
    jlogn = np.log(n_star[point] / (4 * nu[point]))

    delta, lam_start, ok = _newton_2d(lo + t * (hi - lo), lam_start, lo, hi, jT, jc, jt, jlogn)
    bad = np.flatnonzero(~ok)
    if bad.size:  # robust fallback: bracketed Newton along the curve of eq. 10 solutions

        def residual(d: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
            b = bad[i]
            lam = _lam_on_curve(d, jT[b], jc[b], jt[b], lam_start[b])
            lam_start[b] = lam
            logn, dlogn = _log_density(d, jT[b], jc[b], jt[b], lam)
            return orient[b] * (logn - jlogn[b]), orient[b] * dlogn

        mid = 0.5 * (lo[bad] + hi[bad])
        delta[bad] = newton_bracketed(
            residual, lo[bad], hi[bad], mid, rtol=1e-14, what="trapped gap"
        )
    lam = _lam_for_density(delta, jT, jc, jlogn, lam_start)
    counts = np.bincount(point, minlength=n_star.size)
    B = max(int(counts.max(initial=0)), 1)
    slot = np.arange(point.size) - np.repeat(np.cumsum(counts) - counts, counts)
    out_d = np.full((n_star.size, B), np.nan)
    out_l = np.full((n_star.size, B), np.nan)
    out_d[point, slot], out_l[point, slot] = delta, lam
    return out_d, out_l


def _trapped_inputs(
    n_star: ArrayLike,
    U: ArrayLike,
    T: ArrayLike,
    nu: ArrayLike,
    cutoff: ArrayLike,
    *extra: FloatArray,
) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Validated, broadcast and flattened (n*, lam_eff, T, cutoff, nu, *extra) and their shape."""
    n_star = checked("n_star", n_star, positive=True)
    U = checked("U", U, positive=True)
    T = checked("T", T, positive=True)
    nu = checked("nu", nu, positive=True)
    c = checked("cutoff", cutoff, positive=True)
    names = ("n_star", "U", "T", "cutoff", "nu", "delta", "lam")[: 5 + len(extra)]
    n_star, U, T, c, nu, *rest = broadcast(
        **dict(zip(names, (n_star, U, T, c, nu, *extra), strict=True))
    )
    if np.any(n_star >= 4 * nu * c):
        raise ValueError("n_star must be below the full occupation 4 nu cutoff")
    if np.any(T < _T_ZERO):  # the fixed-n* equations are solved at T > 0 only
        value = float(T[T < _T_ZERO].flat[0])
        raise ValueError(f"T must be >= 1e-140 at fixed n_star (eqs. 9-11), got T={value!r}")
    arrays = [n_star, _coupling(U, nu), T, c, nu, *rest]
    return arrays[0].shape, [np.array(a, dtype=float).ravel() for a in arrays]


def trapped_gap_branches(
    n_star: ArrayLike, U: ArrayLike, T: ArrayLike, nu: ArrayLike, cutoff: ArrayLike = 1.0
) -> tuple[Any, Any]:
    """Every superconducting solution (Delta_tr, lam) of eqs. 10-11 at fixed n* (eq. 11).

    n_star per site, U, T (>= 1e-140), cutoff in hbar*omega, nu = nu(0)*omega. Returns arrays of
    shape (..., B), B the largest number of solutions found, sorted by increasing Delta_tr and
    padded with NaN where a point has fewer. Solutions are located on the curve of eq. 10
    solutions sampled at Delta/Delta0(U) in [1e-6, 1) and refined to 1e-14.
    """
    shape, (n, lam_eff, T_, c, nu_) = _trapped_inputs(n_star, U, T, nu, cutoff)
    d, lam = _branches_1d(n, lam_eff, T_, c, nu_)
    return d.reshape(*shape, -1), lam.reshape(*shape, -1)


def _normal_lam(n_star: FloatArray, T: FloatArray, nu: FloatArray, c: FloatArray) -> FloatArray:
    """lam of the normal state (Delta = 0) holding n_star: closed-form inverse of eq. 11."""
    a = n_star / (4 * nu * T)
    with np.errstate(over="ignore", divide="ignore"):  # ln(e^a - 1) = a + ln(1 - e^-a), a large
        log_expm1 = np.where(a > 30, a + np.log1p(-np.exp(-a)), np.log(np.expm1(a)))
    return -T * (log_expm1 - np.log1p(-np.exp(a - c / T)))


def _li2_minus_exp(y: FloatArray) -> FloatArray:
    """Li2(-e^y), stable for all real y (inversion formula for y > 0)."""
    small = spence(1 + np.exp(np.minimum(y, 0.0)))
    large = -(np.pi**2) / 6 - y**2 / 2 - spence(1 + np.exp(-np.abs(y)))
    return np.where(y <= 0, small, large)


def _trapped_free_energy(
    delta: FloatArray,
    lam: FloatArray,
    n_star: FloatArray,
    lam_eff: FloatArray,
    T: FloatArray,
    c: FloatArray,
    nu: FloatArray,
) -> FloatArray:
    """Eq. 9 at (Delta, lam) minus eq. 9 in the normal state at the same n*, 1-d arrays."""
    lam_n = _normal_lam(n_star, T, nu, c)
    log_n = T * (_li2_minus_exp(-(c + lam_n) / T) - _li2_minus_exp(-lam_n / T))
    normal = -4 * nu * T * log_n - lam_n * n_star
    m = _fermi_moments(delta, T, lam, c, with_log=True)
    sc = (
        nu * delta**2 / lam_eff
        - 2 * nu * _condensation_integral(delta, c)
        - 4 * nu * T * delta * m["L"]
        - lam * n_star
    )
    return sc - normal


def trapped_free_energy(
    delta: ArrayLike,
    lam: ArrayLike,
    n_star: ArrayLike,
    U: ArrayLike,
    T: ArrayLike,
    nu: ArrayLike,
    cutoff: ArrayLike = 1.0,
) -> Any:
    """Free energy of eq. 9 at (Delta_tr, lam) minus that of the normal state at the same n*.

    Per site, in hbar*omega; negative where the trapped superconductor is the stable state.
    The normal state holds n* with the lam that solves eq. 11 at Delta = 0 (closed form), and its
    eq. 9 integral is a dilogarithm. Delta > 0, T > 0.
    """
    delta = checked("delta", delta, positive=True, at_most=MAX_GAP)
    lam = checked("lam", lam)
    shape, (n, lam_eff, T_, c, nu_, d, lm) = _trapped_inputs(n_star, U, T, nu, cutoff, delta, lam)
    if n.size == 0:
        return np.empty(shape)
    return output(_trapped_free_energy(d, lm, n, lam_eff, T_, c, nu_).reshape(shape))


def trapped_gap(
    n_star: ArrayLike, U: ArrayLike, T: ArrayLike, nu: ArrayLike, cutoff: ArrayLike = 1.0
) -> tuple[Any, Any]:
    """Quasi-particle-trapped gap (Delta_tr, lam) at fixed quasi-particle density n* (eqs. 9-11).

    Solves the modified gap equation (eq. 10) together with the density constraint (eq. 11);
    where several superconducting solutions exist, returns the one with the lowest free energy
    of eq. 9 at fixed n*. lam > 0 when n* is below the thermal density at Delta_tr, lam < 0 above.
    Returns (0.0, nan) where no superconducting solution exists. n_star per site; U, T (> 0),
    cutoff in hbar*omega; nu = nu(0)*omega. As n* -> 0, Delta_tr -> Delta0(U) = cutoff/sinh(1/nu U).
    """
    shape, (n, lam_eff, T_, c, nu_) = _trapped_inputs(n_star, U, T, nu, cutoff)
    d, lam = _branches_1d(n, lam_eff, T_, c, nu_)
    found = ~np.isnan(d)
    F = np.full(d.shape, np.inf)
    rows, cols = np.nonzero(found)
    if rows.size:
        F[rows, cols] = _trapped_free_energy(
            d[rows, cols], lam[rows, cols], n[rows], lam_eff[rows], T_[rows], c[rows], nu_[rows]
        )
    best = np.argmin(F, axis=1)
    pick = np.arange(n.size)
    any_sc = found.any(axis=1)
    delta_tr = np.where(any_sc, d[pick, best], 0.0)
    lam_tr = np.where(any_sc, lam[pick, best], np.nan)
    return output(delta_tr.reshape(shape)), output(lam_tr.reshape(shape))
