"""The studies a sweep can map: name -> numpy kernel, its parameters and its outputs.

A kernel takes every parameter as a float array of one block's shape (the grid's and the fixed
values, broadcast) and returns a dict of arrays of that shape; a stochastic kernel also gets
``seed``, one uint64 per point, drawn from the sweep's seed and the point's index in the whole
grid, so a point's result never depends on the chunk or the worker that computed it.
``photosc.sweep`` lifts these kernels onto chunked grids, in-process or on a Dask cluster.

Parameters are in photosc's internal units (energies in hbar*omega, Q in l0, nu = nu(0)*omega)
except temperatures and times, given in K and ps with ``omega_meV`` (hbar*omega in meV) to
convert them. Every kernel's outputs are documented in ``outputs`` (units, long name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from photosc.model import HG3_OMEGA_MEV
from photosc.units import temperature_from_K

#: A kernel argument: a float array of the block's shape (or a float: it broadcasts).
Values = Any


@dataclass(frozen=True)
class Quantity:
    """A parameter or output: units, long name, and (parameters) a default or None if required."""

    units: str
    long_name: str
    default: float | None = None
    dtype: str = "float64"


@dataclass(frozen=True)
class Study:
    """A sweepable study: its kernel, the parameters it takes and the outputs it returns."""

    kernel: Callable[..., Mapping[str, Any]]
    parameters: Mapping[str, Quantity]
    outputs: Mapping[str, Quantity]
    description: str
    stochastic: bool = False
    fill: Mapping[str, float] = field(default_factory=dict)
    #: The result in a few lines (label -> text) for the command's table; default: ranges.
    summary: Callable[[Any], dict[str, str]] | None = None
    #: In-process threads that pay off (``photosc.sweep.compute``): None, one per core; 1 for
    #: kernels that hold the GIL, where a second thread only adds contention (measured).
    threads: int | None = None


_MODEL = {
    "dE": Quantity("hbar*omega", "level splitting Delta E"),
    "g": Quantity("1", "electron-phonon coupling g l0/omega", 0.6),
    "nu": Quantity("1/(hbar*omega)", "density of states nu(0) per spin per site"),
    "lam_eff": Quantity("1", "BCS coupling lam_eff = nu U0", 0.3),
    "cutoff": Quantity("hbar*omega", "BCS cutoff", 1.0),
    "omega_meV": Quantity("meV", "phonon energy hbar*omega", HG3_OMEGA_MEV),
}


def _metastability(
    dE: Values, g: Values, nu: Values, lam_eff: Values, cutoff: Values,
    omega_meV: Values,
) -> dict[str, Any]:  # fmt: skip
    from photosc.physics.landscape import metastability_kernel
    from photosc.units import temperature_to_K

    res = metastability_kernel(dE, g, nu, lam_eff / nu, cutoff)
    out = {k: res[k] for k in ("Q_B", "Q_MS", "barrier", "Delta_MS")}
    out["kind"] = res["kind_code"]
    out["T_B_K"] = temperature_to_K(res["T_B"], omega_meV)
    out["T_first_order_K"] = temperature_to_K(res["T_first_order"], omega_meV)
    return out


def _trapped_gap(
    n_star: Values, T_K: Values, nu: Values, lam_eff: Values,
    cutoff: Values, omega_meV: Values,
) -> dict[str, Any]:  # fmt: skip
    from photosc.physics import bcs

    T = temperature_from_K(T_K, omega_meV)
    delta, lam = bcs.trapped_gap(n_star, lam_eff / nu, T, nu, cutoff)
    return {"Delta_tr": delta, "lam": lam}


def _trapping_protocol(
    Q_star: Values, T_K: Values, dE: Values, g: Values, nu: Values,
    lam_eff: Values, cutoff: Values, omega_meV: Values,
) -> dict[str, Any]:  # fmt: skip
    from photosc.physics import bcs
    from photosc.physics.pairing import attraction

    T = temperature_from_K(T_K, omega_meV)
    U0 = lam_eff / nu
    U_star = attraction(Q_star, dE, g, U0)
    delta_star = bcs.gap(U_star, T, nu, cutoff)
    n_star = bcs.quasiparticle_density(delta_star, T, nu, cutoff)
    delta_tr, _ = bcs.trapped_gap(n_star, U0, T, nu, cutoff)
    return {"U_star": U_star, "Delta_star": delta_star, "n_star": n_star, "Delta_tr": delta_tr}


def _point_model(i: tuple[int, ...], *values: Values) -> Any:
    """The Model of point ``i`` of a block from (dE, g, nu, lam_eff, cutoff, omega_meV)."""
    from photosc.model import Model

    dE, g, nu, lam_eff, cutoff, omega_meV = (float(v[i]) for v in values)
    return Model.from_lam_eff(lam_eff, dE=dE, g=g, nu=nu, cutoff=cutoff, omega_meV=omega_meV)


def _drive_trapping(
    amplitude: Values, duration_ps: Values, T_K: Values, dE: Values,
    g: Values, nu: Values, lam_eff: Values, cutoff: Values,
    omega_meV: Values, sites: Values, n_traj: Values, seed: np.ndarray,
) -> dict[str, Any]:  # fmt: skip
    from photosc.studies import drive

    fraction = np.empty(np.shape(amplitude))
    for i in np.ndindex(fraction.shape):
        model = _point_model(i, dE, g, nu, lam_eff, cutoff, omega_meV)
        ds = drive.trapping_map(
            model, float(T_K[i]), [float(amplitude[i])], [float(duration_ps[i])],
            sites=float(sites[i]), n_traj=int(n_traj[i]), seed=int(seed[i]),
        )  # fmt: skip
        fraction[i] = float(ds["trapped_fraction"].item())
    return {"trapped_fraction": fraction}


def _trap_lifetime(
    Q_star: Values, T_K: Values, dE: Values, g: Values, nu: Values, lam_eff: Values,
    cutoff: Values, omega_meV: Values,
) -> dict[str, Any]:  # fmt: skip
    """kinetics.lifetimes with the K3C60 model alpha^2 F, one call per model and Q* (all T)."""
    from photosc.model import Model
    from photosc.physics import spectra
    from photosc.studies import kinetics

    names = ("tau_g", "half_life", "delta_tr")
    out = {k: np.empty(np.shape(T_K)) for k in names}
    rows = np.stack([np.ravel(np.broadcast_to(a, np.shape(T_K)))
                     for a in (Q_star, dE, g, nu, lam_eff, cutoff, omega_meV)], axis=1)  # fmt: skip
    unique, which = np.unique(rows, axis=0, return_inverse=True)
    T_flat = np.ravel(T_K)
    for j, (q, de, gg, n, lam, c, w) in enumerate(unique):
        model = Model.from_lam_eff(lam, dE=de, g=gg, nu=n, cutoff=c, omega_meV=w)
        at = np.flatnonzero(which == j)
        T = np.asarray(temperature_from_K(T_flat[at], w))
        ds = kinetics.lifetimes(model, spectra.k3c60(w), T, float(q))
        for k in names:
            out[k].flat[at] = ds[k].values
    return {"tau_g_ns": out["tau_g"], "half_life_ns": out["half_life"], "Delta_tr": out["delta_tr"]}


def _escape(
    batch: Values, T_K: Values, dE: Values, g: Values, nu: Values, lam_eff: Values,
    cutoff: Values, omega_meV: Values, sites: Values, n_traj: Values, t_end_ps: Values,
    seed: np.ndarray,
) -> dict[str, Any]:  # fmt: skip
    """One censored first-passage ensemble per point (``drive.escape_times``)."""
    from photosc.studies import drive

    n_escaped, exposure = np.empty(np.shape(batch)), np.empty(np.shape(batch))
    for i in np.ndindex(n_escaped.shape):
        model = _point_model(i, dE, g, nu, lam_eff, cutoff, omega_meV)
        ds = drive.escape_times(
            model, float(T_K[i]), sites=float(sites[i]), n_traj=int(n_traj[i]),
            t_end_ps=float(t_end_ps[i]) if t_end_ps[i] > 0 else None, seed=int(seed[i]),
        )  # fmt: skip
        te = ds["escape_time"].values
        n_escaped[i] = np.isfinite(te).sum()
        exposure[i] = np.where(np.isfinite(te), te, ds.attrs["t_end_ps"]).sum()
    return {"n_escaped": n_escaped, "exposure_ps": exposure}


def _kinetic_half_life(
    T_K: Values, tau_esc_ps: Values, gap_floor: Values, Q_star: Values, dE: Values, g: Values,
    nu: Values, lam_eff: Values, cutoff: Values, omega_meV: Values, points: Values,
) -> dict[str, Any]:  # fmt: skip
    """``quasiparticle_kinetics.half_life_kernel`` at every point (one kinetic run each)."""
    from photosc.studies.quasiparticle_kinetics import half_life_kernel

    half = np.empty(np.shape(T_K))
    for i in np.ndindex(half.shape):
        model = _point_model(i, dE, g, nu, lam_eff, cutoff, omega_meV)
        half[i] = half_life_kernel(
            float(T_K[i]), float(tau_esc_ps[i]), float(gap_floor[i]), model=model,
            Q_star=float(Q_star[i]), points=int(points[i]),
        )  # fmt: skip
    return {"half_life_ns": half}


def _nucleation_lifetime(
    width_meV: Values, T_K: Values, dE: Values, g: Values, nu: Values, lam_eff: Values,
    cutoff: Values, omega_meV: Values, dim: Values, ringdown_ps: Values, sites: Values,
) -> dict[str, Any]:  # fmt: skip
    """``studies.nucleation.lifetime_ns`` at every point (Langer rate of the critical nucleus)."""
    from photosc.physics.nucleation import kappa_from_width
    from photosc.studies.drive import gamma_from_ringdown
    from photosc.studies.nucleation import lifetime_ns

    tau = np.empty(np.shape(T_K))
    for i in np.ndindex(tau.shape):
        model = _point_model(i, dE, g, nu, lam_eff, cutoff, omega_meV)
        d = int(dim[i])
        tau[i] = lifetime_ns(
            model, float(temperature_from_K(T_K[i], model.omega_meV)),
            kappa_from_width(float(width_meV[i]) / model.omega_meV, d), d,
            gamma_from_ringdown(float(ringdown_ps[i]), model), float(sites[i]),
        )  # fmt: skip
    return {"tau_ns": tau}


def _escape_summary(ds: Any) -> dict[str, str]:
    """The maximum-likelihood escape rate of all ensembles together (censored exponential)."""
    n, exposure = float(ds["n_escaped"].sum()), float(ds["exposure_ps"].sum())
    if n == 0:
        return {"escape rate": f"none escaped in {exposure / 1e3:.4g} ns of watching"}
    rate = n / exposure * 1e12
    return {
        "trajectories escaped": f"{n:.0f}",
        "escape rate": f"{rate:.4g} ± {rate / np.sqrt(n):.2g} /s",
        "lifetime": f"{1e9 / rate:.4g} ns",
    }


STUDIES: dict[str, Study] = {
    "metastability": Study(
        _metastability,
        _MODEL,
        {
            "kind": Quantity(
                "1", "kind of metastability at T = 0 (0 none, 1 I, 2 II)", dtype="int8"
            ),
            "Q_B": Quantity("l0", "barrier position Q_B at T = 0"),
            "Q_MS": Quantity("l0", "metastable minimum Q_MS at T = 0"),
            "barrier": Quantity("hbar*omega", "barrier F(Q_B) - F(Q_MS) at T = 0"),
            "Delta_MS": Quantity("hbar*omega", "gap in the metastable state at T = 0"),
            "T_B_K": Quantity("K", "untrapping temperature T_B"),
            "T_first_order_K": Quantity("K", "first-order transition temperature (type II)"),
        },
        "Metastability at T = 0, T_B and the first-order temperature (Figs. 2-3, eqs. 5, 7)",
        fill={"kind": -1},
        threads=1,  # 24 x 16 points in 8 chunks: 0.20 s on 1 thread, 0.25 s on 2
    ),
    "trapped_gap": Study(
        _trapped_gap,
        {
            "n_star": Quantity("1/site", "frozen quasi-particle density n*"),
            "T_K": Quantity("K", "temperature"),
            **{k: _MODEL[k] for k in ("nu", "lam_eff", "cutoff", "omega_meV")},
        },
        {
            "Delta_tr": Quantity("hbar*omega", "trapped gap Delta_tr (eqs. 9-11)"),
            "lam": Quantity("hbar*omega", "quasi-particle chemical potential lam"),
        },
        "Trapped gap at a frozen quasi-particle density (eqs. 9-11, Fig. 4c)",
    ),
    "trapping_protocol": Study(
        _trapping_protocol,
        {
            "Q_star": Quantity("l0", "held displacement Q*"),
            "T_K": Quantity("K", "temperature"),
            **_MODEL,
        },
        {
            "U_star": Quantity("hbar*omega", "attraction U(Q*) (eq. 5)"),
            "Delta_star": Quantity("hbar*omega", "gap while Q* is held"),
            "n_star": Quantity("1/site", "thermal quasi-particle density at Q* (eq. 11)"),
            "Delta_tr": Quantity("hbar*omega", "trapped gap after the release (eqs. 9-11)"),
        },
        "Hold Q*, release with n* frozen: the trapping protocol of Fig. 4a",
        threads=1,  # 16 x 8 points in 8 chunks: 0.069 s on 1 thread, 0.077 s on 2
    ),
    "drive_trapping": Study(
        _drive_trapping,
        {
            "amplitude": Quantity("spinodal force", "flat-top plateau z E0^2"),
            "duration_ps": Quantity("ps", "plateau duration"),
            "T_K": Quantity("K", "temperature"),
            **_MODEL,
            "sites": Quantity(
                "1", "sites moving as one (Arrhenius exponent sites x barrier / T)", 1.0
            ),
            "n_traj": Quantity("1", "trajectories per point", 32.0),
        },
        {"trapped_fraction": Quantity("1", "trapped fraction after the pulse (eq. 6)")},
        "Langevin ensembles of eq. 6 under flat-top pulses: the trapped fraction",
        stochastic=True,
    ),
    "trap_lifetime": Study(
        _trap_lifetime,
        {
            "Q_star": Quantity("l0", "held displacement Q*"),
            "T_K": Quantity("K", "temperature"),
            **_MODEL,
        },
        {
            "tau_g_ns": Quantity("ns", "generation time 1/Gamma_g at the trapped gap (eq. C3)"),
            "half_life_ns": Quantity("ns", "time for the trapped gap to fall to half"),
            "Delta_tr": Quantity("hbar*omega", "trapped gap after the release (eqs. 9-11)"),
        },
        "How long the trapped gap lives (App. C rates, K3C60 model alpha^2 F at the model's omega)",
    ),
    "kinetic_half_life": Study(
        _kinetic_half_life,
        {
            "T_K": Quantity("K", "temperature"),
            "tau_esc_ps": Quantity("ps", "phonon escape time to the bath (inf: closed)", 0.0),
            "gap_floor": Quantity("1", "K3C60 alpha^2 F in 10-33 meV / acoustic-edge value", 0.01),
            "Q_star": Quantity("l0", "held displacement Q*", 3.0),
            **_MODEL,
            "points": Quantity("1", "energy-grid nodes of the kinetics", 96.0),
        },
        {"half_life_ns": Quantity("ns", "half-life of the gap after the release (kinetics)")},
        "Energy-resolved quasi-particle kinetics (Chang-Scalapino) under the trapping protocol",
    ),
    "nucleation_lifetime": Study(
        _nucleation_lifetime,
        {
            "width_meV": Quantity("meV", "Raman branch width (sets the stiffness kappa)"),
            "T_K": Quantity("K", "temperature"),
            **_MODEL,
            "dim": Quantity("1", "lattice dimension (1, 2 or 3)", 3.0),
            "ringdown_ps": Quantity("ps", "ring-down time of Q (sets the damping)", 10.0),
            "sites": Quantity("1", "sites in the probed volume", 1.0),
        },
        {"tau_ns": Quantity("ns", "lifetime by nucleation (inf: Q_MS stable; NaN: none)")},
        "Lifetime of the metastable state by nucleation on the lattice of Raman coordinates",
    ),
    "escape": Study(
        _escape,
        {
            "batch": Quantity("1", "ensemble index (sweep it to run many ensembles)"),
            "T_K": Quantity("K", "temperature"),
            **_MODEL,
            "sites": Quantity(
                "1", "sites moving as one (Arrhenius exponent sites x barrier / T)", 1.0
            ),
            "n_traj": Quantity("1", "trajectories per ensemble", 1024.0),
            "t_end_ps": Quantity("ps", "watch time (0: two turnover lifetimes)", 0.0),
        },
        {
            "n_escaped": Quantity("1", "trajectories back in the Q = 0 basin (below Q_B/2)"),
            "exposure_ps": Quantity("ps", "total time at risk (escape times, else watch time)"),
        },
        "Escape from the metastable minimum under eq. 6: censored first-passage ensembles",
        stochastic=True,
        summary=_escape_summary,
    ),
}
