"""Figures of the energy-resolved kinetics: f(E, t) as an image, Delta(t) and n(t)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from photosc.plotting import axes
from photosc.units import energy_to_meV

#: Occupations below this are drawn at the bottom of the colour scale.
F_FLOOR = 1e-6


def _time_axis(ax: Axes, ds: xr.Dataset) -> None:
    """Linear through the protocol, logarithmic after the release (if the run has one)."""
    release = ds.attrs.get("t_release")
    if release:
        ps = float(np.interp(release, ds["t"], ds["t_ps"]))
        ax.set_xscale("symlog", linthresh=max(ps, 1e-3), linscale=1.5)
        ax.axvline(ps, color="0.5", ls=":", lw=1.2)
    ax.set_xlabel("time [ps]")


def distribution(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """f(E, t) from ``kinetic.evolve`` over time (ps) and quasi-particle energy E (meV), log
    colour scale; the gap Delta(t) drawn as the lower edge."""
    fig, ax = axes(ax)
    meV = ds.attrs["model_omega_meV"]
    E = energy_to_meV(ds["E"].values, meV)
    t = np.broadcast_to(ds["t_ps"].values[:, None], E.shape)
    f = np.clip(ds["f"].values, F_FLOOR, 1.0)
    top = energy_to_meV(float(ds["Delta"].max()), meV) + 15 * energy_to_meV(ds.attrs["T"], meV)
    mesh = ax.pcolormesh(t, E, f, shading="gouraud", norm=LogNorm(F_FLOOR, 0.5), cmap="magma")
    fig.colorbar(mesh, ax=ax, label="occupation f")
    gap_meV = energy_to_meV(ds["Delta"].values, meV)
    ax.plot(ds["t_ps"], gap_meV, color="C0", lw=1.5, label=r"$\Delta(t)$")
    ax.set_ylim(0.0, min(top, float(E.max())))
    ax.set_ylabel("quasi-particle energy E [meV]")
    ax.legend(loc="upper right")
    _time_axis(ax, ds)
    return fig, ax


def _runs(datasets: Sequence[xr.Dataset], ax: Axes | None, name: str) -> tuple[Figure, Axes]:
    fig, ax = axes(ax)
    for ds in datasets:
        meV = ds.attrs["model_omega_meV"]
        y = energy_to_meV(ds[name].values, meV) if name == "Delta" else ds[name].values
        tau = ds.attrs.get("tau_esc_ps", ds.attrs.get("tau_esc"))
        ax.plot(ds["t_ps"], y, label=f"{ds.attrs.get('T_K', 0):.0f} K, tau_esc = {tau:g} ps")
    if datasets:
        _time_axis(ax, datasets[0])
    ax.legend(fontsize=9)
    return fig, ax


def gap(datasets: Sequence[xr.Dataset], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Delta(t) in meV for several runs of ``studies.quasiparticle_kinetics.trajectory``."""
    fig, ax = _runs(datasets, ax, "Delta")
    ax.set_ylabel(r"gap $\Delta$ [meV]")
    return fig, ax


def density(datasets: Sequence[xr.Dataset], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """n(t) per site (eq. 11) for several runs, with the frozen n* of eqs. 9-11 dashed."""
    fig, ax = axes(ax)
    for i, ds in enumerate(datasets):
        if "n_star" in ds.attrs:
            label = "frozen n* (eqs. 9-11)" if i == 0 else None
            ax.axhline(ds.attrs["n_star"], color=f"C{i}", ls="--", lw=1, label=label)
    _runs(datasets, ax, "n_qp")
    ax.set_ylabel("quasi-particle density n [1/site]")
    return fig, ax
