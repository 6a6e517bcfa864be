"""The quasi-particle trapping protocol of Fig. 4 (eqs. 9-11, Appendix B).

Drive: hold Q at Q* until the electrons thermalise at temperature T with the attraction
U* = U(Q*) (eq. 5): gap Delta* = Delta(U*, T), thermal quasi-particle density n* (eq. 11, lam = 0).
Release: Q relaxes to 0 (attraction U0) faster than quasi-particles are generated, so n* is
frozen and the electrons settle into the trapped state (Delta_tr, lam) of eqs. 10-11.

All energies in hbar*omega, T in hbar*omega/k_B (with T_K in K alongside), Q* in l0, densities
per site (eq. 11 counts both spins).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from photosc._checks import FloatArray, checked
from photosc.model import Model
from photosc.physics import bcs
from photosc.physics.pairing import attraction
from photosc.units import temperature_to_K

ENERGY = "hbar*omega"
DENSITY = "1/site"


def meta(units: str, long_name: str) -> dict[str, str]:
    """attrs of a Dataset variable or coordinate."""
    return {"units": units, "long_name": long_name}


def temperature_coords(model: Model, T: FloatArray) -> dict[str, Any]:
    """Coordinates T (internal) and T_K (kelvin) along dimension T."""
    return {
        "T": ("T", T, meta("hbar*omega/k_B", "temperature")),
        "T_K": ("T", temperature_to_K(T, model.omega_meV), meta("K", "temperature")),
    }


def normal_density(model: Model, T: ArrayLike) -> Any:
    """Thermal quasi-particle density of the normal state, eq. 11 at Delta = lam = 0 (per site)."""
    return bcs.quasiparticle_density(0.0, T, model.nu, model.cutoff)


def _stability(
    model: Model, delta_tr: FloatArray, lam: FloatArray, n_star: FloatArray, T: FloatArray
) -> FloatArray:
    """Eq. 9 minus the normal state at the same n* where a trapped gap exists, NaN elsewhere."""
    F = np.full(delta_tr.shape, np.nan)
    sc = delta_tr > 0
    if np.any(sc):
        F[sc] = bcs.trapped_free_energy(
            delta_tr[sc], lam[sc], n_star[sc], model.U0, T[sc], model.nu, model.cutoff
        )
    return F


def trapped_state(model: Model, Q_star: ArrayLike, T: ArrayLike) -> xr.Dataset:
    """The protocol of Fig. 4a on the grid Q_star x T (1-d arrays or scalars).

    Q_star in l0, T > 0 in hbar*omega/k_B. Variables: U_star, delta_star, n_star (drive),
    delta_tr, lam, free_energy, stable (after release), delta_eq and n_eq (equilibrium at U0).
    delta_tr = 0 and lam = free_energy = NaN where no superconducting solution of eqs. 10-11
    exists; stable is True where the trapped superconductor has a lower eq. 9 free energy than
    the normal state at the same n*.
    """
    Q = np.atleast_1d(checked("Q_star", Q_star))
    Tv = np.atleast_1d(checked("T", T, positive=True))
    if Q.ndim != 1 or Tv.ndim != 1:
        raise ValueError("Q_star and T must be scalars or 1-d arrays")
    QQ, TT = np.meshgrid(Q, Tv, indexing="ij")
    U_star = np.asarray(attraction(QQ, model.dE, model.g, model.U0))
    d_star = np.asarray(bcs.gap(U_star, TT, model.nu, model.cutoff))
    n_star = np.asarray(bcs.quasiparticle_density(d_star, TT, model.nu, model.cutoff))
    d_tr, lam = (
        np.asarray(a) for a in bcs.trapped_gap(n_star, model.U0, TT, model.nu, model.cutoff)
    )
    F = _stability(model, d_tr, lam, n_star, TT)
    d_eq = np.asarray(bcs.gap(model.U0, Tv, model.nu, model.cutoff))
    n_eq = np.asarray(bcs.quasiparticle_density(d_eq, Tv, model.nu, model.cutoff))
    dims = ("Q_star", "T")
    ds = xr.Dataset(
        {
            "U_star": (dims, U_star, meta(ENERGY, "attraction U(Q*) during the drive (eq. 5)")),
            "delta_star": (dims, d_star, meta(ENERGY, "gap during the drive, Delta(U*, T)")),
            "n_star": (dims, n_star, meta(DENSITY, "frozen quasi-particle density n* (eq. 11)")),
            "delta_tr": (dims, d_tr, meta(ENERGY, "trapped gap Delta_tr at U0 (eqs. 10-11)")),
            "lam": (dims, lam, meta(ENERGY, "Bogoliubov chemical potential lambda (eq. 9)")),
            "free_energy": (
                dims,
                F,
                meta(ENERGY, "eq. 9 free energy per site minus the normal state at n*"),
            ),
            "stable": (dims, (F < 0), meta("1", "trapped superconductor beats the normal state")),
            "delta_eq": ("T", d_eq, meta(ENERGY, "equilibrium gap Delta(U0, T)")),
            "n_eq": ("T", n_eq, meta(DENSITY, "equilibrium quasi-particle density at U0")),
        },
        coords={"Q_star": ("Q_star", Q, meta("l0", "held displacement Q*"))}
        | temperature_coords(model, Tv),
        attrs={**model.as_attrs(), "Delta0": model.Delta0, "Tc": model.Tc, "Tc_K": model.Tc_K},
    )
    return ds


def trapped_gap_curve(
    model: Model, T: float, n_star: ArrayLike | None = None, num: int = 400
) -> xr.Dataset:
    """Fig. 4c: Delta_tr versus the frozen density n* at temperature T, with every branch.

    n_star per site (default: ``num`` points geometrically spaced up to the normal-state
    density at T). Variables: delta_tr and lam (the branch of lowest eq. 9 free energy; 0 and
    NaN where no superconducting solution), delta_branch, lam_branch and free_energy_branch
    (all solutions of eqs. 10-11, sorted by Delta, NaN-padded along ``branch``), stable.
    attrs: Delta0 (the T = 0 gap at U0, the n* -> 0 saturation), n_normal.
    """
    T = float(checked("T", T, positive=True))
    n_normal = float(normal_density(model, T))
    if n_star is None:
        n = np.geomspace(1e-4 * n_normal, n_normal * (1 - 1e-9), num)
    else:
        n = np.atleast_1d(checked("n_star", n_star, positive=True))
    d_tr, lam = (np.asarray(a) for a in bcs.trapped_gap(n, model.U0, T, model.nu, model.cutoff))
    d_b, lam_b = (
        np.atleast_2d(a) for a in bcs.trapped_gap_branches(n, model.U0, T, model.nu, model.cutoff)
    )
    Tn = np.full(n.shape, T)
    F = _stability(model, d_tr, lam, n, Tn)
    F_b = np.full(d_b.shape, np.nan)
    found = ~np.isnan(d_b)
    if np.any(found):
        nb = np.broadcast_to(n[:, None], d_b.shape)
        F_b[found] = bcs.trapped_free_energy(
            d_b[found], lam_b[found], nb[found], model.U0, T, model.nu, model.cutoff
        )
    return xr.Dataset(
        {
            "delta_tr": ("n_star", d_tr, meta(ENERGY, "trapped gap Delta_tr (stable branch)")),
            "lam": ("n_star", lam, meta(ENERGY, "Bogoliubov chemical potential lambda")),
            "delta_branch": (
                ("n_star", "branch"),
                d_b,
                meta(ENERGY, "all superconducting solutions of eqs. 10-11"),
            ),
            "lam_branch": (("n_star", "branch"), lam_b, meta(ENERGY, "lambda on each branch")),
            "free_energy_branch": (
                ("n_star", "branch"),
                F_b,
                meta(ENERGY, "eq. 9 minus the normal state at n*, per branch"),
            ),
            "stable": ("n_star", F < 0, meta("1", "trapped superconductor beats the normal state")),
        },
        coords={
            "n_star": ("n_star", n, meta(DENSITY, "frozen quasi-particle density n*")),
            "n_ratio": ("n_star", n / n_normal, meta("1", "n* / normal-state density")),
            "branch": ("branch", np.arange(d_b.shape[1]), meta("1", "solution index by Delta")),
        },
        attrs={
            **model.as_attrs(),
            "T": T,
            "T_K": float(temperature_to_K(T, model.omega_meV)),
            "Delta0": model.Delta0,
            "n_normal": n_normal,
        },
    )
