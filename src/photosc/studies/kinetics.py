"""Kinetics of the trapped state after the pulse: how long the trapped gap survives.

Rate equation for the quasi-particle density n per site (eq. 11 normalisation):

    dn/dt = G(Delta_tr, lam, T) - R(Delta_tr, lam, T),   (Delta_tr, lam) = trapped gap at n,

with G and R from ``photosc.physics.rates.pair_rates``:
the golden-rule rates of eqs. C3 and C5 for a tagged state at energy E (Kaplan et al.'s form),
summed over all 4 nu rho(E) dE states per site, each weighted by its Pauli factor (1 - f(E)) or
f(E). Each broken pair adds 2 to n and is counted once from each member, so no extra factor.
Number-conserving scattering (Gamma_s) is taken to be fast: it keeps f thermal at T with the
chemical potential lam of eqs. 9-11, so (Delta_tr, lam) are re-solved from n at every step.
While lam > 0 (fewer quasi-particles than thermal at Delta_tr) G > R: n grows and Delta_tr
shrinks along a single branch without folds (along eq. 10, dlam/dDelta = -I_Delta/I_lam > 0 and
eq. 11 falls with both Delta and lam). Above T_c the gap vanishes where n reaches the end of the
branch; below T_c it relaxes to the equilibrium gap (lam -> 0) and halves only if that lies below
half. The per-state Gamma_g at the gap edge relates to G by G = 2 nu sqrt(2 pi Delta T) Gamma_g
for T << Delta (the number of gap-edge states per site), so the half-life is not tau_g itself but
the time to generate the quasi-particles that halve the gap.

Units: times in 1/omega (with ns alongside), rates in omega, energies in hbar*omega.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import xarray as xr
from numpy.polynomial import chebyshev as C
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicSpline

from photosc._checks import (
    FloatArray,
    broadcast,
    checked,
    checked_grid,
    checked_model,
    checked_temperature,
)
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import bcs, rates
from photosc.physics.spectra import Spectrum
from photosc.studies import trapping
from photosc.studies.trapping import DENSITY, ENERGY, meta, temperature_coords, trapped_state
from photosc.units import rate_to_per_s, temperature_to_K

#: Chebyshev points for the half-life quadrature, and the cap on root-finding iterations.
_CHEB = 32
_ILLINOIS = 200
#: The rate-equation table: start nodes, refinement rounds, and its accuracy: x = ln n,
#: ln(G/n) and ln(R/n) within 1e-7 (relative 1e-7 in n, G and R) at every interval's mid-point,
#: the relative tolerance LSODA integrates with. (G/n and R/n are only piecewise smooth: they
#: kink where 2 Delta_tr crosses a knot of alpha^2 F, which is what the refinement resolves.)
_TABLE_NODES = 33
_TABLE_ROUNDS = 16
_TABLE_TOL = 1e-7


def time_ns(t: ArrayLike, omega_meV: float) -> Any:
    """Internal time (1/omega) -> ns."""
    return np.asarray(t) / rate_to_per_s(1.0, omega_meV) * 1e9


def _normal_lam(model: Model, n: FloatArray, T: FloatArray) -> FloatArray:
    """lam of the normal state holding n: the inverse of eq. 11 at Delta = 0, in closed form.

    n = 4 nu T ln((1 + x)/(1 + x e^{-c/T})), x = e^{-lam/T}.
    """
    a = n / (4 * model.nu * T)
    x = np.expm1(a) / -np.expm1(a - model.cutoff / T)
    return -T * np.log(x)


def net_rates(
    model: Model, spectrum: Spectrum, T: ArrayLike, n: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(Delta_tr, lam, G, R) at density n (per site) and temperature T > 0 (broadcast).

    Delta_tr and lam from ``bcs.trapped_gap``; where no trapped gap exists the normal state
    (Delta = 0, lam from eq. 11) is used. G, R in omega per site.
    """
    Tv = checked_temperature("T", T, checked_model(model), positive=True)
    rates.check_spectrum(spectrum)
    Tv, nv = broadcast(T=Tv, n=checked("n", n, positive=True))
    d, lam = (
        np.asarray(a, dtype=float)
        for a in bcs.trapped_gap(nv, model.U0, Tv, model.nu, model.cutoff)
    )
    lam = np.where(d > 0, lam, _normal_lam(model, nv, Tv))
    G, R = (np.asarray(r) for r in rates.pair_rates(d, Tv, spectrum, model.nu, lam))
    return d, lam, G, R


@dataclass(frozen=True)
class RateTable:
    """The rate equation of ``net_rates`` at one (model, spectrum, T) along its path from
    x0 = ln n* towards the fixed point, tabulated in the path coordinate
    p = |x - x0| + |ln(Delta_tr / Delta_tr(n*))|, which grows along the path (Delta_tr is
    monotonic on it, see the module docstring) and stays smooth where Delta_tr(n) plunges at
    the end of the superconducting branch. Cubic splines of x, ln(G/n) and ln(R/n) in p, on
    [0, p_max], refined until every interval's mid-point agrees with ``net_rates`` to
    _TABLE_TOL (``max_error``: the largest disagreement found; ``converged`` False if some
    interval did not get there in _TABLE_ROUNDS rounds). ``p_half``, ``p_gone``: where Delta_tr
    falls to half its initial value and where the superconducting solution ends (nan if not on
    the path).
    """

    x: CubicSpline
    log_G: CubicSpline
    log_R: CubicSpline
    p_max: float
    p_half: float
    p_gone: float
    max_error: float
    converged: bool

    def dp_dt(self, p: float) -> float:
        """dp/dt = (d ln n/dt) / (dx/dp), in omega."""
        rate = math.exp(float(self.log_G(p))) - math.exp(float(self.log_R(p)))
        return rate / float(self.x(p, 1))


def _exact_rates(
    model: Model, spectrum: Spectrum, T: float, x: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(Delta_tr, ln(G/n), ln(R/n)) at ln n = x from ``net_rates`` (1-d arrays)."""
    d, _, G, R = net_rates(model, spectrum, T, np.exp(x))
    return d, np.log(G) - x, np.log(R) - x


def _boundary(inside: Callable[[FloatArray], Any], x_in: float, x_out: float) -> float:
    """The boundary between x_in (``inside``) and x_out (not) to 1e-10 in ln n (a shift of the
    event time by 1e-10 / |d ln n/dt|), by rounds of 31 points evaluated at once (``inside``
    maps an array of x to booleans)."""
    while abs(x_out - x_in) > 1e-10 * max(1.0, abs(x_in)):
        grid = np.linspace(x_in, x_out, 33)[1:-1]
        ok = inside(grid)
        k = int(np.argmin(ok)) if not ok.all() else grid.size
        x_in = float(grid[k - 1]) if k > 0 else x_in
        x_out = float(grid[k]) if k < grid.size else x_out
    return x_in


def _branch_end(model: Model, T: float, x_in: float, x_out: float) -> float:
    """ln n just below ``bcs.trapped_density_limit`` if that limit lies between x_in (a gap)
    and x_out (none), else nan (the gap is lost some other way: search for it)."""
    limit = math.log(float(bcs.trapped_density_limit(model.U0, T, model.nu, model.cutoff)))
    x = limit - 1e-13 * max(1.0, abs(limit))
    lo, hi = min(x_in, x_out), max(x_in, x_out)
    if not lo < x < hi:
        return math.nan
    has_gap = float(bcs.trapped_gap(math.exp(x), model.U0, T, model.nu, model.cutoff)[0]) > 0
    return x if has_gap else math.nan


def rate_table(model: Model, spectrum: Spectrum, T: float, x0: float, x1: float) -> RateTable:
    """Tabulate the rate equation from ln n = x0 towards x1 (T > 0), cut at the end of the
    superconducting branch if it lies in between; see ``RateTable``."""

    def trapped(x: FloatArray) -> FloatArray:
        return np.asarray(bcs.trapped_gap(np.exp(x), model.U0, T, model.nu, model.cutoff)[0])

    nodes = np.linspace(x0, x1, _TABLE_NODES)
    d, lg, lr = _exact_rates(model, spectrum, T, nodes)
    d0 = float(d[0])
    p_gone = math.nan
    if np.any(d == 0):  # the branch ends on the path: tabulate its superconducting side only
        k = int(np.argmax(d == 0))
        x_gone = _branch_end(model, T, nodes[k - 1], nodes[k])
        if math.isnan(x_gone):
            x_gone = _boundary(lambda x: trapped(x) > 0, nodes[k - 1], nodes[k])
        nodes = np.linspace(x0, x_gone, _TABLE_NODES)
        d, lg, lr = _exact_rates(model, spectrum, T, nodes)
        p_gone = abs(x_gone - x0) + abs(math.log(float(d[-1]) / d0))
    p_half = math.nan
    if np.any(d <= d0 / 2):
        k = int(np.argmax(d <= d0 / 2))
        x_half = _boundary(lambda x: trapped(x) > d0 / 2, nodes[k - 1], nodes[k])
        p_half = abs(x_half - x0) + math.log(2.0)

    def path(x: FloatArray, delta: FloatArray) -> FloatArray:
        return np.abs(x - x0) + np.abs(np.log(delta / d0))

    p = path(nodes, d)
    mid = 0.5 * (nodes[:-1] + nodes[1:])
    d_mid, lg_mid, lr_mid = _exact_rates(model, spectrum, T, mid)
    for round_ in range(_TABLE_ROUNDS):
        splines = [CubicSpline(p, v) for v in (nodes, lg, lr)]
        p_mid = path(mid, d_mid)
        error = np.max(
            [np.abs(f(p_mid) - v) for f, v in zip(splines, (mid, lg_mid, lr_mid), strict=True)],
            axis=0,
        )
        bad = error > _TABLE_TOL
        if not np.any(bad) or round_ == _TABLE_ROUNDS - 1:
            break
        # split the bad intervals at their mid-points; only the new halves need new checks
        new_mid = np.concatenate([0.5 * (nodes[:-1] + mid)[bad], 0.5 * (mid + nodes[1:])[bad]])
        d_new, lg_new, lr_new = _exact_rates(model, spectrum, T, new_mid)
        order = np.argsort(p_all := np.concatenate([p, p_mid[bad]]))
        p = p_all[order]
        nodes, d, lg, lr = (
            np.concatenate([a, b[bad]])[order]
            for a, b in ((nodes, mid), (d, d_mid), (lg, lg_mid), (lr, lr_mid))
        )
        keep = ~bad
        order = np.argsort(m_all := np.concatenate([mid[keep], new_mid]))
        mid = m_all[order]
        d_mid, lg_mid, lr_mid = (
            np.concatenate([a[keep], b])[order]
            for a, b in ((d_mid, d_new), (lg_mid, lg_new), (lr_mid, lr_new))
        )
    x_of_p, log_G, log_R = splines
    return RateTable(
        x=x_of_p,
        log_G=log_G,
        log_R=log_R,
        p_max=float(p[-1]),
        p_half=p_half,
        p_gone=p_gone,
        max_error=float(np.max(error)),
        converged=not np.any(bad) and bool(np.all(np.isfinite(error))),  # G or R may underflow
    )


def _before(p_c: float) -> Callable[[float], float]:
    """Event function p_c - p (never zero if p_c is nan)."""
    return (lambda p: 1.0) if math.isnan(p_c) else (lambda p: p_c - p)


def _direct_rate(
    model: Model, spectrum: Spectrum, T: float, d0: float
) -> tuple[Callable[[float], float], Callable[[float], float], Callable[[float], float]]:
    """d ln n/dt at ln n, and the event functions "Delta_tr = d0/2" and "no gap", evaluated
    exactly (cached: the events revisit the solver's points)."""

    @lru_cache(maxsize=512)
    def state(log_n: float) -> tuple[float, float]:
        d, lg, lr = _exact_rates(model, spectrum, T, np.array([log_n]))
        return float(d[0]), math.exp(float(lg[0])) - math.exp(float(lr[0]))

    return (
        lambda x: state(x)[1],
        lambda x: state(x)[0] - d0 / 2,
        lambda x: state(x)[0] - 1e-9 * d0,
    )


def _equilibrium_gap(model: Model, T: FloatArray) -> FloatArray:
    return np.asarray(bcs.gap(model.U0, T, model.nu, model.cutoff))


def _lam_on_curve(model: Model, delta: FloatArray, T: FloatArray, lam_hi: FloatArray) -> FloatArray:
    """lam > 0 solving eq. 10 at fixed Delta, by the Illinois method on [0, lam_hi].

    Requires Delta_eq(T) < Delta < Delta0 and a bracket lam_hi with I(Delta, T, lam_hi) above
    1/(nu U0); I increases with lam.
    """
    target = 1.0 / model.lam_eff

    def residual(lam: FloatArray) -> FloatArray:
        return np.asarray(bcs.gap_integral(delta, T, model.cutoff, lam)) - target

    a, b = np.zeros_like(delta), np.broadcast_to(lam_hi, delta.shape).astype(float)
    fa, fb = residual(a), residual(b)
    side = np.zeros(delta.shape)
    for _ in range(_ILLINOIS):
        c = (a * fb - b * fa) / (fb - fa)
        fc = residual(c)
        left = fc * fb < 0  # root in [c, b]: move a
        a, fa = np.where(left, b, a), np.where(left, fb, fa)
        # Illinois: halve the retained end's value when the same end is kept twice
        fa = np.where(~left & (side == -1), fa / 2, fa)
        side = np.where(left, 0.0, -1.0)
        b, fb = c, fc
        if np.all((np.abs(b - a) <= 1e-14 * np.abs(b)) | (fb == 0)):
            return b
    raise RuntimeError("eq. 10 for lam at fixed Delta did not converge")


def half_life(
    model: Model, spectrum: Spectrum, T: ArrayLike, n_star: ArrayLike
) -> dict[str, FloatArray]:
    """Time for the trapped gap to fall to half its initial value, t = int dn / (G - R).

    The rate equation is autonomous in n, so the half-life is a quadrature. For lam > 0 the
    solutions of eqs. 10-11 form one branch on which n falls monotonically with Delta (I_Delta < 0,
    I_lam > 0, n_Delta < 0, n_lam < 0: no fold), so the integral is taken over Delta from
    Delta_tr(n*)/2 to Delta_tr(n*): lam(Delta) from eq. 10, n(Delta) from eq. 11, dn/dDelta and
    the integral from Chebyshev interpolation (spectral accuracy).
    T > 0, n_star per site, broadcast. Returns arrays t_half (1/omega; inf where the gap never
    halves: it relaxes to an equilibrium gap above half, or n* exceeds the thermal density; NaN
    where n* traps no gap), delta_tr0, lam0.
    """
    Tv = checked_temperature("T", T, checked_model(model), positive=True)
    rates.check_spectrum(spectrum)
    n0 = checked("n_star", n_star, positive=True)
    Tv, n0 = (np.array(a, dtype=float) for a in broadcast(T=Tv, n_star=n0))
    d0, lam0 = (
        np.asarray(a, dtype=float)
        for a in bcs.trapped_gap(n0, model.U0, Tv, model.nu, model.cutoff)
    )
    halves = (d0 > 0) & (lam0 > 0) & (d0 / 2 > _equilibrium_gap(model, Tv))
    t_half = np.where(d0 > 0, np.inf, np.nan)
    if np.any(halves):
        d_top, lam_top, T_h = d0[halves], lam0[halves], Tv[halves]
        x = np.cos(np.pi * (np.arange(_CHEB) + 0.5) / _CHEB)  # Chebyshev points in (-1, 1)
        delta = d_top[:, None] * (3 + x) / 4  # [d0/2, d0]
        TT = np.broadcast_to(T_h[:, None], delta.shape)
        lam = _lam_on_curve(model, delta, TT, lam_top[:, None])
        n = np.asarray(bcs.quasiparticle_density(delta, TT, model.nu, model.cutoff, lam))
        log_n = C.chebfit(x, np.log(n).T, _CHEB - 1)
        dn_dx = n * C.chebval(x, C.chebder(log_n))
        G, R = (np.asarray(r) for r in rates.pair_rates(delta, TT, spectrum, model.nu, lam))
        integrand = C.chebfit(x, (-dn_dx / (G - R)).T, _CHEB - 1)
        antider = C.chebint(integrand, lbnd=-1)
        t_half[halves] = C.chebval(1.0, antider)
    return {"t_half": t_half, "delta_tr0": d0, "lam0": lam0}


def relaxation(
    model: Model,
    spectrum: Spectrum,
    T: float,
    n_star: float,
    t_max: float | None = None,
    num: int = 200,
    tabulate: bool = True,
) -> xr.Dataset:
    """Delta_tr(t), lam(t), n(t), G(t), R(t) after the pulse, from the rate equation.

    Integrates d ln n/dt = (G - R)/n with scipy's LSODA (stiff-safe) from n(0) = n* (per site)
    at temperature T > 0 up to t_max (1/omega; default 1.5 x the half-life, or 20 x the initial
    relaxation time when the gap never halves), or until the superconducting solution is gone.
    The right-hand side comes from a ``rate_table`` built once (relative error <= 1e-7), whose
    cheap steps LSODA takes at rtol 1e-10; ``tabulate=False``, or a table that does not
    converge, re-solves the trapped gap and the rates at every step instead (rtol 1e-7). On the
    issue-15 case the half-life is then within 1e-8 (table) and 2e-7 (direct) of the quadrature
    of dn / (G - R) on the exact rates. The returned Delta_tr, lam, G and R are exact at the
    returned n(t). attrs: half_life (1/omega and ns; inf if not reached),
    delta_tr0, tau_g (1/Gamma_g at t = 0), tau_g_asymptotic (eqs. 12-13 corrected).
    """
    T = float(checked_temperature("T", T, checked_model(model), positive=True))
    n0 = float(checked("n_star", n_star, positive=True))
    if not isinstance(num, int | np.integer) or num < 2:
        raise ValueError(f"num must be an integer >= 2, got num={num!r}")
    d0, lam0, G0, R0 = (float(a) for a in net_rates(model, spectrum, T, n0))
    if d0 == 0:
        raise ValueError(f"n_star={n0!r} traps no gap at T={T!r}: nothing to relax")
    if G0 == R0:
        raise ValueError(f"n_star={n0!r} is the equilibrium density at T={T!r}: nothing relaxes")
    predicted = float(half_life(model, spectrum, T, n0)["t_half"])
    d_eq = _equilibrium_gap(model, np.array(T))
    n_eq = float(bcs.quasiparticle_density(d_eq, T, model.nu, model.cutoff))
    if t_max is None:
        t_max = 1.5 * predicted if np.isfinite(predicted) else 20 * abs(n_eq - n0) / abs(G0 - R0)
    t_max = float(checked("t_max", t_max, positive=True))
    # n runs monotonically from n* towards the fixed point n_eq (G = R): tabulate that range
    # (2% beyond n_eq for the solver's overshoot) and integrate in the table's path coordinate
    x0, x_eq = math.log(n0), math.log(n_eq)
    table = rate_table(model, spectrum, T, x0, x_eq + 0.02 * (x_eq - x0)) if tabulate else None
    speed: Callable[[float], float]
    to_log_n: CubicSpline | None
    if table is not None and table.converged:  # cheap steps: solve to the table's accuracy
        y0, to_log_n, rtol = 0.0, table.x, 1e-10
        speed, half_at, gone_at = table.dp_dt, _before(table.p_half), _before(table.p_gone)
    else:  # direct: re-solve the trapped gap and the rates at every step
        y0, to_log_n, rtol = x0, None, 1e-7
        speed, half_at, gone_at = _direct_rate(model, spectrum, T, d0)

    def rhs(_t: float, y: FloatArray) -> FloatArray:
        return np.array([speed(float(y[0]))])

    # Delta_tr is monotonic along the path (see the module docstring): "Delta_tr = Delta_tr(0)/2"
    # and "the gap is gone" are crossings of fixed values of the integration variable
    def halved(_t: float, y: FloatArray) -> float:
        return half_at(float(y[0]))

    def gone(_t: float, y: FloatArray) -> float:
        return gone_at(float(y[0]))

    gone.terminal = True  # type: ignore[attr-defined]
    sol = solve_ivp(
        rhs,
        (0.0, t_max),
        [y0],
        method="LSODA",
        rtol=rtol,
        atol=1e-3 * rtol,
        events=[halved, gone],
        dense_output=True,
    )
    if sol.status < 0:
        raise RuntimeError(f"rate equation failed at T={T!r}, n*={n0!r}: {sol.message}")
    t = np.linspace(0.0, sol.t[-1], num)
    y = sol.sol(t)[0]
    n = np.exp(y if to_log_n is None else to_log_n(y))
    d, lam, G, R = net_rates(model, spectrum, T, n)
    t_half = float(sol.t_events[0][0]) if sol.t_events[0].size else np.inf
    lam_safe = np.nan_to_num(lam0)
    tau_g = 1.0 / float(rates.generation_rate(d0, T, spectrum, lam_safe))
    with np.errstate(divide="ignore", over="ignore"):
        tau_asym = float(rates.generation_time_asymptotic(d0, T, spectrum))
    time_coords = {
        "t": ("t", t, meta("1/omega", "time after the pulse")),
        "t_ns": ("t", time_ns(t, model.omega_meV), meta("ns", "time after the pulse")),
    }
    return xr.Dataset(
        {
            "n": ("t", n, meta(DENSITY, "quasi-particle density")),
            "delta_tr": ("t", d, meta(ENERGY, "trapped gap Delta_tr")),
            "lam": ("t", lam, meta(ENERGY, "Bogoliubov chemical potential lambda")),
            "G": ("t", G, meta("omega/site", "quasi-particle generation rate per site")),
            "R": ("t", R, meta("omega/site", "quasi-particle recombination rate per site")),
        },
        coords=time_coords,
        attrs={
            **provenance(model, Tc_K=model.Tc_K),
            "T": T,
            "T_K": float(temperature_to_K(T, model.omega_meV)),
            "n_star": n0,
            "delta_tr0": d0,
            "half_life": t_half,
            "half_life_ns": float(time_ns(t_half, model.omega_meV)),
            "half_life_quadrature": predicted,
            "tau_g": tau_g,
            "tau_g_ns": float(time_ns(tau_g, model.omega_meV)),
            "tau_g_asymptotic": tau_asym,
            "tau_g_asymptotic_ns": float(time_ns(tau_asym, model.omega_meV)),
        },
    )


#: The variables of ``lifetimes`` with their long names (attrs of the state's from trapping).
_LIFETIMES = {
    "tau_g": "generation time 1/Gamma_g (eq. C3)",
    "tau_s": "scattering time 1/Gamma_s (eq. C4)",
    "tau_r": "recombination time 1/Gamma_r (eq. C5)",
    "tau_g_asym": "generation time, low-T limit (eqs. 12-13 corrected)",
    "half_life": "time for Delta_tr to fall to half",
}
_STATE = ("delta_star", "n_star", "delta_tr", "lam", "delta_eq")


def _lifetimes_block(
    T: FloatArray, *, model: Model, spectrum: Spectrum, Q_star: float
) -> tuple[FloatArray, ...]:
    """``lifetimes`` on a block of temperatures: its variables (in _LIFETIMES, then _STATE
    order), every temperature on its own."""
    state = trapped_state(model, Q_star, T).isel(Q_star=0)
    Tv = state["T"].values
    d, lam = state["delta_tr"].values, state["lam"].values
    sc = (d > 0) & (state["n_star"].values > 0)  # n* = 0 (underflow): nothing trapped
    taus: dict[str, FloatArray] = {}
    for name, rate in (
        ("tau_g", rates.generation_rate),
        ("tau_s", rates.scattering_rate),
        ("tau_r", rates.recombination_rate),
    ):
        taus[name] = np.full(d.shape, np.nan)
        if np.any(sc):
            r = np.asarray(rate(d[sc], Tv[sc], spectrum, lam[sc]))
            taus[name][sc] = np.asarray(rates.time_ns(r, model.omega_meV))
    taus["tau_g_asym"] = np.full(d.shape, np.nan)
    taus["half_life"] = np.full(d.shape, np.nan)
    if np.any(sc):
        with np.errstate(over="ignore"):
            asym = rates.generation_rate_asymptotic(d[sc], Tv[sc], spectrum)
        taus["tau_g_asym"][sc] = rates.time_ns(asym, model.omega_meV)
        hl = half_life(model, spectrum, Tv[sc], state["n_star"].values[sc])
        taus["half_life"][sc] = time_ns(hl["t_half"], model.omega_meV)
    return *(taus[k] for k in _LIFETIMES), *(state[k].values for k in _STATE)


def lifetimes(
    model: Model, spectrum: Spectrum, T: ArrayLike, Q_star: float, *, chunks: int | None = None
) -> xr.Dataset:
    """tau_g, tau_s, tau_r and the half-life of the trapped gap versus T, after holding Q*.

    The trapped state at each T comes from ``trapped_state(model, Q_star, T)``; the per-state
    times are 1/Gamma at (Delta_tr, lam) of that state (``photosc.physics.rates``), tau_g_asym is
    eq. 12 with the corrected eq. 13 at Delta_tr. All times in ns; NaN where no gap is trapped
    or where n* underflows to 0 (no quasi-particle is trapped, nothing relaxes).
    The block kernel is lifted with ``xarray.apply_ufunc(dask="parallelized")``; with ``chunks``
    (temperatures per dask chunk) the result is lazy, with the same numbers.
    """
    rates.check_spectrum(spectrum)
    Q_star = float(checked("Q_star", Q_star))
    Tv = checked_grid("T", checked_temperature("T", T, checked_model(model), positive=True))
    if chunks is not None and not (type(chunks) is int and chunks >= 1):
        raise ValueError(f"chunks must be an integer >= 1, got chunks={chunks!r}")
    T_da = xr.DataArray(Tv, dims="T")
    if chunks is not None:
        T_da = T_da.chunk({"T": chunks})
    names = [*_LIFETIMES, *_STATE]
    outputs = xr.apply_ufunc(
        _lifetimes_block, T_da,
        kwargs={"model": model, "spectrum": spectrum, "Q_star": Q_star},
        output_core_dims=[[] for _ in names], dask="parallelized",
        output_dtypes=[float] * len(names),
    )  # fmt: skip
    attrs = {k: meta("ns", v) for k, v in _LIFETIMES.items()} | trapping.STATE_ATTRS
    data = {k: v.assign_attrs(attrs[k]) for k, v in zip(names, outputs, strict=True)}
    return xr.Dataset(
        data,
        coords=temperature_coords(model, Tv),
        attrs={
            **provenance(model),
            "Q_star": float(Q_star),
            "Delta0": model.Delta0,
            "Tc_K": model.Tc_K,
        },
    )
