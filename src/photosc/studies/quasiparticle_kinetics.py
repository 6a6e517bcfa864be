"""The trapping protocol of Fig. 4a in the energy-resolved kinetics (``physics.kinetic``).

Drive: Q(t) rises from 0 to Q* (sin^2 over ``ramp_ps``), is held for ``hold_ps``, and relaxes back
to 0 over the ring-down (cos^2 over ``ramp_ps``, default the paper's 10 ps); U(t) = U(Q(t)) of
eq. 5. The Q(t) profile is ``physics.dynamics.FlatTopPulse``'s. The electrons start thermal at
the bath temperature T. After the release the gap that survives is the kinetic analogue of the
trapped gap Delta_tr of eqs. 9-11, and its half-life is set beside the rate equation of
``studies.kinetics`` (which assumes f = Fermi(E + lam) throughout) and beside tau_g = 1/Gamma_g.

Units: internal (``photosc.units``) in the datasets; ns, ps, meV and K in the user-facing
numbers (named *_ns, *_ps, *_meV, T_K).

What it finds for the K3C60 preset and model alpha^2 F (``spectra.k3c60``), Q* = 3, 10 ps ramps
and hold, ideal bath (96-128 nodes): at 100 K the gap (12.7 meV during the hold) is gone when Q
is back at 0 -- eqs. 9-11 would trap 2 meV, but that gap regenerates its quasi-particles in
~0.1 ps (2 Delta_tr lies in the acoustic band), much faster than the ring-down; nothing survives
for any alpha^2 F weight in 10-33 meV (0 to 100x the default floor). At 50 K the hold does not
reach n*: with 2 Delta* ~ 35 meV at the top of the model alpha^2 F recombination is blocked and
n stays ~4 n*; after the release Delta ~ 5 meV (eqs. 9-11 at the actual n agree to ~1%) halves in
~5 ps (8 ps with no weight in the window). Phonons that do not escape (tau_esc = 100 ps or a
closed system) regenerate quasi-particles and remove the gap. No case reaches 10 ns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from photosc._checks import FloatArray, checked
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import bcs, kinetic, rates, spectra
from photosc.physics.dynamics import FlatTopPulse
from photosc.physics.pairing import attraction
from photosc.physics.spectra import Spectrum
from photosc.studies import kinetics, trapping
from photosc.studies.drive import RINGDOWN_PS
from photosc.units import (
    energy_from_meV,
    energy_to_meV,
    temperature_from_K,
    time_from_ps,
    time_to_ps,
)

#: Default hold of Q* (ps): long enough for the electrons to equilibrate at U(Q*) (K3C60: ~3 ps).
HOLD_PS = 10.0
#: Time followed after the release, ps (1 ns).
AFTER_PS = 1000.0
#: The experiments' lifetime (paper, introduction), ns.
EXPERIMENT_NS = 10.0
#: The window of the K3C60 alpha^2 F said to be negligible (Discussion), meV.
WINDOW_MEV = (10.0, 33.0)


@dataclass(frozen=True)
class Protocol:
    """U(t) of the trapping protocol (hbar*omega, t in 1/omega); ramp and hold in 1/omega."""

    model: Model
    Q_star: float
    ramp: float
    hold: float
    _shape: FlatTopPulse = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shape", FlatTopPulse(self.Q_star, 0.0, self.hold, self.ramp))

    @property
    def release_end(self) -> float:
        """Time at which Q is back at 0 (1/omega)."""
        return 2 * self.ramp + self.hold

    def Q(self, t: ArrayLike) -> Any:
        """Q(t) in l0."""
        return self._shape(t)

    def __call__(self, t: float) -> float:
        m = self.model
        return float(attraction(self.Q(t), m.dE, m.g, m.U0))


def protocol(
    model: Model, Q_star: float, hold_ps: float = HOLD_PS, ramp_ps: float = RINGDOWN_PS
) -> Protocol:
    """The ramp-hold-release U(t) for held displacement Q* (l0), times in ps."""
    Q = float(checked("Q_star", Q_star))
    hold = float(time_from_ps(checked("hold_ps", hold_ps, nonnegative=True), model.omega_meV))
    ramp = float(time_from_ps(checked("ramp_ps", ramp_ps, positive=True), model.omega_meV))
    return Protocol(model, Q, ramp, hold)


def output_times(drive: Protocol, after_ps: float, num: int = 240) -> FloatArray:
    """Output times (1/omega): uniform through the protocol, geometric after the release."""
    after = float(time_from_ps(checked("after_ps", after_ps, positive=True), drive.model.omega_meV))
    during = np.linspace(0.0, drive.release_end, num // 2)
    offsets = np.geomspace(1e-3 * drive.ramp, after, num - num // 2)
    return np.concatenate([during, drive.release_end + offsets])


def _half_life(t: FloatArray, delta: FloatArray, t_release: float) -> tuple[float, float]:
    """(Delta at the release end, time after it when Delta first falls to half): linear
    interpolation between output times; inf if not reached, NaN if no gap is left."""
    after = t >= t_release
    t_a, d_a = t[after], delta[after]
    d0 = float(d_a[0])
    if d0 <= 0:
        return d0, math.nan
    below = np.flatnonzero(d_a <= d0 / 2)
    if below.size == 0:
        return d0, math.inf
    k = int(below[0])
    t1, t2, d1, d2 = t_a[k - 1], t_a[k], d_a[k - 1], d_a[k]
    return d0, float(t1 + (d1 - d0 / 2) / (d1 - d2) * (t2 - t1) - t_release)


def _ns(t: float, omega_meV: float) -> float:
    return float(time_to_ps(t, omega_meV)) / 1e3


def trajectory(
    model: Model,
    spectrum: Spectrum,
    T_K: float,
    Q_star: float,
    *,
    tau_esc_ps: float = 0.0,
    hold_ps: float = HOLD_PS,
    ramp_ps: float = RINGDOWN_PS,
    after_ps: float = AFTER_PS,
    points: int = 128,
    rtol: float = 1e-6,
) -> xr.Dataset:
    """Delta(t), n(t), f(E, t), N(Omega, t) through the protocol at T_K kelvin (> 0).

    tau_esc_ps: phonon escape time in ps (0: ideal bath, inf: closed); points: xi-nodes of the
    grid (``kinetic.energy_grid``, resolving the largest gap Delta(U(Q*), 0)). The dataset of
    ``kinetic.evolve`` with attrs: T_K, Q_star, tau_esc_ps, t_release (1/omega),
    delta_release_meV and n_release (at the end of the release), delta_tr_at_n_release_meV (eqs.
    9-11 at that n: equal to delta_release_meV if f is Fermi(E + lam) then), half_life_ns (after the
    release; inf beyond the run, NaN when nothing is trapped), and for the frozen-n ansatz
    (eqs. 9-11 with n* of the thermal state at U(Q*)): n_star, delta_tr_meV, lam_tr_meV,
    half_life_rate_eq_ns (``studies.kinetics.half_life``), tau_g_ns (1/Gamma_g at Delta_tr).
    """
    T_K = float(checked("T_K", T_K, positive=True))
    tau_ps = float(checked("tau_esc_ps", tau_esc_ps, nonnegative=True, allow_inf=True))
    meV = model.omega_meV
    T = float(temperature_from_K(T_K, meV))
    drive = protocol(model, Q_star, hold_ps, ramp_ps)
    t = output_times(drive, after_ps)
    tau = math.inf if math.isinf(tau_ps) else float(time_from_ps(tau_ps, meV))
    U_star = float(attraction(drive.Q_star, model.dE, model.g, model.U0))
    scale = float(bcs.gap(U_star, 0.0, model.nu, model.cutoff))
    grid = kinetic.energy_grid(spectrum, T, model.cutoff, scale, points=points)
    ds = kinetic.evolve(model, spectrum, T, t, drive, tau, grid=grid, rtol=rtol)
    d_rel, t_half = _half_life(t, ds["Delta"].values, drive.release_end)
    n_rel = float(ds["n_qp"].interp(t=drive.release_end))
    ansatz = frozen_density_ansatz(model, spectrum, T, Q_star)
    d_at_n = float(bcs.trapped_gap(n_rel, model.U0, T, model.nu, model.cutoff)[0])
    ds["Q"] = ("t", np.asarray(drive.Q(t)), {"units": "l0", "long_name": "displacement Q(t)"})
    return ds.assign_attrs(
        T_K=T_K,
        Q_star=drive.Q_star,
        tau_esc_ps=tau_ps,
        hold_ps=float(hold_ps),
        ramp_ps=float(ramp_ps),
        t_release=drive.release_end,
        delta_release_meV=float(energy_to_meV(d_rel, meV)),
        n_release=n_rel,
        delta_tr_at_n_release_meV=float(energy_to_meV(d_at_n, meV)),
        half_life_ns=_ns(t_half, meV),
        **ansatz,
    )


def frozen_density_ansatz(
    model: Model, spectrum: Spectrum, T: float, Q_star: float
) -> dict[str, float]:
    """The paper's picture at T (hbar*omega): n* frozen at the thermal density under U(Q*),
    (Delta_tr, lam) of eqs. 9-11, the rate-equation half-life and tau_g at Delta_tr (ns, meV)."""
    state = trapping.trapped_state(model, Q_star, T).isel(Q_star=0, T=0)
    n_star, d_tr, lam = (float(state[k]) for k in ("n_star", "delta_tr", "lam"))
    meV = model.omega_meV
    out = {"n_star": n_star, "delta_tr_meV": float(energy_to_meV(d_tr, meV))}
    if d_tr > 0:
        out["lam_tr_meV"] = float(energy_to_meV(lam, meV))
        t_half = float(kinetics.half_life(model, spectrum, T, n_star)["t_half"])
        out["half_life_rate_eq_ns"] = _ns(t_half, meV)
        out["tau_g_ns"] = float(rates.time_ns(rates.generation_rate(d_tr, T, spectrum, lam), meV))
    else:
        out |= {"lam_tr_meV": math.nan, "half_life_rate_eq_ns": math.nan, "tau_g_ns": math.nan}
    return out


def window_weight_meV(spectrum: Spectrum, omega_meV: float) -> float:
    """int alpha^2 F dOmega over the 10-33 meV window, in meV."""
    lo, hi = (float(energy_from_meV(x, omega_meV)) for x in WINDOW_MEV)
    weight = spectrum.integrate(upper=hi) - spectrum.integrate(upper=lo)
    return float(energy_to_meV(weight, omega_meV))


def half_life_kernel(
    T_K: float,
    tau_esc_ps: float,
    gap_floor: float,
    *,
    model: Model,
    Q_star: float,
    points: int = 96,
    after_ps: float = AFTER_PS,
) -> float:
    """Kinetic half-life (ns) of the gap after the protocol, K3C60 model spectrum with
    ``gap_floor`` (alpha^2 F in the 10-33 meV window as a fraction of its acoustic-edge value).

    Scalar in, float out: lift it with ``xarray.apply_ufunc(..., vectorize=True,
    dask="parallelized")`` over T_K, tau_esc_ps and gap_floor (see ``half_lives``).
    """
    spectrum = spectra.k3c60(model.omega_meV, gap_floor=float(gap_floor))
    ds = trajectory(
        model, spectrum, float(T_K), Q_star, tau_esc_ps=float(tau_esc_ps), points=points,
        after_ps=after_ps, rtol=1e-5,
    )  # fmt: skip
    return float(ds.attrs["half_life_ns"])


def half_lives(
    model: Model,
    T_K: ArrayLike,
    tau_esc_ps: ArrayLike,
    gap_floor: ArrayLike,
    Q_star: float,
    *,
    points: int = 96,
    after_ps: float = AFTER_PS,
    chunks: int | None = None,
) -> xr.Dataset:
    """Kinetic half-life (ns) over T_K x tau_esc_ps x gap_floor (1-d each), K3C60 spectrum,
    beside the window weight (meV) of each gap_floor and the rate-equation half-life and tau_g
    at each T (tau_esc and the window do not enter the frozen-n picture's numbers the same way:
    they are evaluated per (T, gap_floor)). With ``chunks`` (gap_floor values per dask chunk)
    half_life is lazy (``photosc.sweep.compute`` runs it chunk by chunk)."""
    T_arr = np.atleast_1d(checked("T_K", T_K, positive=True))
    tau_arr = np.atleast_1d(checked("tau_esc_ps", tau_esc_ps, nonnegative=True, allow_inf=True))
    floor_arr = np.atleast_1d(checked("gap_floor", gap_floor, nonnegative=True))
    T_da = xr.DataArray(T_arr, dims="T_K")
    tau_da = xr.DataArray(tau_arr, dims="tau_esc_ps")
    floor_da = xr.DataArray(floor_arr, dims="gap_floor")
    if chunks is not None:
        floor_da = floor_da.chunk({"gap_floor": chunks})
    kinetic_ns = xr.apply_ufunc(
        half_life_kernel,
        T_da,
        tau_da,
        floor_da,
        kwargs={"model": model, "Q_star": Q_star, "points": points, "after_ps": after_ps},
        vectorize=True,
        dask="parallelized",
        output_dtypes=[float],
    )
    meV = model.omega_meV
    rate_eq = np.full((T_arr.size, floor_arr.size), np.nan)
    tau_g = np.full_like(rate_eq, np.nan)
    weights = np.empty(floor_arr.size)
    for j, floor in enumerate(floor_arr):
        spectrum = spectra.k3c60(meV, gap_floor=float(floor))
        weights[j] = window_weight_meV(spectrum, meV)
        for i, T_k in enumerate(T_arr):
            ansatz = frozen_density_ansatz(
                model, spectrum, float(temperature_from_K(T_k, meV)), Q_star
            )
            rate_eq[i, j], tau_g[i, j] = ansatz["half_life_rate_eq_ns"], ansatz["tau_g_ns"]
    dims = ("T_K", "gap_floor")
    return xr.Dataset(
        {
            "half_life": kinetic_ns.transpose("T_K", "tau_esc_ps", "gap_floor").assign_attrs(
                units="ns", long_name="half-life of the gap after the release (kinetics)"
            ),
            "half_life_rate_eq": (
                dims,
                rate_eq,
                {"units": "ns", "long_name": "half-life, rate equation at frozen n* (eqs. 9-11)"},
            ),
            "tau_g": (dims, tau_g, {"units": "ns", "long_name": "1/Gamma_g at Delta_tr"}),
            "window_weight": (
                "gap_floor",
                weights,
                {"units": "meV", "long_name": "int alpha^2 F over 10-33 meV"},
            ),
        },
        coords={
            "T_K": ("T_K", T_arr, {"units": "K", "long_name": "temperature"}),
            "tau_esc_ps": ("tau_esc_ps", tau_arr, {"units": "ps", "long_name": "phonon escape"}),
            "gap_floor": (
                "gap_floor",
                floor_arr,
                {"units": "1", "long_name": "alpha^2 F in 10-33 meV / acoustic-edge value"},
            ),
        },
        attrs=provenance(model, Q_star=float(Q_star), points=points, after_ps=after_ps),
    )
