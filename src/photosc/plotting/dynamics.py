"""Figures of the driven dynamics (eq. 6): trajectories, gap, trapping maps, escapes, lifetimes.

Every function takes the Dataset of ``photosc.studies.drive`` and ``ax=None`` and returns (fig, ax).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from photosc.plotting import axes as _axes
from photosc.plotting import label as _label
from photosc.plotting import legend_below as _legend_below
from photosc.plotting import legend_outside as _legend_outside
from photosc.plotting import log_limits, off_scale


def plot_trajectory(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """Q(t) of the kept trajectories (trapped in colour, others grey), Q_B and Q_MS marked, and the
    drive z E^2(t) on a second axis."""
    fig, ax = _axes(ax)
    t = ds["t"].values
    for k in range(ds.sizes["trajectory"]):
        trapped = bool(ds["trapped"].values[k])
        ax.plot(t, ds["Q"].values[:, k], lw=0.8, color="C0" if trapped else "0.6", alpha=0.8)
    ax.axhline(ds.attrs["Q_B"], color="C3", ls="--", lw=1, label="barrier $Q_B$")
    ax.axhline(ds.attrs["Q_MS"], color="C2", ls=":", lw=1.5, label="metastable $Q_{MS}$")
    ax.set_xlabel(_label(ds["t"]))
    ax.set_ylabel(r"Raman coordinate $Q$ [$\ell_0$]")
    twin = ax.twinx()
    twin.fill_between(t, ds["drive"].values, color="C1", alpha=0.2, lw=0)
    twin.set_ylabel(r"drive $zE^2(t)$ [$\hbar\omega/\ell_0$]", color="C1")
    ax.set_title(
        f"T = {ds.attrs['T_K']:.0f} K, {ds.attrs['sites']:.3g} site(s): "
        f"trapped {100 * ds.attrs['trapped_fraction']:.0f}% of {ds.attrs['n_traj']}"
    )
    _legend_below(ax)
    return fig, ax


def plot_gap_trajectory(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """The adiabatic gap Delta(Q(t)) of the kept trajectories, with Delta at Q_MS."""
    fig, ax = _axes(ax)
    t = ds["t"].values
    for k in range(ds.sizes["trajectory"]):
        trapped = bool(ds["trapped"].values[k])
        ax.plot(t, ds["Delta"].values[:, k], lw=0.8, color="C0" if trapped else "0.6")
    ax.axhline(ds.attrs["Delta_MS_meV"], color="C2", ls=":", lw=1.5, label=r"$\Delta(Q_{MS})$")
    ax.set_xlabel(_label(ds["t"]))
    ax.set_ylabel(r"gap $\Delta(Q(t))$ [meV]")
    _legend_below(ax)
    return fig, ax


def plot_trapping_map(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """Trapped fraction over pulse amplitude and duration."""
    fig, ax = _axes(ax)
    mesh = ax.pcolormesh(
        ds["duration"].values, ds["amplitude"].values, ds["trapped_fraction"].values,
        vmin=0.0, vmax=1.0, cmap="viridis", shading="nearest",
    )  # fmt: skip
    fig.colorbar(mesh, ax=ax, label="trapped fraction")
    ax.set_xlabel(_label(ds["duration"]))
    ax.set_ylabel("plateau $zE_0^2$ / largest restoring force on $[0, Q_B]$")
    ax.set_title(f"T = {ds.attrs['T_K']:.0f} K, {ds.attrs['sites']:.3g} site(s)")
    return fig, ax


def plot_escape_histogram(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """Histogram of escape times, with the exponential laws of the turnover and Kramers rates."""
    fig, ax = _axes(ax)
    times = ds["escape_time"].values
    times = times[np.isfinite(times)]
    n = ds.sizes["trajectory"]
    bins = np.linspace(0.0, ds.attrs["t_end_ps"], 41)
    ax.hist(times, bins=bins, color="C0", alpha=0.7, label=f"simulated ({times.size} of {n})")
    centres = 0.5 * (bins[1:] + bins[:-1])
    for key, name, style in (
        ("turnover_rate_per_s", "Kramers x Mel'nikov-Meshkov", "C3-"),
        ("kramers_rate_per_s", "Kramers (moderate damping)", "C3:"),
    ):
        k = ds.attrs[key] * 1e-12
        ax.plot(centres, n * k * np.diff(bins) * np.exp(-k * centres), style, label=name)
    ax.set_xlabel("escape time [ps]")
    ax.set_ylabel("trajectories per bin")
    ax.set_title(f"T = {ds.attrs['T_K']:.0f} K, {ds.attrs['sites']:.3g} site(s)")
    _legend_below(ax)
    return fig, ax


def plot_lifetimes(ds: xr.Dataset, ax: Any = None) -> tuple[Any, Any]:
    """Lifetime versus temperature (turnover rate; per Z_inv if there are several, else with
    Kramers' moderate-damping lifetime too), with the experiments' 10 ns. Points where
    sites x barrier / T < 2, outside the rate formulas' validity, are drawn hollow."""
    fig, ax = _axes(ax)
    curves = (
        [(f"1/Z = {z:g}", ds.sel(Z_inv=z), "tau_esc") for z in ds["Z_inv"].values]
        if "Z_inv" in ds.dims
        else [("turnover", ds, "tau_esc"), ("Kramers, moderate damping", ds, "tau_kramers")]
    )
    bottom, top = log_limits(
        np.concatenate([sub[var].values for _, sub, var in curves]),
        keep=[ds.attrs["experiment_lifetime_ns"]],
    )
    for k, (name, sub, var) in enumerate(curves):
        T, tau = sub["T_K"].values, sub[var].values
        valid = ds.attrs["sites"] * sub["barrier_over_T"].values >= 2.0
        (line,) = ax.semilogy(T, tau, ls="-" if k == 0 or "Z_inv" in ds.dims else ":", label=name)
        ax.semilogy(T[valid], tau[valid], "o", color=line.get_color())
        ax.semilogy(T[~valid], tau[~valid], "o", mfc="none", color=line.get_color())
        off_scale(ax, T, tau, top, line.get_color(), None)
    ax.axhline(ds.attrs["experiment_lifetime_ns"], color="k", ls="--", label="experiment, 10 ns")
    ax.plot([], [], "o", color="0.3", mfc="none", label="sites x barrier/T < 2: out of regime")
    ax.plot([], [], "^", color="0.3", label="above the axis")
    ax.set_ylim(bottom, top)
    ax.set_xlabel(_label(ds["T_K"]))
    ax.set_ylabel(r"lifetime $\tau_{esc}$ [ns]")
    ax.set_title(f"{ds.attrs.get('material', 'metastable state')}, {ds.attrs['sites']:.3g} site(s)")
    _legend_outside(ax, fontsize="small")
    return fig, ax
