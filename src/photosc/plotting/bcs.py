"""Figures of BCS thermodynamics: Delta(T), F_SC(Delta) at several T, Fig. 4c."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from photosc.plotting import axes, label


def gap_vs_temperature(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Delta(T) in meV against T in K, T_c marked (``studies.thermodynamics.gap_curve``)."""
    fig, ax = axes(ax)
    ax.plot(ds["T_K"], ds["Delta_meV"], color="C0")
    ax.axvline(ds.attrs["Tc_K"], color="0.5", ls="--", label=f"$T_c$ = {ds.attrs['Tc_K']:.1f} K")
    ax.set_xlabel(label(ds["T_K"]))
    ax.set_ylabel(label(ds["Delta_meV"]))
    ax.set_ylim(bottom=0)
    ax.legend()
    return fig, ax


def free_energy_vs_gap(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """F_SC(Delta) at each T, minima marked (``studies.thermodynamics.free_energy_curves``)."""
    fig, ax = axes(ax)
    for i, T_K in enumerate(ds["T_K"].values):
        curve = ds["F_SC"].isel(T=i)
        ax.plot(ds["Delta"], curve, color=f"C{i}", label=f"T = {T_K:.0f} K")
        d_eq = float(ds["Delta_eq"].isel(T=i))
        if d_eq > 0:
            ax.plot(d_eq, float(np.interp(d_eq, ds["Delta"], curve)), "o", color=f"C{i}")
    ax.axhline(0, color="0.6", lw=1)
    ax.set_xlabel(label(ds["Delta"]))
    ax.set_ylabel(label(ds["F_SC"]))
    ax.legend()
    return fig, ax


def trapped_gap_vs_density(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Fig. 4c: Delta_tr against n* at each T, every branch drawn, Delta0(U0) as saturation line."""
    fig, ax = axes(ax)
    for i, T_K in enumerate(ds["T_K"].values):
        branches = ds["Delta_branches"].isel(T=i)
        for b in range(branches.sizes["branch"]):
            ax.plot(
                ds["n_star"],
                branches.isel(branch=b),
                ls="-" if b == 0 else ":",
                color=f"C{i}",
                label=f"T = {T_K:.0f} K" if b == 0 else None,
            )
    ax.axhline(ds.attrs["Delta0"], color="C0", ls="--", lw=1.5, label=r"$\Delta_0(U_0)$, T = 0")
    ax.set_xscale("log")
    ax.set_xlabel(label(ds["n_star"]))
    ax.set_ylabel(label(ds["Delta_tr"]))
    ax.set_ylim(bottom=0)
    ax.legend()
    return fig, ax
