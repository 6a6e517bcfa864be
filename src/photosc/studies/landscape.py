"""Free-energy landscapes of one model: F(Q) at several temperatures with their critical points
(Fig. 2a/c of the paper) and the map F(Q, Delta) (Fig. 3).

Internal units (hbar*omega, l0, hbar*omega/k_B) plus meV / K columns from ``model.omega_meV``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from photosc._checks import checked_grid, checked_model, checked_temperature
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import bcs, landscape
from photosc.physics.pairing import attraction
from photosc.units import energy_to_meV, temperature_to_K

_KIND_ATTRS = {
    "units": "1",
    "long_name": "kind of metastability",
    "flag_values": np.arange(len(landscape.KINDS), dtype=np.int8),
    "flag_meanings": "none metastable_I metastable_II",
}


def default_coordinates(model: Model) -> np.ndarray:
    """Q from 0 to 1.5 Q_MS(T = 0) (or 0 to 1.5 l0 without a metastable state), 301 points."""
    Q_MS = landscape.critical_points(checked_model(model)).Q_MS
    top = 1.5 * Q_MS if np.isfinite(Q_MS) else 1.5
    return np.linspace(0.0, top, 301)


def _temperatures(model: Model) -> dict[str, float]:
    return {
        "T_B": landscape.untrapping_temperature(model),
        "T_first_order": landscape.first_order_temperature(model),
    }


def landscape_curves(model: Model, T: ArrayLike, Q: ArrayLike | None = None) -> xr.Dataset:
    """F(Q, T) - F(0, T) on a Q grid at each temperature T (hbar*omega/k_B), with Q_B, Q_MS,
    barrier, the gaps Delta_MS and Delta(Q = 0) at each T, and T_B, T_first_order in the attrs."""
    T = checked_grid("T", checked_temperature("T", T, checked_model(model)))
    Q = default_coordinates(model) if Q is None else checked_grid("Q", Q)
    F = landscape.free_energy(Q[None, :], T[:, None], model)
    F0 = landscape.free_energy(0.0 * T, T, model)
    cp = landscape.critical_points_kernel(model.dE, model.g, model.nu, model.U0, T, model.cutoff)
    w = model.omega_meV
    T_attrs = {"units": "hbar*omega/k_B", "long_name": "temperature"}
    ds = xr.Dataset(
        {
            "F": (("T", "Q"), F - F0[:, None], {"units": "hbar*omega", "long_name": "F(Q) - F(0)"}),
            "F_meV": (
                ("T", "Q"),
                energy_to_meV(F - F0[:, None], w),
                {"units": "meV", "long_name": "F(Q) - F(0)"},
            ),
            "Delta": (
                ("T", "Q"),
                bcs.gap(
                    attraction(Q[None, :], model.dE, model.g, model.U0),
                    T[:, None],
                    model.nu,
                    model.cutoff,
                ),
                {"units": "hbar*omega", "long_name": "self-consistent gap"},
            ),
            "kind": ("T", np.atleast_1d(cp.kind_code).astype(np.int8), _KIND_ATTRS),
            "Q_B": ("T", np.atleast_1d(cp.Q_B), {"units": "l0", "long_name": "barrier top Q_B"}),
            "Q_MS": ("T", np.atleast_1d(cp.Q_MS), {"units": "l0", "long_name": "metastable Q_MS"}),
            "barrier_meV": (
                "T",
                energy_to_meV(np.atleast_1d(cp.barrier), w),
                {"units": "meV", "long_name": "barrier F(Q_B) - F(Q_MS)"},
            ),
            "Delta_MS_meV": (
                "T",
                energy_to_meV(np.atleast_1d(cp.Delta_MS), w),
                {"units": "meV", "long_name": "metastable gap Delta_MS"},
            ),
            "Delta_0_meV": (
                "T",
                energy_to_meV(np.atleast_1d(cp.Delta_0), w),
                {"units": "meV", "long_name": "equilibrium gap at Q = 0"},
            ),
        },
        coords={
            "T": ("T", T, T_attrs),
            "T_K": ("T", temperature_to_K(T, w), {"units": "K", "long_name": "temperature"}),
            "Q": ("Q", Q, {"units": "l0", "long_name": "Raman coordinate Q"}),
        },
    )
    temps = _temperatures(model)
    ds.attrs = provenance(
        model,
        **temps,
        **{k + "_K": float(temperature_to_K(v, w)) for k, v in temps.items()},
        Tc_K=model.Tc_K,
    )
    return ds


def free_energy_surface(model: Model, Q: ArrayLike, delta: ArrayLike, T: float = 0.0) -> xr.Dataset:
    """F(Q, Delta) of eq. 7 plus the elastic energy, Delta not self-consistent (Fig. 3), with the
    self-consistent gap Delta(Q) and both minima: (0, Delta(U0)) and (Q_MS, Delta_MS)."""
    T = float(checked_temperature("T", T, checked_model(model)))
    Q = checked_grid("Q", Q)
    delta = checked_grid("delta", delta, nonnegative=True)
    F = landscape.free_energy_map(Q[:, None], delta[None, :], T, model)
    cp = landscape.critical_points(model, T)
    ds = xr.Dataset(
        {
            "F": (("Q", "Delta"), F, {"units": "hbar*omega", "long_name": "F(Q, Delta)"}),
            "Delta_sc": (
                "Q",
                bcs.gap(attraction(Q, model.dE, model.g, model.U0), T, model.nu, model.cutoff),
                {"units": "hbar*omega", "long_name": "self-consistent gap"},
            ),
        },
        coords={
            "Q": ("Q", Q, {"units": "l0", "long_name": "Raman coordinate Q"}),
            "Delta": ("Delta", delta, {"units": "hbar*omega", "long_name": "gap Delta"}),
        },
    )
    minima: dict[str, Any] = {
        "T": T,
        "kind": cp.kind,
        "Q_rest": 0.0,
        "Delta_rest": cp.Delta_0,
        "Q_MS": cp.Q_MS,
        "Delta_MS": cp.Delta_MS,
        "Q_B": cp.Q_B,
        "Delta_B": cp.Delta_B,
    }
    ds.attrs = provenance(model, **minima)
    return ds
