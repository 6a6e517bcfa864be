"""Figures of quasi-particle trapping: alpha^2 F, the Delta_tr map, Fig. 4c, times versus T."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from photosc.physics.spectra import Spectrum
from photosc.plotting import axes, label, legend_below, legend_outside, log_limits, off_scale
from photosc.units import energy_to_meV

#: Lifetime seen in the K3C60 experiments (paper, introduction), in ns.
EXPERIMENT_NS = 10.0


def spectrum(
    a2F: Spectrum,
    omega_meV: float,
    two_delta_meV: float | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """alpha^2 F against Omega in meV (cf. Fig. 4b), with 2 Delta_0 marked if given."""
    fig, ax = axes(ax)
    Omega = np.linspace(0.0, 1.05 * a2F.omega_max, 2000)
    ax.fill_between(energy_to_meV(Omega, omega_meV), a2F(Omega), color="C2", alpha=0.5)
    ax.plot(energy_to_meV(Omega, omega_meV), a2F(Omega), color="C2")
    if two_delta_meV is not None:
        ax.axvline(
            two_delta_meV, color="C3", ls="--", label=rf"$2\Delta_0$ = {two_delta_meV:.1f} meV"
        )
        legend_below(ax)
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(r"phonon energy $\Omega$ [meV]")
    ax.set_ylabel(r"$\alpha^2F(\Omega)$")
    return fig, ax


def trapped_gap_map(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Delta_tr in meV over (Q*, T) from ``studies.trapping.trapped_state``; where the trapped
    superconductor loses to the normal state at the same n* is hatched; T_c dashed."""
    fig, ax = axes(ax)
    meV = ds.attrs["model_omega_meV"]
    gap = energy_to_meV(ds["delta_tr"].values, meV).T
    mesh = ax.pcolormesh(ds["Q_star"], ds["T_K"], gap, shading="auto", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=r"trapped gap $\Delta_{tr}$ [meV]")
    unstable = ((ds["delta_tr"] > 0) & ~ds["stable"]).values.T
    if unstable.any() and min(gap.shape) > 1:
        ax.contourf(
            ds["Q_star"],
            ds["T_K"],
            unstable.astype(float),
            levels=[0.5, 1.5],
            hatches=["//"],
            colors="none",
        )
    ax.axhline(ds.attrs["Tc_K"], color="w", ls="--", lw=1.5)
    ax.set_title(f"dashed: T_c = {ds.attrs['Tc_K']:.0f} K; hatched: normal state wins")
    ax.set_xlabel(label(ds["Q_star"]))
    ax.set_ylabel(label(ds["T_K"]))
    return fig, ax


def protocol_on_fig4c(
    curve: xr.Dataset, state: xr.Dataset, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Fig. 4c in meV (``studies.thermodynamics.trapped_gap_curve``, one T) with the trapped states
    reached by holding each Q* (``studies.trapping.trapped_state`` at that T) as points and the
    equilibrium density at U0 marked: further (dotted) solutions exist only to its right."""
    fig, ax = axes(ax)
    meV = state.attrs["model_omega_meV"]
    branches = curve["Delta_branches"].squeeze("T", drop=True)
    for b in range(branches.sizes["branch"]):
        ax.plot(
            curve["n_star"],
            energy_to_meV(branches.isel(branch=b), meV),
            color="C0",
            ls=":",
            lw=1.5,
            label="all solutions of eqs. 10-11" if b == 0 else None,
        )
    chosen = curve["Delta_tr"].squeeze("T", drop=True)
    ax.plot(
        curve["n_star"],
        energy_to_meV(chosen.where(chosen > 0), meV),
        color="C0",
        label=r"$\Delta_{tr}(n^*)$, lowest eq. 9 free energy",
    )
    ax.axhline(
        energy_to_meV(state.attrs["Delta0"], meV),
        color="C0",
        ls="--",
        lw=1.5,
        label=r"$\Delta_0(U_0)$, $T = 0$",
    )
    ax.axvline(
        float(state["n_eq"].values[0]),
        color="0.5",
        ls="-.",
        lw=1,
        label=r"thermal $n$ at $U_0$ (left: $\lambda > 0$)",
    )
    pts = state.squeeze("T", drop=True)
    held = ax.scatter(
        pts["n_star"],
        energy_to_meV(pts["delta_tr"], meV),
        c=pts["Q_star"],
        cmap="plasma",
        zorder=3,
        label=r"after holding $Q^*$",
    )
    fig.colorbar(held, ax=ax, label="held displacement Q* [ℓ₀]")
    ax.set_xscale("log")
    ax.set_xlabel(label(curve["n_star"]))
    ax.set_ylabel(r"trapped gap $\Delta_{tr}$ [meV]")
    ax.set_ylim(bottom=0)
    ax.set_title(f"T = {float(state['T_K'].values[0]):.0f} K")
    legend_below(ax, fontsize=10)
    return fig, ax


#: Eqs. 12-13 are the low-T limit of C3, with relative error ~ T/(8 Delta): drawn only where
#: 2 Delta_tr / T >= 3 (error <~ 8 %; the paper uses them at 3.54), masked elsewhere.
ASYMPTOTIC_MIN_RATIO = 3.0


def lifetimes(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """tau_g, tau_s, tau_r and the half-life of Delta_tr in ns against T in K
    (``studies.kinetics.lifetimes``), with the experiments' 10 ns and T_c marked. Eqs. 12-13 are
    masked outside their regime; the axis spans at most 12 decades, times above it are drawn as
    triangles on the top edge."""
    fig, ax = axes(ax)
    styles = {
        "half_life": ("k", "-", r"half-life of $\Delta_{tr}$"),
        "tau_g": ("C3", "-", r"$\tau_g$ (C3)"),
        "tau_g_asym": ("C3", ":", rf"$\tau_g$, eqs. 12-13 (2Δ_tr/T ≥ {ASYMPTOTIC_MIN_RATIO:g})"),
        "tau_r": ("C1", "--", r"$\tau_r$ (C5)"),
        "tau_s": ("C2", "-.", r"$\tau_s$ (C4)"),
    }
    regime = 2 * ds["delta_tr"] / ds["T"] >= ASYMPTOTIC_MIN_RATIO
    T = ds["T_K"].values
    curves = {
        name: ds[name].where(np.isfinite(ds[name]) & (regime if name == "tau_g_asym" else True))
        for name in styles
    }
    bottom, top = log_limits(
        np.concatenate([curves[n].values for n in ("half_life", "tau_g", "tau_s")]),
        keep=[EXPERIMENT_NS],
    )
    for name, (color, ls, text) in styles.items():
        ax.plot(T, curves[name], color=color, ls=ls, marker=".", ms=4, label=text)
        off_scale(ax, T, curves[name].values, top, color, None)
    ax.axhline(EXPERIMENT_NS, color="0.5", lw=1, label="10 ns (experiment)")
    ax.axvline(ds.attrs["Tc_K"], color="0.5", ls="--", lw=1, label="$T_c$")
    ax.plot([], [], "^", color="0.3", label="above the axis")
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xlabel(label(ds["T_K"]))
    ax.set_ylabel("time [ns]")
    legend_outside(ax, fontsize=9)
    return fig, ax


def relaxation(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Delta_tr(t) in meV after the pulse (``studies.kinetics.relaxation``), half-life marked;
    time in ps when the run is shorter than 1 ns."""
    fig, ax = axes(ax)
    meV = ds.attrs["model_omega_meV"]
    scale, unit = (1e3, "ps") if float(ds["t_ns"].max()) < 1 else (1.0, "ns")
    ax.plot(ds["t_ns"] * scale, energy_to_meV(ds["delta_tr"], meV), color="C0")
    half = ds.attrs["half_life_ns"] * scale
    title = f"T = {ds.attrs['T_K']:.0f} K"
    if np.isfinite(half):
        ax.axvline(half, color="0.5", ls="--")
        title += f"; dashed: half-life {half:.3g} {unit}"
    ax.set_xlabel(f"{ds['t_ns'].attrs['long_name']} [{unit}]")
    ax.set_ylabel(r"trapped gap $\Delta_{tr}$ [meV]")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    return fig, ax
