"""Figures of BCS thermodynamics: Delta(T), F_SC(Delta) at several T, Fig. 4c."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from photosc.plotting import axes, label, legend_outside


def gap_vs_temperature(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Delta(T) in meV against T in K, T_c marked (``studies.thermodynamics.gap_curve``)."""
    fig, ax = axes(ax)
    ax.plot(ds["T_K"], ds["Delta_meV"], color="C0")
    ax.axvline(ds.attrs["Tc_K"], color="0.5", ls="--")
    ax.set_title(f"dashed: T_c = {ds.attrs['Tc_K']:.1f} K")
    ax.set_xlabel(label(ds["T_K"]))
    ax.set_ylabel(label(ds["Delta_meV"]))
    ax.set_ylim(bottom=0)
    return fig, ax


def free_energy_vs_gap(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """F_SC(Delta) - F_N in meV against Delta in meV at each T, the equilibrium gaps marked
    (``studies.thermodynamics.free_energy_curves``)."""
    fig, ax = axes(ax)
    w = float(ds.attrs["model_omega_meV"])
    delta = ds["Delta"].values * w
    for i, T_K in enumerate(ds["T_K"].values):
        curve = ds["F_SC"].isel(T=i).values * w
        ax.plot(delta, curve, color=f"C{i}", label=f"T = {T_K:.0f} K")
        d_eq = float(ds["Delta_eq"].isel(T=i)) * w
        if d_eq > 0:
            ax.plot(d_eq, float(np.interp(d_eq, delta, curve)), "o", color=f"C{i}")
    ax.plot([], [], "o", color="0.3", label="equilibrium gap")
    ax.axhline(0, color="0.6", lw=1)
    ax.set_xlabel("gap Δ [meV]")
    ax.set_ylabel("F_SC - F_N per site [meV]")
    legend_outside(ax)
    return fig, ax


def trapped_gap_vs_density(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Fig. 4c: Delta_tr in meV against n* at each T, every branch drawn (further solutions
    dotted), Delta0(U0) as saturation line."""
    fig, ax = axes(ax)
    w = float(ds.attrs["model_omega_meV"])
    for i, T_K in enumerate(ds["T_K"].values):
        branches = ds["Delta_branches"].isel(T=i)
        for b in range(branches.sizes["branch"]):
            ax.plot(
                ds["n_star"],
                branches.isel(branch=b) * w,
                ls="-" if b == 0 else ":",
                color=f"C{i}",
                label=f"T = {T_K:.0f} K" if b == 0 else None,
            )
    ax.axhline(ds.attrs["Delta0"] * w, color="C0", ls="--", lw=1.5, label=r"$\Delta_0(U_0)$, T = 0")
    ax.plot([], [], ":", color="0.3", label="further solutions")
    ax.set_xscale("log")
    ax.set_xlabel(label(ds["n_star"]))
    ax.set_ylabel("trapped gap Δ_tr [meV]")
    ax.set_ylim(bottom=0)
    legend_outside(ax)
    return fig, ax
