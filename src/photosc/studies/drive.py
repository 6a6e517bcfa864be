"""Driven dynamics of the Raman coordinate (eq. 6): pulses that trap Q in the metastable well,
trapped fractions over pulse amplitude and duration, escape times and lifetimes.

Inputs in physical units at the edges (T in K, times in ps), internal units inside
(``photosc.units``). Every function returns an ``xarray.Dataset`` with units and long names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy.optimize import brentq, minimize_scalar

from photosc import materials
from photosc._checks import checked_grid, checked_model, checked_scalar
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import bcs, landscape
from photosc.physics.dynamics import (
    EnsembleResult,
    FlatTopPulse,
    ForceTable,
    Pulse,
    escape_rate,
    simulate,
)
from photosc.physics.kramers import well_parameters
from photosc.physics.pairing import model_attraction
from photosc.units import (
    energy_to_meV,
    rate_to_per_s,
    temperature_from_K,
    temperature_to_K,
    time_from_ps,
    time_to_ps,
)

#: Lifetime of the photo-induced state in the K3C60 experiments (refs. 10-12 of the paper), ns.
EXPERIMENT_LIFETIME_NS: float = 10.0
#: Largest trajectory-steps escape_times runs with its default watch time (~20 s on one core).
MAX_DEFAULT_WORK: float = 2e9
#: Ring-down time of the Raman mode quoted in the paper ("the 10 ps scale ring-down"), ps.
RINGDOWN_PS: float = 10.0


def gamma_from_ringdown(ringdown_ps: float, model: Model) -> float:
    """Damping gamma (units of omega) for an amplitude ring-down time (e-folding of Q), in ps:
    the free oscillation decays as exp(-gamma t / 2), so gamma = 2 / ringdown."""
    ringdown_ps = checked_scalar("ringdown_ps", ringdown_ps, positive=True)
    return 2.0 / float(time_from_ps(ringdown_ps, checked_model(model).omega_meV))


def _integer(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {name}={value!r}")
    return int(value)


def _inputs(
    model: Model, T_K: Any, gamma: Any, sites: Any, **integers: tuple[Any, int]
) -> tuple[float, float, float]:
    """Validated (T in hbar*omega, gamma in omega, sites) of a driven study; ``integers`` are
    name=(value, lowest allowed) checks."""
    checked_model(model)
    T = float(temperature_from_K(checked_scalar("T_K", T_K, nonnegative=True), model.omega_meV))
    g = gamma_from_ringdown(RINGDOWN_PS, model) if gamma is None else gamma
    g = checked_scalar("gamma", g, positive=True)
    for name, (value, low) in integers.items():
        _integer(name, value, low)
    return T, g, checked_scalar("sites", sites, positive=True)


def _metastable(model: Model, T: float) -> Any:
    cp = landscape.critical_points(model, T)
    if not np.isfinite(cp.Q_MS):
        T_K = float(temperature_to_K(T, model.omega_meV))
        raise ValueError(
            f"the landscape has no metastable minimum at T={T:.4g} hbar*omega ({T_K:.4g} K)"
        )
    return cp


def spinodal_force(model: Model, T: float) -> float:
    """The largest restoring force -f(Q) = dF/dQ on [0, Q_B] (hbar*omega/l0): a static pull
    z E^2 above it leaves no minimum near Q = 0, so Q is pulled over the barrier."""
    cp = _metastable(model, T)
    q = np.linspace(0.0, float(cp.Q_B), 2001)
    pull = -np.asarray(landscape.force(q, T, model))
    k = int(np.argmax(pull))
    lo, hi = q[max(k - 1, 0)], q[min(k + 1, q.size - 1)]
    best = minimize_scalar(
        lambda x: float(landscape.force(x, T, model)), bounds=(lo, hi), method="bounded"
    )
    return max(float(pull[k]), -float(best.fun))


def default_pulse(model: Model, T: float, gamma: float) -> FlatTopPulse:
    """A pulse that traps Q at T (hbar*omega) and damping gamma (omega), from the landscape.

    A flat top of 1.25 x ``spinodal_force``: the held coordinate jumps over the barrier. The
    plateau lasts max(2 ps, 4/gamma) so that the oscillation excited by the jump rings down (its
    energy falls by e^-4) before the 1 ps ramps (~20 periods, adiabatic) take Q into Q_MS.
    """
    rise = float(time_from_ps(1.0, model.omega_meV))
    plateau = max(float(time_from_ps(2.0, model.omega_meV)), 4.0 / gamma)
    return FlatTopPulse(
        amplitude=1.25 * spinodal_force(model, T), start=rise, duration=plateau, rise=rise
    )


def sites_for_lifetime(
    model: Model, T: float, gamma: float, lifetime_ns: float = EXPERIMENT_LIFETIME_NS
) -> float:
    """Number of sites N moving together whose escape time 1/k equals ``lifetime_ns``, with k the
    turnover rate (``WellParameters.rate``, Kramers x Mel'nikov-Meshkov); at least 1.
    T in hbar*omega, gamma in omega.
    """
    params = well_parameters(model, T)
    tau = float(time_from_ps(lifetime_ns * 1e3, model.omega_meV))

    def excess(n: float) -> float:
        rate = float(params.rate(gamma, n)) * tau
        return math.log(rate) if rate > 0 else -math.inf

    if excess(1.0) <= 0.0:
        return 1.0
    hi = 2.0
    while excess(hi) > 0.0:
        hi *= 2.0
        if hi > 1e9:
            raise RuntimeError("no number of sites reaches the lifetime (is the barrier zero?)")
    return float(brentq(excess, hi / 2.0, hi, xtol=1e-10, rtol=1e-12))


def _attrs(model: Model, T: float, gamma: float, sites: float) -> dict[str, Any]:
    return provenance(
        model, T=T, T_K=float(temperature_to_K(T, model.omega_meV)), gamma=gamma, sites=sites
    )


def _var(data: Any, dims: tuple[str, ...], units: str, long_name: str) -> xr.Variable:
    return xr.Variable(dims, np.asarray(data), {"units": units, "long_name": long_name})


def _ensemble(
    model: Model,
    T: float,
    pulse: Pulse,
    table: ForceTable,
    *,
    gamma: float,
    sites: float,
    n_traj: int,
    settle_ps: float | None,
    dt: float,
    seed: int,
    keep: int,
    threads: int = 1,
) -> tuple[EnsembleResult, Any]:
    cp = _metastable(model, T)
    settle = 3.0 / gamma if settle_ps is None else float(time_from_ps(settle_ps, model.omega_meV))
    t_end = pulse.end + settle
    n_steps = math.ceil(t_end / dt)
    result = simulate(
        table, gamma=gamma, T=T, t_end=t_end, dt=dt, n_traj=n_traj, Q0=0.0, drive=pulse,
        sites=sites, seed=seed, keep=keep, threads=threads,
        record_every=max(1, n_steps // 2000), q_arm=float(cp.Q_B), t_arm=pulse.end,
        q_exit=0.5 * float(cp.Q_B),
    )  # fmt: skip
    return result, cp


def _trapped(result: EnsembleResult) -> np.ndarray:
    """Armed after the pulse (beyond Q_B) and never back below Q_B/2 before the end."""
    return np.isfinite(result.t_armed) & np.isnan(result.t_escape)


def drive_trajectories(
    model: Model,
    T_K: float,
    pulse: Pulse | None = None,
    *,
    gamma: float | None = None,
    sites: float = 1.0,
    n_traj: int = 64,
    keep: int = 8,
    settle_ps: float | None = None,
    dt: float = 0.05,
    seed: int = 0,
    threads: int = 1,
) -> xr.Dataset:
    """Trajectories of eq. 6 from Q = 0 (thermal momenta) driven by ``pulse`` at T_K kelvin.

    Defaults: gamma from the 10 ps ring-down (``gamma_from_ringdown``), the pulse from
    ``default_pulse``; the run lasts until ``settle_ps`` (default 3/gamma) after the pulse. A
    trajectory is trapped if it stands beyond Q_B after the pulse and does not come back below
    Q_B/2 by the end. Delta(t) is the self-consistent gap at U(Q(t)) (adiabatic, eqs. 5 and 7).
    ``keep`` (at most ``n_traj``) trajectories are stored in full; ``threads``: numba threads
    for the ensemble (the numbers do not depend on it).

    ``sites`` defaults to 1 (eq. 6 as written), as in ``photosc drive``; the lifetime of the
    state comes from nucleation (``studies.nucleation``), not from a chosen number of sites.
    """
    T, gamma, sites = _inputs(
        model, T_K, gamma, sites, n_traj=(n_traj, 1), keep=(keep, 0), seed=(seed, 0)
    )
    dt = checked_scalar("dt", dt, positive=True)
    keep = min(keep, n_traj)
    if pulse is not None and not isinstance(pulse, Pulse):
        raise ValueError(f"pulse must be a photosc.physics.dynamics.Pulse, got pulse={pulse!r}")
    pulse = default_pulse(model, T, gamma) if pulse is None else pulse
    table = ForceTable.from_model(model, T)
    r, cp = _ensemble(
        model, T, pulse, table, gamma=gamma, sites=sites, n_traj=n_traj, settle_ps=settle_ps,
        dt=dt, seed=seed, keep=keep, threads=threads,
    )  # fmt: skip
    w = model.omega_meV
    U = model_attraction(model, r.Q)
    delta = energy_to_meV(bcs.gap(U, T, model.nu, model.cutoff), w)
    trapped = _trapped(r)
    ds = xr.Dataset(
        {
            "Q": _var(r.Q, ("t", "trajectory"), "l0", "Raman coordinate Q"),
            "Delta": _var(delta, ("t", "trajectory"), "meV", "gap Delta(Q(t))"),
            "mean_Q": _var(r.mean_Q, ("t",), "l0", "ensemble mean <Q>"),
            "drive": _var(r.drive, ("t",), "hbar*omega/l0", "drive z E^2(t)"),
            "trapped": _var(trapped[:keep], ("trajectory",), "1", "trapped after the pulse"),
        },
        coords={
            "t": _var(time_to_ps(r.t, w), ("t",), "ps", "time"),
            "trajectory": _var(np.arange(keep), ("trajectory",), "1", "trajectory index"),
        },
        attrs={
            **_attrs(model, T, gamma, sites),
            "long_name": "driven trajectories of eq. 6",
            "trapped_fraction": float(trapped.mean()),
            "n_traj": n_traj,
            "pulse": repr(pulse),
            "pulse_end_ps": float(time_to_ps(pulse.end, w)),
            "Q_B": float(cp.Q_B),
            "Q_MS": float(cp.Q_MS),
            "Delta_MS_meV": float(energy_to_meV(cp.Delta_MS, w)),
            "barrier_meV": float(energy_to_meV(float(cp.F_B) - float(cp.F_MS), w)),
            "seed": seed,
            "chunk_size": r.chunk_size,
        },
    )
    return ds


def trapping_map(
    model: Model,
    T_K: float,
    amplitudes: ArrayLike,
    durations_ps: ArrayLike,
    *,
    gamma: float | None = None,
    sites: float = 1.0,
    rise_ps: float = 1.0,
    n_traj: int = 32,
    settle_ps: float | None = None,
    dt: float = 0.05,
    seed: int = 0,
    chunks: int | None = None,
) -> xr.Dataset:
    """Trapped fraction over flat-top pulses of plateau ``amplitudes`` (in units of the
    ``spinodal_force``) and plateau ``durations_ps``, with ``rise_ps`` ramps, at T_K kelvin.

    One ensemble of ``n_traj`` per pulse, all with the same seed, so neighbouring pulses see the
    same noise. The per-pulse kernel is lifted with ``xarray.apply_ufunc``; with ``chunks`` (pulse
    amplitudes per dask chunk) the map is a lazy dask computation, run in parallel on compute.
    (``photosc drive --map`` uses 16 trajectories per pulse and its own ``sites`` default.)
    """
    T, gamma, sites = _inputs(model, T_K, gamma, sites, n_traj=(n_traj, 1), seed=(seed, 0))
    amps = checked_grid("amplitudes", amplitudes, nonnegative=True)
    durs = checked_grid("durations_ps", durations_ps, nonnegative=True)
    rise_ps = checked_scalar("rise_ps", rise_ps, positive=True)
    dt = checked_scalar("dt", dt, positive=True)
    if chunks is not None:
        _integer("chunks", chunks, 1)
    scale = spinodal_force(model, T)
    w = model.omega_meV
    rise = float(time_from_ps(rise_ps, w))
    table = ForceTable.from_model(model, T)

    def fraction(a: float, d: float) -> float:
        pulse = FlatTopPulse(a * scale, rise, float(time_from_ps(d, w)), rise)
        r, _ = _ensemble(
            model, T, pulse, table, gamma=gamma, sites=sites, n_traj=n_traj,
            settle_ps=settle_ps, dt=dt, seed=seed, keep=0,
        )  # fmt: skip
        return float(_trapped(r).mean())

    amp = xr.DataArray(amps, dims="amplitude")
    dur = xr.DataArray(durs, dims="duration")
    if chunks is not None:
        amp = amp.chunk({"amplitude": chunks})
    values = xr.apply_ufunc(
        fraction, amp, dur, vectorize=True, dask="parallelized", output_dtypes=[float]
    )
    return xr.Dataset(
        {
            "trapped_fraction": values.assign_attrs(
                units="1", long_name="trapped fraction"
            ).transpose("amplitude", "duration")
        },
        coords={
            "amplitude": _var(amps, ("amplitude",), "spinodal force", "plateau z E0^2"),
            "duration": _var(durs, ("duration",), "ps", "plateau duration"),
        },
        attrs={
            **_attrs(model, T, gamma, sites),
            "long_name": "trapped fraction after a flat-top pulse",
            "spinodal_force": scale,
            "rise_ps": rise_ps,
            "n_traj": n_traj,
            "seed": seed,
        },
    )


def escape_times(
    model: Model,
    T_K: float,
    *,
    gamma: float | None = None,
    sites: float = 1.0,
    n_traj: int = 2048,
    t_end_ps: float | None = None,
    dt: float = 0.1,
    seed: int = 0,
    threads: int = 1,
) -> xr.Dataset:
    """First-passage times from Q_MS (thermal momenta) back to the Q = 0 basin (below Q_B/2).

    Default watch time: 2 / (turnover rate); ValueError if that needs more than
    ``MAX_DEFAULT_WORK`` trajectory-steps. escape_time is NaN for trajectories that had not
    escaped by then; attrs hold the censored maximum-likelihood rate, the turnover rate and
    Kramers' moderate-damping rate (per s). ``threads`` as for ``drive_trajectories``.
    """
    T, gamma, sites = _inputs(model, T_K, gamma, sites, n_traj=(n_traj, 1), seed=(seed, 0))
    dt = checked_scalar("dt", dt, positive=True)
    if t_end_ps is not None:
        t_end_ps = checked_scalar("t_end_ps", t_end_ps, positive=True)
    cp = _metastable(model, T)
    params = well_parameters(model, T)
    k = float(params.rate(gamma, sites))
    k_kramers = float(params.rate(gamma, sites, turnover=False))
    w = model.omega_meV
    t_end = 2.0 / k if t_end_ps is None else float(time_from_ps(t_end_ps, w))
    if t_end_ps is None and t_end / dt * n_traj > MAX_DEFAULT_WORK:
        raise ValueError(
            f"the expected lifetime {time_to_ps(1 / k, w):.3g} ps is too long to wait for by "
            f"default (sites={sites!r}); give t_end_ps or fewer sites"
        )
    r = simulate(
        ForceTable.from_model(model, T), gamma=gamma, T=T, t_end=t_end, dt=dt, n_traj=n_traj,
        Q0=float(cp.Q_MS), sites=sites, seed=seed, record_every=max(1, math.ceil(t_end / dt)),
        q_arm=float(cp.Q_B), q_exit=0.5 * float(cp.Q_B), absorb=True, threads=threads,
    )  # fmt: skip
    n_esc = int(np.isfinite(r.escape_time).sum())
    rate, err = escape_rate(r.escape_time, r.t_end) if n_esc else (math.nan, math.nan)
    return xr.Dataset(
        {"escape_time": _var(time_to_ps(r.escape_time, w), ("trajectory",), "ps", "escape time")},
        coords={
            "trajectory": _var(np.arange(n_traj), ("trajectory",), "1", "trajectory index"),
        },
        attrs={
            **_attrs(model, T, gamma, sites),
            "long_name": "escape times from the metastable well",
            "t_end_ps": float(time_to_ps(r.t_end, w)),
            "n_escaped": n_esc,
            "rate_per_s": float(rate_to_per_s(rate, w)),
            "rate_error_per_s": float(rate_to_per_s(err, w)),
            "turnover_rate_per_s": float(rate_to_per_s(k, w)),
            "kramers_rate_per_s": float(rate_to_per_s(k_kramers, w)),
            "seed": seed,
            "chunk_size": r.chunk_size,
        },
    )


def lifetime_curve(
    model: Model, T_K: ArrayLike, *, ringdown_ps: float = RINGDOWN_PS, sites: float = 1.0
) -> xr.Dataset:
    """Lifetime tau_esc = 1/k (ns) of the metastable state of ``model`` at temperatures T_K (K),
    next to the experiments' 10 ns: with the turnover rate (valid at any damping; the 10 ps
    ring-down is weak damping) and with Kramers' moderate-damping rate (shorter there), the
    number of sites that must move together for 10 ns, the barrier and barrier/T per site.

    NaN where the landscape has no metastable minimum, inf at T = 0 or where the escape rate
    underflows (below 1e-308 omega, at T far below the barrier). Both rates assume
    sites x barrier / T >> 1; where it is below ~3 the "lifetime" is only the order of
    magnitude of a fast relaxation.
    """
    ts = checked_grid("T_K", T_K, nonnegative=True)
    gamma = gamma_from_ringdown(ringdown_ps, model)
    sites = checked_scalar("sites", sites, positive=True)
    w = model.omega_meV
    tau, tau_k, need, barrier, ratio = (np.full(ts.size, np.nan) for _ in range(5))
    for j, tk in enumerate(ts):
        T = float(temperature_from_K(tk, w))
        if not np.isfinite(landscape.critical_points(model, T).Q_MS):
            continue
        if T == 0:  # no thermal escape at all
            tau[j] = tau_k[j] = np.inf
            continue
        params = well_parameters(model, T)
        with np.errstate(divide="ignore"):  # a rate below 1e-308: a lifetime beyond any scale
            tau[j] = 1e9 / np.float64(rate_to_per_s(params.rate(gamma, sites), w))
            tau_k[j] = 1e9 / np.float64(rate_to_per_s(params.rate(gamma, sites, turnover=False), w))
        need[j] = sites_for_lifetime(model, T, gamma)
        barrier[j] = energy_to_meV(params.barrier, w)
        ratio[j] = params.barrier / T
    dims = ("T_K",)  # in K, like the T_K coordinate of the other studies
    return xr.Dataset(
        {
            "tau_esc": _var(tau, dims, "ns", "lifetime (Kramers x Mel'nikov-Meshkov)"),
            "tau_kramers": _var(tau_k, dims, "ns", "lifetime (Kramers, moderate damping)"),
            "sites_for_10ns": _var(need, dims, "1", "sites moving together for 10 ns"),
            "barrier": _var(barrier, dims, "meV", "barrier F(Q_B) - F(Q_MS) per site"),
            "barrier_over_T": _var(ratio, dims, "1", "barrier / T per site"),
        },
        coords={"T_K": _var(ts, dims, "K", "temperature")},
        attrs={
            **provenance(model),
            "gamma": gamma,
            "long_name": "lifetime of the metastable state",
            "ringdown_ps": ringdown_ps,
            "sites": sites,
            "experiment_lifetime_ns": EXPERIMENT_LIFETIME_NS,
        },
    )


def lifetimes(
    name: str,
    Z_inv: ArrayLike,
    T_K: ArrayLike,
    *,
    ringdown_ps: float = RINGDOWN_PS,
    sites: float = 1.0,
) -> xr.Dataset:
    """``lifetime_curve`` along the Mott renormalisation path of material ``name`` (Z = 1/Z_inv)."""
    zs = checked_grid("Z_inv", Z_inv, positive=True)
    if np.any(zs < 1):
        raise ValueError(f"Z_inv must be >= 1, got Z_inv={float(zs.min())!r}")
    curves = [
        lifetime_curve(materials.load(name, Z=1.0 / z), T_K, ringdown_ps=ringdown_ps, sites=sites)
        for z in zs
    ]
    ds = xr.concat([c.drop_attrs() for c in curves], dim="Z_inv")
    ds = ds.assign_coords(Z_inv=_var(zs, ("Z_inv",), "1", "Mott renormalisation 1/Z"))
    for var in curves[0].variables:
        ds[var].attrs = dict(curves[0][var].attrs)
    ds.attrs = {
        **provenance(materials.load(name)),
        "material": name,
        "long_name": "lifetime of the metastable state along the Mott path",
        "ringdown_ps": ringdown_ps,
        "sites": sites,
        "experiment_lifetime_ns": EXPERIMENT_LIFETIME_NS,
    }
    return ds
