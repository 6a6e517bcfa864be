"""The quasi-particle trapping protocol of Fig. 4 (eqs. 9-11, Appendix B).

Drive: hold Q at Q* until the electrons thermalise at temperature T with the attraction
U* = U(Q*) (eq. 5): gap Delta* = Delta(U*, T), thermal quasi-particle density n* (eq. 11, lam = 0).
Release: Q relaxes to 0 (attraction U0) faster than quasi-particles are generated, so n* is
frozen and the electrons settle into the trapped state (Delta_tr, lam) of eqs. 10-11.

All energies in hbar*omega, T in hbar*omega/k_B (with T_K in K alongside), Q* in l0, densities
per site (eq. 11 counts both spins). Fig. 4c itself (Delta_tr against n* with every branch) is
``photosc.studies.thermodynamics.trapped_gap_curve``; this module adds the drive that sets n*.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from photosc._checks import FloatArray, checked_grid, checked_model, checked_temperature
from photosc.io import provenance
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


def _stability(
    model: Model, delta_tr: FloatArray, lam: FloatArray, n_star: FloatArray, T: FloatArray
) -> FloatArray:
    """Eq. 9 minus the normal state at the same n* where a trapped gap exists, NaN elsewhere."""
    F = np.full(delta_tr.shape, np.nan)
    sc = (delta_tr > 0) & (n_star > 0)
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

    Where n* underflows to 0 (T far below the gap, e.g. 1 K for K3C60 at 1/Z = 3.8: n* ~
    e^(-Delta*/T)) no quasi-particle is trapped: delta_tr = Delta0(U0), lam = inf, and
    free_energy is the T = 0 condensation energy (both states hold no quasi-particles).
    """
    Q = checked_grid("Q_star", Q_star)
    Tv = checked_grid("T", checked_temperature("T", T, checked_model(model), positive=True))
    QQ, TT = np.meshgrid(Q, Tv, indexing="ij")
    U_star = np.asarray(attraction(QQ, model.dE, model.g, model.U0))
    d_star = np.asarray(bcs.gap(U_star, TT, model.nu, model.cutoff))
    n_star = np.asarray(bcs.quasiparticle_density(d_star, TT, model.nu, model.cutoff))
    empty = n_star == 0  # underflow: nothing trapped
    d_tr, lam = np.full(n_star.shape, model.Delta0), np.full(n_star.shape, np.inf)
    if np.any(~empty):
        found = bcs.trapped_gap(n_star[~empty], model.U0, TT[~empty], model.nu, model.cutoff)
        d_tr[~empty], lam[~empty] = found
    F = _stability(model, d_tr, lam, n_star, TT)
    F[empty] = bcs.free_energy(model.Delta0, model.U0, 0.0, model.nu, model.cutoff)
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
        attrs=provenance(model, Delta0=model.Delta0, Tc=model.Tc, Tc_K=model.Tc_K),
    )
    return ds
