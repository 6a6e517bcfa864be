"""Is the relaxation adiabatic? Collisionless BCS (``photosc.physics.tdbcs``) under U(Q(t)).

The quasi-particle-trapping protocol (Fig. 4 of the paper) holds Q at Q* until the electrons are
thermal at T with U* = U(Q*) (gap Delta*, quasi-particle density n*, eq. 11), then releases Q,
which "relaxes over the 10 ps scale ring-down time of the Raman mode"; the paper takes the
"non-adiabatic heating of quasiparticles as the interaction U(Q) changes" to be negligible for
large gaps. Here the electrons follow U(Q(t)) by the collisionless time-dependent BCS equations
and n_exc, the quasi-particles created above the instantaneous ground state, is set against n*
and against the n* at which the trapped gap is lost (``bcs.trapped_gap``).

Release paths, from rest at Q* (ring-down time tau = amplitude e-folding, gamma = 2/tau as in
``studies.drive``):
  "ringing":   Q = Q* e^(-t/tau) (cos w_d t + sin(w_d t)/(w_d tau)), w_d = sqrt(1 - 1/tau^2): the
               free damped Raman oscillator (eq. 6 without its BCS force, which is < 1e-3 of the
               elastic one along the release for K3C60), so U(Q(t)) oscillates at 2 omega;
  "monotonic": Q = Q* e^(-t/tau), the overdamped picture of a slow release.
The run lasts RELEASE_EFOLDS ring-down times (U - U0 ~ e^-8 of U* - U0 at the end); n_exc and the
final gap are averaged over the last FINAL_WINDOW of it. Between the two, ``switch_off_scan``
switches the holding force off over a finite time t_off (Q then follows the force for
t_off >> 1/omega): how slowly the drive must end for the electrons to stay adiabatic.

Units: inputs at the edges in K and ps; datasets carry ps, meV and densities per site.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from photosc._checks import FloatArray, checked
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import bcs, tdbcs
from photosc.physics.dynamics import ForceTable, simulate
from photosc.physics.pairing import attraction
from photosc.studies import drive
from photosc.studies.trapping import meta
from photosc.units import energy_to_meV, temperature_from_K, time_from_ps, time_to_ps

PROTOCOLS = ("ringing", "monotonic")
#: Length of a release in ring-down times.
RELEASE_EFOLDS = 4.0
#: Fraction of the run at its end over which n_exc and the final gap are averaged.
FINAL_WINDOW = 0.1
#: Levels per unit of 2 cutoff t_end / pi (the revival time is pi N / (2 cutoff)): 25% margin.
REVIVAL_MARGIN = 1.25
#: Fewest levels of a run (resolves gaps down to ~50 x the level spacing 2/N).
MIN_LEVELS = 2000
#: Temperature (K) standing in for T = 0 where eqs. 9-11 need T > 0 (n_loss, Delta_tr).
T_FLOOR_K = 1.0
#: Output samples of a release or driven run.
N_OUT = 1500


def levels_for(t_end: float, cutoff: float) -> int:
    """Even number of levels whose revival time exceeds t_end (1/omega) by REVIVAL_MARGIN."""
    n = REVIVAL_MARGIN * 2.0 * cutoff * t_end / math.pi
    return max(MIN_LEVELS, 2 * math.ceil(n / 2))


def release_path(t: ArrayLike, Q_star: float, ringdown: float, protocol: str = "ringing") -> Any:
    """Q(t) (l0) of the release from rest at Q* (l0); t and ringdown (tau) in 1/omega."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got protocol={protocol!r}")
    tau = float(checked("ringdown", ringdown, positive=True))
    if protocol == "ringing" and tau <= 1.0:
        raise ValueError(f"ringdown must be > 1/omega for the ringing release, got {tau!r}")
    tt = checked("t", t, nonnegative=True)
    envelope = Q_star * np.exp(-tt / tau)
    if protocol == "monotonic":
        return envelope
    wd = math.sqrt(1.0 - 1.0 / tau**2)
    return envelope * (np.cos(wd * tt) + np.sin(wd * tt) / (wd * tau))


def _release_attraction(model: Model, Q_star: float, ringdown: float, protocol: str) -> Any:
    def U(t: Any) -> Any:
        return attraction(release_path(t, Q_star, ringdown, protocol), model.dE, model.g, model.U0)

    return U


def _release_run(
    model: Model, Q_star: float, T: float, ringdown: float, protocol: str, n_levels: int | None
) -> xr.Dataset:
    t_end = RELEASE_EFOLDS * ringdown
    n = levels_for(t_end, model.cutoff) if n_levels is None else n_levels
    t = np.linspace(0.0, t_end, N_OUT)
    U = _release_attraction(model, Q_star, ringdown, protocol)
    return tdbcs.simulate(U, t, model.nu, T=T, cutoff=model.cutoff, n_levels=n)


def _final(ds: xr.Dataset, name: str) -> float:
    t = ds["t"].values
    return float(ds[name].values[t >= (1.0 - FINAL_WINDOW) * t[-1]].mean())


def release_point(
    ringdown_ps: float,
    Q_star: float,
    T_K: float,
    model: Model,
    protocol: str = "ringing",
    n_levels: int | None = None,
) -> tuple[float, float]:
    """(n_exc per site, final gap in meV) after a release from Q* (l0) at T_K (K) with ring-down
    time ringdown_ps (ps): the map kernel, plain floats in and out (for xarray.apply_ufunc)."""
    T = float(temperature_from_K(checked("T_K", T_K, nonnegative=True), model.omega_meV))
    tau = float(time_from_ps(checked("ringdown_ps", ringdown_ps, positive=True), model.omega_meV))
    ds = _release_run(model, float(Q_star), T, tau, protocol, n_levels)
    return _final(ds, "n_exc"), float(energy_to_meV(_final(ds, "Delta"), model.omega_meV))


def loss_density(model: Model, T_K: float) -> float:
    """n_loss (per site): the largest frozen density n* with a trapped gap at U0 (eqs. 9-11,
    ``bcs.trapped_gap``), to 2e-4 relative; T_K below T_FLOOR_K is evaluated at T_FLOOR_K."""
    T = float(temperature_from_K(max(float(T_K), T_FLOOR_K), model.omega_meV))
    full = 4 * model.nu * model.cutoff
    lo, hi = math.log(1e-10 * full), math.log((1 - 1e-9) * full)
    for points in (41, 17, 17, 17):  # the last n with a gap on ever finer grids of ln n
        grid = np.linspace(lo, hi, points)
        gaps = np.asarray(bcs.trapped_gap(np.exp(grid), model.U0, T, model.nu, model.cutoff)[0])
        if not gaps[0] > 0:
            return 0.0
        k = int(np.flatnonzero(gaps > 0)[-1])
        if k == points - 1:
            return float(np.exp(grid[-1]))
        lo, hi = grid[k], grid[k + 1]
    return float(np.exp(lo))


def _protocol_state(model: Model, Q_star: FloatArray, T_K: FloatArray) -> dict[str, FloatArray]:
    """Delta*, n* (thermal at U(Q*), T) and the trapped gap Delta_tr(n*) at U0, on Q* x T."""
    T = np.asarray(temperature_from_K(T_K, model.omega_meV))
    QQ, TT = np.meshgrid(Q_star, T, indexing="ij")
    U_star = np.asarray(attraction(QQ, model.dE, model.g, model.U0))
    d_star = np.asarray(bcs.gap(U_star, TT, model.nu, model.cutoff))
    n_star = np.asarray(bcs.quasiparticle_density(d_star, TT, model.nu, model.cutoff))
    T_eff = np.maximum(TT, float(temperature_from_K(T_FLOOR_K, model.omega_meV)))
    n_eff = np.maximum(n_star, 1e-12 * model.nu)  # T = 0: n* = 0 traps Delta0(U0)
    d_tr = np.asarray(bcs.trapped_gap(n_eff, model.U0, T_eff, model.nu, model.cutoff)[0])
    return {"U_star": U_star, "delta_star": d_star, "n_star": n_star, "delta_tr": d_tr}


def adiabaticity_map(
    model: Model,
    ringdown_ps: ArrayLike,
    Q_star: ArrayLike,
    T_K: ArrayLike,
    *,
    protocol: str = "ringing",
    chunks: int | None = None,
) -> xr.Dataset:
    """n_exc after the release over ring-down time x Q* (hence Delta*) x T, next to n* and n_loss.

    ringdown_ps (ps), Q_star (l0), T_K (K): 1-d. ``release_point`` is lifted with
    ``xarray.apply_ufunc(dask="parallelized")``; with ``chunks`` (ring-down times per chunk) the
    map is a lazy dask computation. Variables: n_exc, delta_end (collisionless gap at the end),
    delta_star, n_star, delta_tr, n_loss(T), heating = n_exc/n*, loss_fraction =
    n_exc/(n_loss - n*) (>= 1: the created quasi-particles alone destroy the trapped gap).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got protocol={protocol!r}")
    taus = np.atleast_1d(checked("ringdown_ps", ringdown_ps, positive=True))
    Qs = np.atleast_1d(checked("Q_star", Q_star))
    Ts = np.atleast_1d(checked("T_K", T_K, nonnegative=True))
    tau_da = xr.DataArray(taus, dims="ringdown")
    if chunks is not None:
        tau_da = tau_da.chunk({"ringdown": chunks})
    n_exc, d_end = xr.apply_ufunc(
        release_point,
        tau_da,
        xr.DataArray(Qs, dims="Q_star"),
        xr.DataArray(Ts, dims="T_K"),
        kwargs={"model": model, "protocol": protocol},
        vectorize=True,
        dask="parallelized",
        output_core_dims=[[], []],
        output_dtypes=[float, float],
    )
    state = _protocol_state(model, Qs, Ts)
    n_loss = np.array([loss_density(model, T) for T in Ts])
    dims = ("Q_star", "T_K")
    meV = model.omega_meV
    margin = n_loss[None, :] - state["n_star"]
    ds = xr.Dataset(
        {
            "n_exc": n_exc.transpose("ringdown", "Q_star", "T_K").assign_attrs(
                meta("1/site", "non-adiabatic quasi-particles after the release")
            ),
            "delta_end": d_end.transpose("ringdown", "Q_star", "T_K").assign_attrs(
                meta("meV", "collisionless gap after the release")
            ),
            "delta_star": (dims, energy_to_meV(state["delta_star"], meV), meta("meV", "Delta*")),
            "n_star": (dims, state["n_star"], meta("1/site", "thermal n* at Q* (eq. 11)")),
            "delta_tr": (
                dims,
                energy_to_meV(state["delta_tr"], meV),
                meta("meV", "trapped gap Delta_tr(n*) at U0 (eqs. 9-11)"),
            ),
            "n_loss": ("T_K", n_loss, meta("1/site", "largest n* with a trapped gap at U0")),
            "margin": (dims, margin, meta("1/site", "n_loss - n*")),
        },
        coords={
            "ringdown": ("ringdown", taus, meta("ps", "ring-down time of Q")),
            "Q_star": ("Q_star", Qs, meta("l0", "held displacement Q*")),
            "T_K": ("T_K", Ts, meta("K", "temperature")),
        },
        attrs=provenance(
            model,
            long_name="non-adiabatic quasi-particles of the trapping protocol's release",
            protocol=protocol,
            release_efolds=RELEASE_EFOLDS,
            final_window=FINAL_WINDOW,
            T_floor_K=T_FLOOR_K,
        ),
    )
    heating = ds["n_exc"] / ds["n_star"].where(ds["n_star"] > 0)
    ds["heating"] = heating.assign_attrs(meta("1", "n_exc / n* (NaN at n* = 0)"))
    loss = ds["n_exc"] / ds["margin"].where(ds["margin"] > 0)
    ds["loss_fraction"] = loss.assign_attrs(meta("1", "n_exc / (n_loss - n*)"))
    return ds


def _trace(model: Model, run: xr.Dataset, T: float, t: FloatArray, Q: FloatArray) -> xr.Dataset:
    """The common variables of a run in physical units: Q, U, the collisionless gap against
    the adiabatic (thermal) gap Delta(U(t), T), n_exc and the energy, over t in ps."""
    meV = model.omega_meV
    U = run["U"].values
    adiabatic = bcs.gap(U, T, model.nu, model.cutoff)
    return xr.Dataset(
        {
            "Q": ("t", Q, meta("l0", "Raman coordinate Q(t)")),
            "U": ("t", U, meta("hbar*omega", "attraction U(Q(t)) (eq. 5)")),
            "Delta": ("t", energy_to_meV(run["Delta"].values, meV), meta("meV", "gap |Delta(t)|")),
            "Delta_adiabatic": (
                "t",
                energy_to_meV(adiabatic, meV),
                meta("meV", "adiabatic thermal gap Delta(U(t), T)"),
            ),
            "n_exc": ("t", run["n_exc"].values, meta("1/site", "non-adiabatic quasi-particles")),
            "energy": (
                "t",
                energy_to_meV(run["energy"].values, meV),
                meta("meV/site", "<H> relative to the T = 0 normal state"),
            ),
            "n_exc_xi": (
                "xi",
                run["n_exc_xi"].values / meV,
                meta("1/(site*meV)", "n_exc per unit xi"),
            ),
        },
        coords={
            "t": ("t", time_to_ps(t, meV), meta("ps", "time")),
            "xi": ("xi", energy_to_meV(run["xi"].values, meV), meta("meV", "level energy xi")),
        },
    )


def release(
    model: Model,
    Q_star: float,
    T_K: float,
    ringdown_ps: float,
    protocol: str = "ringing",
    n_levels: int | None = None,
) -> xr.Dataset:
    """One release: Q(t), U(t), the collisionless gap Delta(t) against the adiabatic-thermal
    gap Delta(U(t), T) of ``bcs.gap``, n_exc(t) and the energy; times in ps, gaps in meV.

    Attrs: n_star, n_loss, delta_tr_meV (thermalised trapped gap at n*) and adiabatic_gap_meV,
    the gap an infinitely slow collisionless release reaches (``tdbcs.adiabatic_gap``).
    """
    T = float(temperature_from_K(checked("T_K", T_K, nonnegative=True), model.omega_meV))
    tau = float(time_from_ps(checked("ringdown_ps", ringdown_ps, positive=True), model.omega_meV))
    ds = _release_run(model, float(Q_star), T, tau, protocol, n_levels)
    t = ds["t"].values
    Q = release_path(t, float(Q_star), tau, protocol)
    state = _protocol_state(model, np.array([float(Q_star)]), np.array([float(T_K)]))
    meV = model.omega_meV
    frozen = tdbcs.adiabatic_gap(
        float(ds["U"].values[0]), model.U0, T, model.nu, model.cutoff, ds.attrs["n_levels"]
    )
    return _trace(model, ds, T, t, Q).assign_attrs(
        provenance(
            model,
            long_name="collisionless release of the trapping protocol",
            protocol=protocol,
            Q_star=float(Q_star),
            T_K=float(T_K),
            ringdown_ps=float(ringdown_ps),
            n_levels=ds.attrs["n_levels"],
            revival_time_ps=float(time_to_ps(ds.attrs["revival_time"], meV)),
            delta_star_meV=float(energy_to_meV(state["delta_star"][0, 0], meV)),
            n_star=float(state["n_star"][0, 0]),
            delta_tr_meV=float(energy_to_meV(state["delta_tr"][0, 0], meV)),
            n_loss=loss_density(model, float(T_K)),
            adiabatic_gap_meV=float(energy_to_meV(frozen, meV)),
            n_exc_final=_final(ds, "n_exc"),
            delta_final_meV=float(energy_to_meV(_final(ds, "Delta"), meV)),
        )
    )


def driven(
    model: Model,
    T_K: float,
    *,
    settle_ps: float = 10.0,
    n_levels: int | None = None,
) -> xr.Dataset:
    """Collisionless BCS along one driven trajectory of eq. 6 (``studies.drive``'s default pulse
    into the metastable well, 10 ps ring-down), against the adiabatic gap Delta(Q(t), T) that
    ``drive_trajectories`` reports. The gap answers to the pairing averaged over a coherence
    volume, i.e. to the Raman coordinate averaged over its many sites, whose thermal noise
    (variance T / (N omega^2) for N sites) averages out: Q(t) is eq. 6 in F(Q, T) without the
    noise term. Q oscillates at omega (22 THz) around the well, so U(Q(t)) has a component at
    omega that can break pairs at E = omega/2 when 2 Delta < omega. The electrons start in the
    thermal state at U(Q(t_s)), t_s the time the adiabatic gap reaches half its largest value
    (collisionless dynamics conserves energy and cannot condense the normal state). Times in ps,
    gaps in meV; ValueError where the landscape has no metastable minimum at T_K or the
    trajectory opens no gap."""
    T = float(temperature_from_K(checked("T_K", T_K, nonnegative=True), model.omega_meV))
    gamma = drive.gamma_from_ringdown(drive.RINGDOWN_PS, model)
    pulse = drive.default_pulse(model, T, gamma)
    dt_q = 0.05
    t_end = pulse.end + float(time_from_ps(settle_ps, model.omega_meV))
    traj = simulate(
        ForceTable.from_model(model, T), gamma=gamma, T=0.0, t_end=t_end, dt=dt_q, n_traj=1,
        Q0=0.0, P0=0.0, drive=pulse, record_every=4, keep=1,
    )  # fmt: skip
    t_q, Q = traj.t, traj.Q[:, 0]
    U_q = np.asarray(attraction(Q, model.dE, model.g, model.U0))
    gap_q = np.asarray(bcs.gap(U_q, T, model.nu, model.cutoff))
    if not np.any(gap_q > 0):
        raise ValueError(f"the driven trajectory opens no gap at T_K={float(T_K)!r}")
    # collisionless BCS cannot open the gap from the normal state (no dissipation takes the
    # condensation energy away): start from the thermal state once the adiabatic gap has risen
    # to half its largest value, and follow Q(t) from there.
    start = int(np.argmax(gap_q >= 0.5 * gap_q.max()))
    t_start = float(t_q[start])
    U_path = tdbcs.attraction_path(t_q - t_start, Q, model.dE, model.g, model.U0)
    span = float(t_q[-1]) - t_start
    n = levels_for(span, model.cutoff) if n_levels is None else n_levels
    t = np.linspace(0.0, span, 4 * N_OUT)
    ds = tdbcs.simulate(U_path, t, model.nu, T=T, cutoff=model.cutoff, n_levels=n)
    meV = model.omega_meV
    t_abs = t + t_start
    trace = _trace(model, ds, T, t_abs, np.interp(t_abs, t_q, Q))
    trace["drive"] = ("t", np.interp(t_abs, t_q, traj.drive), meta("hbar*omega/l0", "z E^2(t)"))
    return trace.assign_attrs(
        provenance(
            model,
            long_name="collisionless BCS along a driven trajectory of eq. 6",
            T_K=float(T_K),
            n_levels=ds.attrs["n_levels"],
            pulse=repr(pulse),
            start_ps=float(time_to_ps(t_start, meV)),
            n_star=float(ds["n_qp"].values[0]),
            n_exc_final=_final(ds, "n_exc"),
        )
    )


def switch_off_path(switch_off: float, Q_star: float, ringdown: float) -> Any:
    """Q(t) (l0) when the force holding Q at Q* is switched off smoothly over ``switch_off``
    (1/omega): Q'' + (2/tau) Q' + Q = Q* cos^2(pi t / 2 t_off) for t < t_off, 0 after, from
    rest at Q* (eq. 6's harmonic part, tau = ringdown). t_off -> 0 is the "ringing" release;
    t_off >> 1/omega lets Q follow the force, leaving a ringing ~ (omega t_off)^-2 (the cos^2
    ramp has kinks in its second derivative only). Solved by DOP853 (rtol 1e-10); returns the
    dense-output callable of t (held at 0 force beyond the ramp, valid for t >= 0)."""
    t_off = float(checked("switch_off", switch_off, positive=True))
    tau = float(checked("ringdown", ringdown, positive=True))

    def rhs(t: float, y: FloatArray) -> list[float]:
        force = Q_star * math.cos(0.5 * math.pi * t / t_off) ** 2 if t < t_off else 0.0
        return [y[1], force - y[0] - 2.0 / tau * y[1]]

    t_end = t_off + RELEASE_EFOLDS * tau
    sol = solve_ivp(
        rhs, (0.0, t_end), [Q_star, 0.0], method="DOP853", rtol=1e-10,
        atol=1e-12 * max(abs(Q_star), 1.0), dense_output=True, max_step=0.25,
    )  # fmt: skip
    if not sol.success:
        raise RuntimeError(f"the switch-off path did not integrate: {sol.message}")
    return lambda t: sol.sol(np.clip(np.asarray(t, dtype=float), 0.0, t_end))[0]


def switch_off_scan(
    model: Model, Q_star: float, T_K: float, ringdown_ps: float, switch_off_fs: ArrayLike
) -> xr.Dataset:
    """n_exc after releasing Q* (l0) at T_K (K) by switching the holding force off over
    switch_off_fs (fs, 1-d), with the ring-down ringdown_ps (ps): how slowly must the drive end
    for the electrons to stay adiabatic? Each run lasts t_off + RELEASE_EFOLDS ring-downs."""
    offs = np.atleast_1d(checked("switch_off_fs", switch_off_fs, positive=True))
    T = float(temperature_from_K(checked("T_K", T_K, nonnegative=True), model.omega_meV))
    tau = float(time_from_ps(checked("ringdown_ps", ringdown_ps, positive=True), model.omega_meV))
    meV = model.omega_meV
    n_exc, d_end, ringing = (np.empty(offs.size) for _ in range(3))
    for i, off in enumerate(offs):
        t_off = float(time_from_ps(off * 1e-3, meV))
        Q = switch_off_path(t_off, float(Q_star), tau)
        t_end = t_off + RELEASE_EFOLDS * tau
        t = np.linspace(0.0, t_end, N_OUT)
        U = lambda s, Q=Q: attraction(Q(s), model.dE, model.g, model.U0)  # noqa: E731
        run = tdbcs.simulate(
            U, t, model.nu, T=T, cutoff=model.cutoff, n_levels=levels_for(t_end, model.cutoff)
        )
        n_exc[i], d_end[i] = _final(run, "n_exc"), energy_to_meV(_final(run, "Delta"), meV)
        after = np.linspace(t_off, t_off + 2 * math.pi, 64)
        ringing[i] = float(np.max(np.abs(Q(after))))
    state = _protocol_state(model, np.array([float(Q_star)]), np.array([float(T_K)]))
    n_loss = loss_density(model, float(T_K))
    dims = ("switch_off",)
    return xr.Dataset(
        {
            "n_exc": (dims, n_exc, meta("1/site", "n_exc after the release")),
            "delta_end": (dims, d_end, meta("meV", "collisionless gap after the release")),
            "ringing": (dims, ringing, meta("l0", "amplitude of Q left ringing after the ramp")),
        },
        coords={"switch_off": (dims, offs, meta("fs", "switch-off time of the holding force"))},
        attrs=provenance(
            model,
            long_name="non-adiabatic quasi-particles against the drive's switch-off time",
            Q_star=float(Q_star),
            T_K=float(T_K),
            ringdown_ps=float(ringdown_ps),
            n_star=float(state["n_star"][0, 0]),
            n_loss=n_loss,
            delta_star_meV=float(energy_to_meV(state["delta_star"][0, 0], meV)),
            raman_period_fs=float(time_to_ps(2 * math.pi, meV) * 1e3),
            hbar_over_delta_star_fs=float(
                time_to_ps(1.0 / max(float(state["delta_star"][0, 0]), 1e-300), meV) * 1e3
            ),
        ),
    )
