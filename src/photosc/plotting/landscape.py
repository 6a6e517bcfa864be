"""Figures of photo-induced metastability: the phase diagram (Fig. 2b), landscapes F(Q) at several
temperatures (Fig. 2a/c) with the metastable gap (their insets), and F(Q, Delta) (Fig. 3)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from photosc.plotting import axes, label

#: Region colours as in the paper: none (light grey), metastable I (green), metastable II (blue).
KIND_COLOURS = ("#e6e6e6", "#5fb65f", "#4f7fd0")


def phase_diagram(
    ds: xr.Dataset, path: xr.Dataset | None = None, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Fig. 2b: regions none / I / II on (nu, dE), T_B contours in K, and a material path.

    ``ds`` from ``studies.phase_diagram.phase_diagram``; ``path`` from ``material_path`` or
    ``metastability_path`` (white line, gold stars at integer Z^-1).
    """
    fig, ax = axes(ax)
    nu, dE = ds["nu"].values, ds["dE"].values
    ax.pcolormesh(
        nu,
        dE,
        ds["kind"].values,
        cmap=ListedColormap(KIND_COLOURS),
        vmin=-0.5,
        vmax=2.5,
        shading="nearest",
    )
    T_B = ds["T_B_K"].values
    if np.any(np.isfinite(T_B)):
        levels = np.unique(np.round(np.nanpercentile(T_B, np.linspace(5, 95, 7)), -1))
        cs = ax.contour(nu, dE, T_B, levels=levels, colors="k", linewidths=0.8, alpha=0.7)
        ax.clabel(cs, fmt="%d K", fontsize=9)
    handles = [
        Patch(color=c, label=k) for c, k in zip(KIND_COLOURS, ("none", "I", "II"), strict=True)
    ]
    if path is not None:
        ax.plot(path["nu"], path["dE"], color="white", lw=2.5)
        z = path["Z_inv"].values
        whole = np.isclose(z, np.round(z))
        ax.plot(
            path["nu"].values[whole],
            path["dE"].values[whole],
            "*",
            ms=14,
            color="gold",
            markeredgecolor="k",
            label=f"{path.attrs.get('material', 'path')}, integer 1/Z",
        )
        ax.legend(handles=[*handles, ax.get_lines()[-1]], loc="upper right")
    else:
        ax.legend(handles=handles, loc="upper right")
    ax.set_xlim(nu.min(), nu.max())
    ax.set_ylim(dE.min(), dE.max())
    ax.set_xlabel(label(ds["nu"]))
    ax.set_ylabel(label(ds["dE"]))
    ax.set_title(f"g = {ds.attrs['g']:.2g}, λ_eff = {ds.attrs['lam_eff']:.2g}; contours: T_B")
    return fig, ax


def landscapes(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Fig. 2a/c: F(Q) - F(0) in meV at each temperature, Q_B (open) and Q_MS (filled) marked.

    ``ds`` from ``studies.landscape.landscape_curves``.
    """
    fig, ax = axes(ax)
    Q = ds["Q"].values
    n = ds.sizes["T"]
    colours = [
        (0.95 - 0.6 * i / max(n - 1, 1), 0.25, 0.2 + 0.2 * i / max(n - 1, 1)) for i in range(n)
    ]
    w = ds.attrs["model_omega_meV"]
    for i, T_K in enumerate(ds["T_K"].values):
        c = "0.55" if ds["kind"].values[i] == 0 and T_K > 0 else colours[i]
        F = ds["F_meV"].isel(T=i).values
        ax.plot(Q, F, color=c, label=f"T = {T_K:.0f} K")
        for name, face in (("Q_B", "white"), ("Q_MS", c)):
            q = float(ds[name].isel(T=i))
            if np.isfinite(q):
                ax.plot(q, np.interp(q, Q, F), "o", color=c, mfc=face, ms=8)
    ax.axhline(0, color="0.7", lw=1)
    ax.set_xlabel(label(ds["Q"]))
    ax.set_ylabel(label(ds["F_meV"]))
    T_B = ds.attrs.get("T_B_K", float("nan"))
    ax.set_title(
        f"T_B = {T_B:.0f} K, ħω = {w:.1f} meV" if np.isfinite(T_B) else "no metastable state"
    )
    ax.legend()
    return fig, ax


def metastable_gap(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Insets of Fig. 2a/c: the gap at Q_MS and the equilibrium gap at Q = 0 against T.

    ``ds`` from ``studies.landscape.landscape_curves`` on a temperature grid.
    """
    fig, ax = axes(ax)
    ax.plot(ds["T_K"], ds["Delta_MS_meV"], color="C3", label=r"$\Delta_{MS}$ (metastable)")
    ax.plot(ds["T_K"], ds["Delta_0_meV"], color="C0", label=r"$\Delta(Q=0)$ (equilibrium)")
    T_B = ds.attrs.get("T_B_K", float("nan"))
    if np.isfinite(T_B):
        ax.axvline(T_B, color="0.5", ls="--", label=f"$T_B$ = {T_B:.0f} K")
    ax.set_xlabel(label(ds["T_K"]))
    ax.set_ylabel("gap [meV]")
    ax.set_ylim(bottom=0)
    ax.legend()
    return fig, ax


def free_energy_surface(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Fig. 3: F(Q, Delta) as filled contours, the self-consistent Delta(Q) dashed, and both
    minima (0, Delta(U0)) and (Q_MS, Delta_MS) marked. ``ds`` from
    ``studies.landscape.free_energy_surface``."""
    fig, ax = axes(ax)
    F = ds["F"].transpose("Delta", "Q").values
    lo, hi = np.nanpercentile(F, [0, 60])
    cf = ax.contourf(ds["Q"], ds["Delta"], np.clip(F, lo, hi), levels=30, cmap="viridis")
    fig.colorbar(cf, ax=ax, label=label(ds["F"]))
    ax.plot(ds["Q"], ds["Delta_sc"], "w--", lw=1.2, label=r"self-consistent $\Delta(Q)$")
    a = ds.attrs
    ax.plot(0.0, a["Delta_rest"], "o", color="C1", mec="k", ms=10, label="undistorted minimum")
    if np.isfinite(a["Q_MS"]):
        ax.plot(
            a["Q_MS"], a["Delta_MS"], "*", color="C3", mec="k", ms=16, label="distorted minimum"
        )
    if np.isfinite(a["Q_B"]):
        ax.plot(a["Q_B"], a["Delta_B"], "x", color="w", ms=10, mew=2, label="saddle (Q_B)")
    ax.set_xlabel(label(ds["Q"]))
    ax.set_ylabel(label(ds["Delta"]))
    ax.set_title(f"metastability {a['kind']}, T = {a['T']:.3g} ħω")
    ax.legend(loc="lower right", fontsize=9)
    return fig, ax
