"""Collisionless time-dependent BCS: Anderson pseudospins under a time-dependent attraction U(t).

Model (Anderson 1958; Volkov & Kogan 1974; Barankov, Levitov & Spivak 2004; Yuzbashyan et al.
2006): the reduced BCS Hamiltonian H = sum_k 2 xi_k s_k^z - U(t) sum_kk' s_k^+ s_k'^- in mean
field. Each pair (k up, -k down) is a pseudospin s_k with

    ds_k/dt = b_k x s_k,   b_k = (-2 Re Delta, 2 Im Delta, 2 xi_k),
    Delta(t) = U(t) nu sum_k w_k (s_k^x - i s_k^y),

on N levels xi_k of a midpoint grid on [-cutoff, cutoff] (both signs of xi, particle-hole
symmetric), w_k = 2 cutoff / N, so sum_k w_k f(xi_k) -> int dxi f(xi) with an O(w^2) endpoint
error only (Euler-Maclaurin; the peak of width Delta at xi = 0 costs ~exp(-2 pi Delta / w)).
nu is the density of states per spin per site (photosc's convention), so the stationary state
s_k = -tanh(E_k/2T) b_k/(2|b_k|) solves 1/(nu U) = int_0^c dxi tanh(E/2T)/E, the gap equation of
``photosc.physics.bcs``, on the grid.

Integrator: fourth-order Magnus with two Gauss points (Blanes, Casas, Oteo & Ros, Phys. Rep.
470, 151 (2009), the fourth-order two-point scheme): per step each pseudospin is rotated
exactly (Rodrigues) about Omega_k = h (b_1 + b_2)/2 + (sqrt 3/12) h^2 b_2 x b_1, b_i = b_k at
the Gauss points. Delta at the Gauss points is U(t_i) P(t_i), with the pair amplitude P = Delta/U
extrapolated by the cubic Hermite polynomial of (P, dP/dt) at the last two steps (dP/dt is exact:
dP/dt = -2 i nu sum_k w_k (xi_k s_k^- + Delta s_k^z)); the first step iterates a quadratic
Hermite interpolant to convergence. The scheme is explicit, one rotation per level per step,
and of order 4 (tested). Stability/accuracy limit: h max_k |b_k| <= 1 (the Magnus series
converges below pi); |b_k| <= 2 sqrt(cutoff^2 + (U nu cutoff)^2) because |s_k| <= 1/2.

Revivals: on a uniform grid the precession frequencies 2 E_k ~ 2|xi_k| are spaced by 2 dxi, so
Delta(t) revives at t_rev = pi / dxi = pi N / (2 cutoff); later output times are refused.

Units: energies (U, Delta, T, xi, cutoff) in hbar*omega, time in 1/omega, nu = nu(0)*omega,
densities and energies per site.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq

from photosc._checks import FloatArray, checked, output
from photosc.io import provenance
from photosc.physics import bcs
from photosc.physics.pairing import attraction

#: Largest h max|b| the integrator accepts (Magnus converges below pi; series exact to 1e-16).
THETA_MAX = 1.0
#: Default internal step as a fraction of 1 / max|b| (4th order: errors ~ 1e-9 relative there).
THETA_DEFAULT = 0.25
#: Magnus-4 Gauss points and the commutator coefficient.
_G1 = 0.5 - math.sqrt(3.0) / 6.0
_G2 = 0.5 + math.sqrt(3.0) / 6.0
_K4 = math.sqrt(3.0) / 12.0
#: Iterations of the first step's implicit (quadratic Hermite) predictor.
_START_ITERATIONS = 4

AttractionLike = float | Callable[[Any], Any]


# --- grid, stationary state, protocols ------------------------------------------------------


def level_grid(n_levels: int, cutoff: float = 1.0) -> tuple[FloatArray, FloatArray]:
    """Midpoint grid xi_k (hbar*omega) on [-cutoff, cutoff] and weights w_k = 2 cutoff / N.

    Particle-hole symmetric (xi_{N-1-k} = -xi_k); n_levels even and >= 2, so no level sits at
    xi = 0. sum_k w_k f(xi_k) approximates int_{-c}^{c} dxi f(xi).
    """
    if isinstance(n_levels, bool) or not isinstance(n_levels, (int, np.integer)):
        raise ValueError(f"n_levels must be an even integer >= 2, got n_levels={n_levels!r}")
    if n_levels < 2 or n_levels % 2:
        raise ValueError(f"n_levels must be an even integer >= 2, got n_levels={n_levels!r}")
    c = float(checked("cutoff", cutoff, positive=True))
    step = 2.0 * c / n_levels
    xi = -c + (np.arange(n_levels, dtype=float) + 0.5) * step
    return np.asarray(xi, dtype=float), np.full(n_levels, step, dtype=float)


def revival_time(n_levels: int, cutoff: float = 1.0) -> float:
    """Revival time pi / dxi = pi N / (2 cutoff) of the uniform grid, in 1/omega.

    The precession frequencies 2 E_k of the pseudospins are spaced by 2 dxi away from the gap,
    so their dephasing undoes itself after 2 pi / (2 dxi).
    """
    return math.pi / float(level_grid(n_levels, cutoff)[1][0])


def stability_limit(U_max: ArrayLike, nu: ArrayLike, cutoff: ArrayLike = 1.0) -> Any:
    """Largest internal step h (1/omega): THETA_MAX / max|b|, max|b| = 2 sqrt(c^2 + (U nu c)^2).

    U_max the largest attraction of the run (hbar*omega); |Delta| <= U nu c since |s_k| <= 1/2.
    Broadcasts; a Python float for scalars.
    """
    U_max = checked("U", U_max, positive=True)
    nu = checked("nu", nu, positive=True)
    c = checked("cutoff", cutoff, positive=True)
    return output(THETA_MAX / (2.0 * np.hypot(c, U_max * nu * c)))


def _largest_gap(residual: Callable[[float], float], top: float, guess: float) -> float:
    """Root of a residual that is positive at 0 and negative at ``top`` (0 if not positive at 0),
    bracketed around ``guess`` when that works."""
    if residual(0.0) <= 0.0:
        return 0.0
    lo, hi = 0.0, top
    if 0 < guess < top and residual(0.9 * guess) > 0 > residual(min(1.1 * guess, top)):
        lo, hi = 0.9 * guess, min(1.1 * guess, top)
    return float(brentq(residual, lo, hi, xtol=1e-17, rtol=1e-15, maxiter=200))


def grid_gap(U: float, T: float, nu: float, xi: FloatArray, w: FloatArray) -> float:
    """Gap on the level grid: Delta solving 1 = U nu sum_k w_k tanh(E_k/2T) / (2 E_k).

    The discrete form of the gap equation of ``bcs.gap`` (its sum over both signs of xi is
    int_0^c dxi tanh(E/2T)/E); 0 where only the normal state solves it. U, T, Delta in
    hbar*omega. The stationary state of ``simulate`` is built on this Delta.
    """
    U = float(checked("U", U, positive=True))
    T = float(checked("T", T, nonnegative=True))
    nu = float(checked("nu", nu, positive=True))

    def residual(delta: float) -> float:
        E = np.sqrt(xi**2 + delta**2)
        return U * nu * float(np.sum(w * _lengths(E, T) / (2 * E))) - 1.0

    c = float(np.max(np.abs(xi)) + 0.5 * float(w[0]))
    return _largest_gap(residual, U * nu * float(np.sum(w)) / 2, float(bcs.gap(U, T, nu, c)))


def _lengths(E: FloatArray, T: float) -> FloatArray:
    """2|s_k| of the thermal state, tanh(E_k/2T) (1 at T = 0)."""
    return np.ones_like(E) if T == 0 else np.tanh(E / (2 * T))


def adiabatic_gap(
    U_initial: ArrayLike,
    U_final: ArrayLike,
    T: ArrayLike,
    nu: float,
    cutoff: float = 1.0,
    n_levels: int = 4000,
) -> Any:
    """Gap after an infinitely slow collisionless change of U from the thermal state at
    (U_initial, T): each pseudospin keeps its length tanh(E_k/2T)/2 along -b_k (the adiabatic
    invariant; no collisions re-thermalise the levels), so Delta solves
    1 = U_final nu sum_k w_k tanh(E_k^initial/2T) / (2 E_k(Delta)) on the level grid.
    Energies in hbar*omega; U_initial, U_final, T broadcast (a Python float for scalars)."""
    xi, w = level_grid(n_levels, cutoff)
    Ui, Uf, TT = np.broadcast_arrays(
        checked("U_initial", U_initial, positive=True),
        checked("U_final", U_final, positive=True),
        checked("T", T, nonnegative=True),
    )
    points = zip(Ui.flat, Uf.flat, TT.flat, strict=True)
    gaps = [_adiabatic_gap(float(a), float(b), float(c), nu, xi, w) for a, b, c in points]
    return output(np.reshape(gaps, Ui.shape))


def _adiabatic_gap(
    U_initial: float, Uf: float, T: float, nu: float, xi: FloatArray, w: FloatArray
) -> float:
    cutoff = float(np.max(np.abs(xi)) + 0.5 * float(w[0]))
    d0 = grid_gap(U_initial, T, nu, xi, w)
    lengths = _lengths(np.sqrt(xi**2 + d0**2), float(T))

    def residual(delta: float) -> float:
        return Uf * nu * float(np.sum(w * lengths / (2 * np.sqrt(xi**2 + delta**2)))) - 1.0

    return _largest_gap(residual, Uf * nu * float(np.sum(w)) / 2, float(bcs.gap(Uf, T, nu, cutoff)))


def quench(U_initial: float, U_final: float) -> Callable[[Any], Any]:
    """Sudden quench: U = U_initial at t <= 0 (the initial state), U_final for t > 0."""
    Ui = float(checked("U_initial", U_initial, positive=True))
    Uf = float(checked("U_final", U_final, positive=True))
    return lambda t: np.where(np.asarray(t) > 0, Uf, Ui)


def ramp(U_initial: float, U_final: float, tau: float, shape: str = "linear") -> Callable:
    """U(t) from U_initial to U_final over 0 <= t <= tau (1/omega), constant outside.

    shape "linear": U_i + (U_f - U_i) t/tau (kinks at 0 and tau: n_exc ~ tau^-2);
    "cos2": U_i + (U_f - U_i) sin^2(pi t / 2 tau) (smooth first derivative: n_exc ~ tau^-4).
    """
    Ui = float(checked("U_initial", U_initial, positive=True))
    Uf = float(checked("U_final", U_final, positive=True))
    tau = float(checked("tau", tau, positive=True))
    if shape not in ("linear", "cos2"):
        raise ValueError(f"shape must be 'linear' or 'cos2', got shape={shape!r}")

    def U(t: Any) -> Any:
        x = np.clip(np.asarray(t, dtype=float) / tau, 0.0, 1.0)
        s = x if shape == "linear" else np.sin(0.5 * np.pi * x) ** 2
        return Ui + (Uf - Ui) * s

    return U


def attraction_path(t: ArrayLike, Q: ArrayLike, dE: float, g: float, U0: float) -> Callable:
    """U(Q(t)) (eq. 5 of the paper) along a sampled trajectory Q(t) (l0, times in 1/omega).

    Q is interpolated by a cubic spline (smooth enough for the fourth-order integrator when
    the samples resolve the motion) and held at its end values outside the samples.
    """
    tt = checked("t", t)
    QQ = checked("Q", Q)
    if tt.ndim != 1 or tt.shape != QQ.shape or tt.size < 4 or np.any(np.diff(tt) <= 0):
        raise ValueError("t and Q must be 1-d, of equal length >= 4, t strictly increasing")
    spline = CubicSpline(tt, QQ)

    def U(time: Any) -> Any:
        x = np.clip(np.asarray(time, dtype=float), tt[0], tt[-1])
        return np.asarray(attraction(spline(x), dE, g, U0))

    return U


# --- the compiled integrator ----------------------------------------------------------------


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _rotation_factors(x2: float) -> tuple[float, float]:
    """sin(th)/th and (1 - cos th)/th^2 for th^2 = x2 <= 1, by their Taylor series (to 1e-17)."""
    sinc = 1.0
    g = 1.0 / 2.0
    term_s = 1.0
    term_g = 1.0 / 2.0
    for k in range(1, 10):
        term_s *= -x2 / ((2 * k) * (2 * k + 1))
        term_g *= -x2 / ((2 * k + 1) * (2 * k + 2))
        sinc += term_s
        g += term_g
    return sinc, g


@numba.njit(cache=True, nogil=True, fastmath=True)
def _rotate(xi, w, sx, sy, sz, d1r, d1i, d2r, d2i, h, moments):  # type: ignore[no-untyped-def]
    """One Magnus-4 step of every pseudospin; moments <- sum w (s^x, s^y, s^z, xi s^x, xi s^y,
    xi s^z) of the new state. Delta at the Gauss points is (d1r + i d1i), (d2r + i d2i)."""
    b1x, b1y = -2.0 * d1r, 2.0 * d1i
    b2x, b2y = -2.0 * d2r, 2.0 * d2i
    k4 = _K4 * h * h  # the commutator term (sqrt 3/12) h^2 b2 x b1, with b_z = 2 xi
    ax, ay = 0.5 * h * (b1x + b2x), 0.5 * h * (b1y + b2y)
    bx, by = 2.0 * k4 * (b2y - b1y), 2.0 * k4 * (b1x - b2x)
    cz = k4 * (b2x * b1y - b2y * b1x)
    m0x = m0y = m0z = m1x = m1y = m1z = 0.0
    for j in range(xi.size):
        e = xi[j]
        ox = ax + e * bx
        oy = ay + e * by
        oz = 2.0 * h * e + cz
        sinc, g = _rotation_factors(ox * ox + oy * oy + oz * oz)
        c = 1.0 - (ox * ox + oy * oy + oz * oz) * g
        x, y, z = sx[j], sy[j], sz[j]
        dot = g * (ox * x + oy * y + oz * z)
        nx = c * x + sinc * (oy * z - oz * y) + dot * ox
        ny = c * y + sinc * (oz * x - ox * z) + dot * oy
        nz = c * z + sinc * (ox * y - oy * x) + dot * oz
        sx[j], sy[j], sz[j] = nx, ny, nz
        wj = w[j]
        m0x += wj * nx
        m0y += wj * ny
        m0z += wj * nz
        m1x += wj * e * nx
        m1y += wj * e * ny
        m1z += wj * e * nz
    moments[0], moments[1], moments[2] = m0x, m0y, m0z
    moments[3], moments[4], moments[5] = m1x, m1y, m1z


@numba.njit(cache=True, nogil=True, fastmath=True)
def _quasiparticles(xi, w, sx, sy, sz, dr, di):  # type: ignore[no-untyped-def]
    """sum_k w_k (1 + 2 bhat_k . s_k): quasi-particles (both spins) per unit nu relative to the
    ground state of the instantaneous mean field b_k(Delta)."""
    total = 0.0
    d2 = dr * dr + di * di
    for j in range(xi.size):
        e = xi[j]
        proj = (-dr * sx[j] + di * sy[j] + e * sz[j]) / math.sqrt(e * e + d2)
        total += w[j] * (1.0 + 2.0 * proj)
    return total


@numba.njit(cache=True, nogil=True, fastmath=True)
def _hermite(p0, d0, p1, d1, hp, tau):  # type: ignore[no-untyped-def]
    """Cubic Hermite polynomial of (p0, d0) at 0 and (p1, d1) at hp, at t = tau * hp."""
    t2 = tau * tau
    t3 = t2 * tau
    return (
        (2 * t3 - 3 * t2 + 1) * p0
        + (t3 - 2 * t2 + tau) * hp * d0
        + (-2 * t3 + 3 * t2) * p1
        + (t3 - t2) * hp * d1
    )


@numba.njit(cache=True, nogil=True)
def _integrate(xi, w, sx, sy, sz, nu, h, Ua, U1, U2, record, out):  # type: ignore[no-untyped-def]
    """Evolve the pseudospins over len(h) steps; step n runs from t_n to t_n + h[n] with U at
    the Gauss points U1[n], U2[n] and U(t_n) = Ua[n]. Where record[n] >= 0 the state at t_n goes
    into row record[n] of out = (Re P, Im P, sum w xi s^z, sum w (1 + 2 bhat.s))."""
    n_steps = h.size
    moments = np.zeros(6)
    P = nu * (np.sum(w * sx) - 1j * np.sum(w * sy))
    m1 = np.sum(w * xi * sx) - 1j * np.sum(w * xi * sy)
    Pd = -2j * nu * (m1 + Ua[0] * P * np.sum(w * sz))
    if record[0] >= 0:
        D = Ua[0] * P
        out[record[0], 0], out[record[0], 1] = P.real, P.imag
        out[record[0], 2] = np.sum(w * xi * sz)
        out[record[0], 3] = _quasiparticles(xi, w, sx, sy, sz, D.real, D.imag)
    if n_steps == 0:
        return
    # first step: implicit, quadratic Hermite through P(0), P(h), dP/dt(h), iterated
    x0, y0, z0 = sx.copy(), sy.copy(), sz.copy()
    hs = h[0]
    P1, Pd1 = P, 0.0 * P
    for _ in range(_START_ITERATIONS):
        b = (Pd1 * hs - (P1 - P)) / (hs * hs)
        a = (P1 - P) / hs - b * hs
        Pg1 = P + a * (_G1 * hs) + b * (_G1 * hs) ** 2
        Pg2 = P + a * (_G2 * hs) + b * (_G2 * hs) ** 2
        sx[:], sy[:], sz[:] = x0, y0, z0
        D1, D2 = U1[0] * Pg1, U2[0] * Pg2
        _rotate(xi, w, sx, sy, sz, D1.real, D1.imag, D2.real, D2.imag, hs, moments)
        P1 = nu * (moments[0] - 1j * moments[1])
        Pd1 = -2j * nu * (moments[3] - 1j * moments[4] + Ua[1] * P1 * moments[2])
    P_prev, Pd_prev, P, Pd = P, Pd, P1, Pd1
    for n in range(1, n_steps + 1):
        if record[n] >= 0:
            D = Ua[n] * P
            out[record[n], 0], out[record[n], 1] = P.real, P.imag
            out[record[n], 2] = moments[5]
            out[record[n], 3] = _quasiparticles(xi, w, sx, sy, sz, D.real, D.imag)
        if n == n_steps:
            break
        hp, hn = h[n - 1], h[n]
        Pg1 = _hermite(P_prev, Pd_prev, P, Pd, hp, 1.0 + _G1 * hn / hp)
        Pg2 = _hermite(P_prev, Pd_prev, P, Pd, hp, 1.0 + _G2 * hn / hp)
        D1, D2 = U1[n] * Pg1, U2[n] * Pg2
        _rotate(xi, w, sx, sy, sz, D1.real, D1.imag, D2.real, D2.imag, hn, moments)
        P_prev, Pd_prev = P, Pd
        P = nu * (moments[0] - 1j * moments[1])
        Pd = -2j * nu * (moments[3] - 1j * moments[4] + Ua[n + 1] * P * moments[2])


# --- the public solver ----------------------------------------------------------------------


def _attraction_samples(U: AttractionLike, times: FloatArray) -> FloatArray:
    """U evaluated at ``times`` (a float, or a callable taking an array or a scalar), validated."""
    if callable(U):
        try:
            values = np.asarray(U(times), dtype=float)
        except (TypeError, ValueError):
            values = np.array([float(U(x)) for x in times])
        if values.shape != times.shape:
            values = np.array([float(U(x)) for x in times])
    else:
        values = np.full(times.shape, float(checked("U", U, positive=True)))
    bad = ~(np.isfinite(values) & (values > 0))
    if np.any(bad):
        k = int(np.argmax(bad))
        raise ValueError(f"U must be finite and > 0, got U={values[k]!r} at t={times[k]!r}")
    return values


def _steps(t: FloatArray, h_max: float) -> tuple[FloatArray, np.ndarray]:
    """Internal steps (each <= h_max) hitting every output time, and the output row of each
    step boundary (-1 where none)."""
    edges = np.concatenate([[0.0], t])
    gaps = np.diff(edges)
    counts = np.where(gaps > 0, np.ceil(gaps / h_max - 1e-12), 0).astype(np.int64)
    h = np.repeat(np.divide(gaps, counts, out=np.zeros_like(gaps), where=counts > 0), counts)
    record = np.full(h.size + 1, -1, dtype=np.int64)
    record[np.cumsum(counts)] = np.arange(t.size)
    return h, record


def simulate(
    U: AttractionLike,
    t: ArrayLike,
    nu: float,
    T: float = 0.0,
    cutoff: float = 1.0,
    n_levels: int = 4000,
    *,
    dt: float | None = None,
) -> xr.Dataset:
    """Collisionless BCS dynamics (Anderson pseudospins) under the attraction U(t).

    U: a float, or a callable of time (array or scalar; hbar*omega, > 0). The initial state is
    the thermal equilibrium at U(0) and T (pseudospin lengths tanh(E/2T)/2 along -b_k, Delta the
    gap of the level grid, ``grid_gap``). t: output times (1/omega, >= 0, increasing, below the
    grid's ``revival_time``). nu = nu(0)*omega per spin per site; T, cutoff in hbar*omega;
    n_levels even >= 2. dt: internal step (default THETA_DEFAULT / max|b|; above
    ``stability_limit`` -> ValueError); the steps hit every output time.

    Returns a Dataset over t: Delta = |Delta(t)|; n_qp, the quasi-particle density per site
    relative to the ground state of the instantaneous mean field b_k(Delta(t)),
    nu sum_k w_k (1 + 2 bhat_k . s_k) (eq. 11 normalisation, both spins; thermal n at t = 0);
    n_exc = n_qp(t) - n_qp(0), the non-adiabatic excess (an adiabatic evolution conserves each
    bhat_k . s_k); energy <H> per site relative to the T = 0 normal state; U(t); and over the
    levels xi, n_exc_xi: n_exc per unit xi at the last output time (sum_k w_k n_exc_xi = n_exc).
    """
    nu = float(checked("nu", nu, positive=True))
    T = float(checked("T", T, nonnegative=True))
    cutoff = float(checked("cutoff", cutoff, positive=True))
    xi, w = level_grid(n_levels, cutoff)
    times = checked("t", t, nonnegative=True)
    if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) <= 0):
        raise ValueError("t must be a non-empty 1-d array of increasing times >= 0")
    t_rev = revival_time(n_levels, cutoff)
    if times[-1] > t_rev:
        raise ValueError(
            f"t must stay below the revival time pi N/(2 cutoff) = {t_rev:.6g} of the grid, "
            f"got t={float(times[-1])!r} (raise n_levels to >= "
            f"{2 * math.ceil(times[-1] * cutoff / math.pi)})"
        )
    U_probe = _attraction_samples(U, np.linspace(0.0, float(times[-1]), 257))
    step = THETA_DEFAULT / THETA_MAX * stability_limit(float(U_probe.max()), nu, cutoff)
    if dt is not None:
        step = float(checked("dt", dt, positive=True))
    while True:  # sample U on the steps; shrink the default step if U peaks between probes
        h, record = _steps(times, step)
        starts = np.concatenate([[0.0], np.cumsum(h)])
        Ua = _attraction_samples(U, starts)
        U1 = _attraction_samples(U, starts[:-1] + _G1 * h)
        U2 = _attraction_samples(U, starts[:-1] + _G2 * h)
        h_max = stability_limit(max(Ua.max(), U1.max(initial=0.0), U2.max(initial=0.0)), nu, cutoff)
        if dt is not None and dt > h_max:
            raise ValueError(
                f"dt must be <= the stability limit {h_max:.6g} = {THETA_MAX:g}/max|b|, "
                f"got dt={dt!r}"
            )
        if dt is not None or step <= THETA_DEFAULT / THETA_MAX * h_max * (1 + 1e-12):
            break
        step = THETA_DEFAULT / THETA_MAX * h_max

    delta0 = grid_gap(float(Ua[0]), T, nu, xi, w)
    E = np.sqrt(xi**2 + delta0**2)
    length = 0.5 * _lengths(E, T)
    sx, sy, sz = length * delta0 / E, np.zeros_like(xi), -length * xi / E
    out = np.zeros((times.size, 4))
    _integrate(xi, w, sx, sy, sz, nu, h, Ua, U1, U2, record, out)

    U_out = _attraction_samples(U, times)
    P = out[:, 0] + 1j * out[:, 1]
    n_qp = nu * out[:, 3]
    n_initial = nu * float(np.sum(w * (1.0 - 2.0 * length)))  # thermal n of eq. 11 on the grid
    normal = -nu * cutoff**2  # <H> of the T = 0 Fermi sea (on the grid |xi| has a kink at 0)
    energy = 2 * nu * out[:, 2] - U_out * np.abs(P) ** 2 - normal
    gap_continuum = float(bcs.gap(float(Ua[0]), T, nu, cutoff))
    D_end = U_out[-1] * P[-1]  # the state arrays hold the last output time now
    along = (-D_end.real * sx + D_end.imag * sy + xi * sz) / np.sqrt(xi**2 + abs(D_end) ** 2)
    spectrum = nu * ((1.0 + 2.0 * along) - (1.0 - 2.0 * length))
    return xr.Dataset(
        {
            "Delta": ("t", np.abs(U_out * P), _meta("hbar*omega", "gap |Delta(t)|")),
            "n_exc": (
                "t",
                n_qp - n_initial,
                _meta("1/site", "non-adiabatic quasi-particle density n_qp(t) - n_qp(0)"),
            ),
            "n_qp": (
                "t",
                n_qp,
                _meta("1/site", "quasi-particles above the instantaneous BCS ground state"),
            ),
            "energy": (
                "t",
                energy,
                _meta("hbar*omega/site", "<H> per site relative to the T = 0 normal state"),
            ),
            "U": ("t", U_out, _meta("hbar*omega", "attraction U(t)")),
            "n_exc_xi": (
                "xi",
                spectrum,
                _meta("1/(site*hbar*omega)", "n_exc per unit xi at the last output time"),
            ),
        },
        coords={
            "t": ("t", times, _meta("1/omega", "time")),
            "xi": ("xi", xi, _meta("hbar*omega", "level energy xi_k")),
        },
        attrs=provenance(
            long_name="collisionless time-dependent BCS (Anderson pseudospins)",
            nu=nu,
            T=T,
            cutoff=cutoff,
            n_levels=int(n_levels),
            dt=float(h.max(initial=step)),
            n_steps=int(h.size),
            stability_limit=h_max,
            revival_time=t_rev,
            integrator="Magnus-4 (two Gauss points), exact rotation per level; order 4",
            Delta_initial=delta0,
            Delta_initial_continuum=gap_continuum,
            n_qp_initial=n_initial,
        ),
    )


def _meta(units: str, long_name: str) -> dict[str, str]:
    return {"units": units, "long_name": long_name}
