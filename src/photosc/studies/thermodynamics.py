"""BCS thermodynamics at Q = 0 as labelled Datasets: Delta(T), F_SC(Delta), Delta_tr(n*)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from photosc._checks import checked_grid, checked_model, checked_temperature
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import bcs
from photosc.units import energy_to_meV, temperature_to_K

ENERGY = "hbar*omega"


def _temperature_coord(T: ArrayLike, model: Model) -> dict[str, tuple[str, np.ndarray, dict]]:
    T = np.asarray(T, dtype=float)
    return {
        "T": ("T", T, {"units": "hbar*omega/k_B", "long_name": "temperature"}),
        "T_K": (
            "T",
            temperature_to_K(T, model.omega_meV),
            {"units": "K", "long_name": "temperature"},
        ),
    }


def gap_curve(model: Model, T: ArrayLike) -> xr.Dataset:
    """Thermal gap Delta(T) at U0 (gap equation of eq. 10 with lam = 0) and the thermal
    quasi-particle density (eq. 11), on the temperatures ``T`` (internal units)."""
    T = checked_grid("T", checked_temperature("T", T, checked_model(model)))
    delta = bcs.gap(model.U0, T, model.nu, model.cutoff)
    n = bcs.quasiparticle_density(delta, T, model.nu, model.cutoff)
    return xr.Dataset(
        {
            "Delta": ("T", np.asarray(delta), {"units": ENERGY, "long_name": "BCS gap"}),
            "Delta_meV": (
                "T",
                np.asarray(energy_to_meV(delta, model.omega_meV)),
                {"units": "meV", "long_name": "BCS gap"},
            ),
            "n_thermal": (
                "T",
                np.asarray(n),
                {"units": "1/site", "long_name": "thermal quasi-particle density"},
            ),
        },
        coords=_temperature_coord(T, model),
        attrs=provenance(model, Tc=model.Tc, Tc_K=model.Tc_K, Delta0=model.Delta0),
    )


def free_energy_curves(model: Model, T: ArrayLike, delta: ArrayLike) -> xr.Dataset:
    """F_SC(Delta) - F_SC(0) of eq. 7 at U0 on a (T, Delta) grid, with the self-consistent gaps."""
    T = checked_grid("T", checked_temperature("T", T, checked_model(model)))
    delta = checked_grid("delta", delta, nonnegative=True)
    F = bcs.free_energy(delta[None, :], model.U0, T[:, None], model.nu, model.cutoff)
    gaps = bcs.gap(model.U0, T, model.nu, model.cutoff)
    return xr.Dataset(
        {
            "F_SC": (
                ("T", "Delta"),
                np.asarray(F),
                {"units": ENERGY, "long_name": "F_SC - F_N per site"},
            ),
            "Delta_eq": ("T", np.asarray(gaps), {"units": ENERGY, "long_name": "equilibrium gap"}),
        },
        coords={
            **_temperature_coord(T, model),
            "Delta": ("Delta", delta, {"units": ENERGY, "long_name": "gap"}),
        },
        attrs=provenance(model),
    )


def trapped_gap_curve(model: Model, T: ArrayLike, n_star: ArrayLike) -> xr.Dataset:
    """Trapped gap Delta_tr(n*) at U0 (eqs. 9-11, Fig. 4c) with every branch and the saturation
    value Delta0(U0); ``T`` (> 0) and ``n_star`` (per site) in internal units."""
    T = checked_grid("T", checked_temperature("T", T, checked_model(model), positive=True))
    n_star = checked_grid("n_star", n_star, positive=True)
    args = (n_star[None, :], model.U0, T[:, None], model.nu, model.cutoff)
    delta, lam = bcs.trapped_gap(*args)
    branches, branch_lam = bcs.trapped_gap_branches(*args)
    dims = ("T", "n_star")
    return xr.Dataset(
        {
            "Delta_tr": (dims, np.asarray(delta), {"units": ENERGY, "long_name": "trapped gap"}),
            "lam": (
                dims,
                np.asarray(lam),
                {"units": ENERGY, "long_name": "Bogoliubov chemical potential"},
            ),
            "Delta_branches": (
                (*dims, "branch"),
                branches,
                {"units": ENERGY, "long_name": "superconducting solutions of eqs. 10-11"},
            ),
            "lam_branches": (
                (*dims, "branch"),
                branch_lam,
                {"units": ENERGY, "long_name": "lam of each solution"},
            ),
        },
        coords={
            **_temperature_coord(T, model),
            "n_star": (
                "n_star",
                n_star,
                {"units": "1/site", "long_name": "frozen quasi-particle density"},
            ),
        },
        attrs=provenance(model, Delta0=model.Delta0),
    )
