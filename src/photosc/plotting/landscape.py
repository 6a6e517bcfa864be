"""Figures of photo-induced metastability: the phase diagram (Fig. 2b), landscapes F(Q) at several
temperatures (Fig. 2a/c) with the metastable gap (their insets), and F(Q, Delta) (Fig. 3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from photosc.plotting import axes, label, legend_below, legend_outside
from photosc.units import temperature_to_K

#: Region colours as in the paper: none (light grey), metastable I (green), metastable II (blue).
KIND_COLOURS = ("#e6e6e6", "#5fb65f", "#4f7fd0")


def phase_diagram(
    ds: xr.Dataset,
    path: xr.Dataset | None = None,
    ax: Axes | None = None,
    marks: Sequence[tuple[float, float, str]] = (),
) -> tuple[Figure, Axes]:
    """Fig. 2b: regions none / I / II on (nu, dE), T_B contours at round levels in K, and a
    material path (white line, gold stars labelled at integer Z^-1).

    ``ds`` from ``studies.phase_diagram.phase_diagram``; ``path`` from ``material_path`` or
    ``metastability_path``; each of ``marks`` = (nu, dE, label) draws one more point (e.g. the
    report's model). ΔE is shown in ħω (left) and meV (right).
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
        shading="gouraud" if min(nu.size, dE.size) > 1 else "nearest",
        rasterized=True,
    )
    handles: list[Any] = [
        Patch(color=c, label=k)
        for c, k in zip(
            KIND_COLOURS, ("no metastable state", "metastable I", "metastable II"), strict=True
        )
    ]
    T_B = ds["T_B_K"].values
    if np.sum(np.isfinite(T_B)) > 3:
        levels = MaxNLocator(nbins=4, steps=[1, 2, 5, 10]).tick_values(
            np.nanmin(T_B), np.nanmax(T_B)
        )
        levels = levels[(levels > np.nanmin(T_B)) & (levels < np.nanmax(T_B))]
        cs = ax.contour(nu, dE, T_B, levels=levels, colors="k", linewidths=0.8, alpha=0.7)
        ax.clabel(cs, levels, fmt="%d K", fontsize=9, inline_spacing=2)
        handles.append(Line2D([], [], color="k", lw=0.8, label="T_B contours (K)"))
    if path is not None:
        ax.plot(path["nu"], path["dE"], color="white", lw=2.5)
        z = path["Z_inv"].values
        whole = np.isclose(z, np.round(z))
        (stars,) = ax.plot(
            path["nu"].values[whole],
            path["dE"].values[whole],
            "*",
            ms=14,
            color="gold",
            markeredgecolor="k",
            label=f"{path.attrs.get('material', 'Mott path')}: Z⁻¹ = 1, 2, ...",
        )
        for x, y, zi in zip(
            path["nu"].values[whole], path["dE"].values[whole], z[whole], strict=True
        ):
            ax.annotate(f"{zi:.0f}", (x, y), xytext=(5, 5), textcoords="offset points", fontsize=10)
        handles.append(stars)
    for k, (x, y, text) in enumerate(marks):
        (here,) = ax.plot(x, y, "DsP^"[k % 4], ms=9, color=f"C{3 + k}", mec="w", label=text)
        handles.append(here)
    ax.set_xlim(nu.min(), nu.max())
    ax.set_ylim(dE.min(), dE.max())
    ax.set_xlabel(label(ds["nu"]))
    ax.set_ylabel(label(ds["dE"]))
    w = float(ds.attrs["omega_meV"])

    def to_meV(x: Any) -> Any:
        return np.asarray(x) * w

    def from_meV(y: Any) -> Any:
        return np.asarray(y) / w

    right = ax.secondary_yaxis("right", functions=(to_meV, from_meV))
    right.set_ylabel("ΔE [meV]")
    ax.set_title(f"g ℓ₀/ω = {ds.attrs['g']:.2g}, λ_eff = {ds.attrs['lam_eff']:.2g}, T = 0")
    legend_below(ax, drop=0.14, handles=handles, fontsize=None)
    return fig, ax


def landscapes(ds: xr.Dataset, ax: Axes | None = None, legend: bool = True) -> tuple[Figure, Axes]:
    """Fig. 2a/c: F(Q) - F(0) in meV at each temperature, Q_B (open) and Q_MS (filled) marked;
    temperatures without a metastable minimum in grey.

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
    if legend:
        marks = [
            Line2D([], [], ls="", marker="o", color="k", mfc="white", label="barrier top Q_B"),
            Line2D([], [], ls="", marker="o", color="k", label="minimum Q_MS"),
        ]
        legend_outside(ax, handles=[*_curve_handles(ax), *marks])
    return fig, ax


def _curve_handles(ax: Axes) -> list[Any]:
    """The labelled lines of ``ax`` (the temperature curves)."""
    return [ln for ln in ax.get_lines() if not str(ln.get_label()).startswith("_")]


def landscapes_with_gap(
    curves: xr.Dataset, gaps: xr.Dataset, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Fig. 2a/c of the paper: the landscapes (``landscapes``) with the inset Δ_MS(T) against the
    equilibrium Δ(T) (``metastable_gap``) to their right."""
    if ax is None:
        fig = plt.figure(figsize=(12.5, 4.6))
        ax, inset = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1.0], "wspace": 0.95})
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
        inset = ax.inset_axes((1.45, 0.0, 0.6, 1.0))
    landscapes(curves, ax)
    metastable_gap(gaps, inset)
    inset.set_title("gaps (inset)")
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
    ax.set_ylabel("gap Δ [meV]")
    ax.set_ylim(bottom=0)
    ax.legend(loc="center", fontsize="small")
    return fig, ax


def free_energy_surface(
    ds: xr.Dataset, ax: Axes | None = None, top_meV: float | None = None
) -> tuple[Figure, Axes]:
    """Fig. 3: F(Q, Delta) in meV as filled contours, the self-consistent Delta(Q) dashed, both
    minima (0, Delta(U0)) and (Q_MS, Delta_MS) and the saddle (Q_B, Delta_B) marked.

    The colour scale runs from the lowest F to ``top_meV`` (default: the saddle plus the barrier
    height on either side, or the 60th percentile); higher values are drawn in the top colour and
    the colour bar says so with its arrow and label. ``ds`` from
    ``studies.landscape.free_energy_surface``."""
    fig, ax = axes(ax)
    a = ds.attrs
    w = float(a["model_omega_meV"])
    F = ds["F"].transpose("Delta", "Q").values * w
    lo = float(np.nanmin(F))
    if top_meV is None:
        top_meV = float(np.nanpercentile(F, 60))
    hi = max(top_meV, lo + 1e-12)
    levels = np.linspace(lo, hi, 31)
    clipped = bool(np.nanmax(F) > hi)
    cf = ax.contourf(
        ds["Q"],
        ds["Delta"] * w,
        F,
        levels=levels,
        cmap="viridis",
        extend="max" if clipped else "neither",
    )
    text = "F(Q, Δ) [meV]" + (f" (above {hi:.3g}: top colour)" if clipped else "")
    ticks = np.asarray(MaxNLocator(6).tick_values(lo, hi))
    fig.colorbar(cf, ax=ax, label=text, ticks=ticks[(ticks >= lo) & (ticks <= hi)])
    ax.plot(ds["Q"], ds["Delta_sc"] * w, "w--", lw=1.2, label="self-consistent Δ(Q)")
    ax.plot(0.0, a["Delta_rest"] * w, "o", color="C1", mec="k", ms=10, label="undistorted minimum")
    if np.isfinite(a["Q_MS"]):
        ax.plot(
            a["Q_MS"], a["Delta_MS"] * w, "*", color="C3", mec="k", ms=16, label="distorted minimum"
        )
    if np.isfinite(a["Q_B"]):
        ax.plot(a["Q_B"], a["Delta_B"] * w, "X", color="w", mec="k", ms=11, label="saddle (Q_B)")
    ax.set_xlabel(label(ds["Q"]))
    ax.set_ylabel("gap Δ [meV]")
    ax.set_xlim(float(ds["Q"].min()), float(ds["Q"].max()))
    ax.set_ylim(float(ds["Delta"].min()) * w, float(ds["Delta"].max()) * w)
    kind = {"none": "no metastable state", "I": "metastable I", "II": "metastable II"}[a["kind"]]
    ax.set_title(f"{kind}, T = {temperature_to_K(a['T'], w):.0f} K")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=10, facecolor="0.8")
    return fig, ax
