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

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from photosc._checks import FloatArray, checked_grid, checked_model, checked_temperature
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import bcs
from photosc.physics.pairing import model_attraction
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


#: attrs of the trapped state's variables (``trapped_state``; ``kinetics.lifetimes`` keeps some).
STATE_ATTRS = {
    "U_star": meta(ENERGY, "attraction U(Q*) during the drive (eq. 5)"),
    "delta_star": meta(ENERGY, "gap during the drive, Delta(U*, T)"),
    "n_star": meta(DENSITY, "frozen quasi-particle density n* (eq. 11)"),
    "delta_tr": meta(ENERGY, "trapped gap Delta_tr at U0 (eqs. 10-11)"),
    "lam": meta(ENERGY, "Bogoliubov chemical potential lambda (eq. 9)"),
    "free_energy": meta(ENERGY, "eq. 9 free energy per site minus the normal state at n*"),
    "stable": meta("1", "trapped superconductor beats the normal state"),
    "delta_eq": meta(ENERGY, "equilibrium gap Delta(U0, T)"),
    "n_eq": meta(DENSITY, "equilibrium quasi-particle density at U0"),
}


def _protocol_block(Q: FloatArray, T: FloatArray, *, model: Model) -> tuple[np.ndarray, ...]:
    """The protocol at every point of a block (Q* and T broadcast against each other): U_star,
    delta_star, n_star, delta_tr, lam, free_energy, stable, each point on its own."""
    QQ, TT = np.broadcast_arrays(Q, T)
    U_star = np.asarray(model_attraction(model, QQ), dtype=float)
    d_star = np.asarray(bcs.gap(U_star, TT, model.nu, model.cutoff), dtype=float)
    n_star = np.asarray(bcs.quasiparticle_density(d_star, TT, model.nu, model.cutoff), dtype=float)
    empty = n_star == 0  # underflow: nothing trapped
    d_tr, lam = np.full(n_star.shape, model.Delta0), np.full(n_star.shape, np.inf)
    if np.any(~empty):
        found = bcs.trapped_gap(n_star[~empty], model.U0, TT[~empty], model.nu, model.cutoff)
        d_tr[~empty], lam[~empty] = found
    F = _stability(model, d_tr, lam, n_star, TT)
    F[empty] = bcs.free_energy(model.Delta0, model.U0, 0.0, model.nu, model.cutoff)
    return U_star, d_star, n_star, d_tr, lam, F, F < 0


def trapped_state(
    model: Model, Q_star: ArrayLike, T: ArrayLike, *, chunks: Mapping[str, int] | None = None
) -> xr.Dataset:
    """The protocol of Fig. 4a on the grid Q_star x T (1-d arrays or scalars).

    Q_star in l0, T > 0 in hbar*omega/k_B. Variables: U_star, delta_star, n_star (drive),
    delta_tr, lam, free_energy, stable (after release), delta_eq and n_eq (equilibrium at U0).
    delta_tr = 0 and lam = free_energy = NaN where no superconducting solution of eqs. 10-11
    exists; stable is True where the trapped superconductor has a lower eq. 9 free energy than
    the normal state at the same n*.

    Where n* underflows to 0 (T far below the gap, e.g. 1 K for K3C60 at 1/Z = 3.8: n* ~
    e^(-Delta*/T)) no quasi-particle is trapped: delta_tr = Delta0(U0), lam = inf, and
    free_energy is the T = 0 condensation energy (both states hold no quasi-particles).

    The point kernel is lifted with ``xarray.apply_ufunc(dask="parallelized")``; with ``chunks``
    (points per dask chunk along "Q_star" and/or "T", e.g. {"T": 4}) the (Q_star, T) variables
    are lazy (``photosc.sweep.compute`` runs them chunk by chunk); the numbers do not depend on
    the chunking.
    """
    Q = checked_grid("Q_star", Q_star)
    Tv = checked_grid("T", checked_temperature("T", T, checked_model(model), positive=True))
    Q_da, T_da = xr.DataArray(Q, dims="Q_star"), xr.DataArray(Tv, dims="T")
    if chunks is not None:
        if not (isinstance(chunks, Mapping) and set(chunks) <= {"Q_star", "T"}
                and all(type(v) is int and v >= 1 for v in chunks.values())):  # fmt: skip
            raise ValueError(f"chunks must map 'Q_star'/'T' to integers >= 1, got {chunks!r}")
        Q_da = Q_da.chunk({"Q_star": chunks.get("Q_star", Q.size)})
        T_da = T_da.chunk({"T": chunks.get("T", Tv.size)})
    names = ("U_star", "delta_star", "n_star", "delta_tr", "lam", "free_energy", "stable")
    outputs = xr.apply_ufunc(
        _protocol_block, Q_da, T_da, kwargs={"model": model},
        output_core_dims=[[] for _ in names], dask="parallelized",
        output_dtypes=[float] * (len(names) - 1) + [bool],
    )  # fmt: skip
    d_eq = np.asarray(bcs.gap(model.U0, Tv, model.nu, model.cutoff))
    n_eq = np.asarray(bcs.quasiparticle_density(d_eq, Tv, model.nu, model.cutoff))
    data = {k: v.transpose("Q_star", "T") for k, v in zip(names, outputs, strict=True)}
    data |= {"delta_eq": xr.DataArray(d_eq, dims="T"), "n_eq": xr.DataArray(n_eq, dims="T")}
    return xr.Dataset(
        {k: v.assign_attrs(STATE_ATTRS[k]) for k, v in data.items()},
        coords={"Q_star": ("Q_star", Q, meta("l0", "held displacement Q*"))}
        | temperature_coords(model, Tv),
        attrs=provenance(model, Delta0=model.Delta0, Tc=model.Tc, Tc_K=model.Tc_K),
    )
