"""Figures of nucleation: the critical nucleus Q(r), E_c(T), tau(T) and the (1/Z, width) map."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from photosc.plotting import axes, label


def plot_profile(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """The critical nucleus Q(r) (continuum bounce) with Q_B and Q_MS marked."""
    fig, ax = axes(ax)
    ax.plot(ds["r_nm"], ds["Q"], label="critical nucleus")
    ax.axhline(ds.attrs["Q_B"], color="0.5", ls=":", label="barrier Q_B")
    ax.axhline(ds.attrs["Q_MS"], color="0.5", ls="--", label="metastable Q_MS")
    ax.set_xlabel(label(ds["r_nm"]))
    ax.set_ylabel(label(ds["Q"]))
    ax.set_title(f"E_c = {ds.attrs['E_c']:.3g} hbar*omega, d = {ds.attrs['dim']}")
    ax.legend(fontsize="small")
    return fig, ax


def plot_energy(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """E_c / T versus T for each branch width: the lattice saddle (solid) and the continuum
    bounce (dashed); Langer's validity threshold dotted."""
    fig, ax = axes(ax)
    T_int = (ds["E_c"] / ds["E_c_over_T"]).values
    for k, width in enumerate(ds["width_meV"].values):
        (line,) = ax.semilogy(ds["T_K"], ds["E_c_over_T"][:, k], "o-", label=f"{width:g} meV")
        ax.semilogy(
            ds["T_K"], ds["E_c_continuum"][:, k] / T_int[:, k], "--", color=line.get_color()
        )
    ax.axhline(5.0, color="k", ls=":", label="E_c/T = 5")
    ax.set_xlabel(label(ds["T_K"]))
    ax.set_ylabel("E_c / T (solid: lattice, dashed: continuum)")
    ax.legend(fontsize="small", title="branch width")
    return fig, ax


def plot_lifetime(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """tau(T) by nucleation for each branch width, the experiments' 10 ns dashed; points with
    outside Langer's formula (``valid`` False: E_c/T < 5, a saddle that does not grow, or E_c
    below the fluctuation term) hollow."""
    fig, ax = axes(ax)
    for k, width in enumerate(ds["width_meV"].values):
        T, tau = ds["T_K"].values, ds["tau_ns"][:, k].values
        valid = ds["valid"][:, k].values.astype(bool)
        (line,) = ax.semilogy(T, tau, "-", label=f"{width:g} meV")
        ax.semilogy(T[valid], tau[valid], "o", color=line.get_color())
        ax.semilogy(T[~valid], tau[~valid], "o", mfc="none", color=line.get_color())
    ax.axhline(ds.attrs["experiment_lifetime_ns"], color="k", ls="--", label="experiment, 10 ns")
    ax.set_xlabel(label(ds["T_K"]))
    ax.set_ylabel(label(ds["tau_ns"]))
    ax.legend(fontsize="small", title="branch width")
    return fig, ax


def plot_map(ds: xr.Dataset, needed: xr.Dataset | None = None, ax: Any = None) -> tuple[Any, Any]:
    """log10 tau over (1/Z, branch width) with the 10 ns contour and the needed width (from
    ``needed``, or the map's own ``width_for_lifetime_meV``); points outside Langer's formula
    (``valid`` False, if given) crossed, points not computed (``lattice_side`` above the
    map's ``max_side``, if given) marked grey."""
    fig, ax = axes(ax)
    tau = ds["tau_ns"].transpose("width_meV", "Z_inv").values
    shown = np.log10(np.where(np.isfinite(tau), tau, np.nan))
    mesh = ax.pcolormesh(ds["Z_inv"], ds["width_meV"], shown, shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label="log10 lifetime [ns]")
    if np.count_nonzero(np.isfinite(shown)) > 3 and np.nanmin(shown) < 1 < np.nanmax(shown):
        ax.contour(ds["Z_inv"], ds["width_meV"], shown, levels=[1.0], colors="w")
    zi, width = np.meshgrid(ds["Z_inv"].values, ds["width_meV"].values)
    if "valid" in ds:
        outside = ~ds["valid"].transpose("width_meV", "Z_inv").values.astype(bool)
        ax.plot(zi[outside], width[outside], "rx", label="outside Langer")
    if "lattice_side" in ds:
        skipped = ds["lattice_side"].transpose("width_meV", "Z_inv").values > ds.attrs["max_side"]
        if skipped.any():
            ax.plot(zi[skipped], width[skipped], "s", color="0.6", label="not computed")
    curve = needed["width_meV"] if needed is not None else ds.get("width_for_lifetime_meV")
    if curve is not None and np.any(np.isfinite(curve)):
        ax.plot(curve["Z_inv"], curve, "wo--", label="width for 10 ns")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")
    ax.set_xlabel(label(ds["Z_inv"]))
    ax.set_ylabel(label(ds["width_meV"]))
    ax.set_title(f"T = {ds.attrs['T_K']:g} K, d = {ds.attrs['dim']} (white: inf = stable)")
    return fig, ax
