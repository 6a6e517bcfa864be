"""Figures of the adiabaticity study: a release's gap and excitations, the map of n_exc over
ring-down time and Delta*, and the gap along a driven trajectory (``studies.adiabaticity``)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from photosc.plotting import axes, label

#: Smallest density drawn on logarithmic axes (per site).
_FLOOR = 1e-12


def release_gap(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Collisionless |Delta(t)| against the thermal gap Delta(U(t), T) during a release, with the
    trapped gap Delta_tr(n*) and the adiabatic collisionless end point marked."""
    fig, ax = axes(ax)
    a = ds.attrs
    ax.plot(ds["t"], ds["Delta_adiabatic"], color="0.6", lw=1, label=r"thermal $\Delta(U(t), T)$")
    ax.plot(ds["t"], ds["Delta"], color="C0", lw=1, label=r"collisionless $|\Delta(t)|$")
    ax.axhline(a["delta_tr_meV"], color="C3", ls="--", label=r"trapped $\Delta_{tr}(n^*)$")
    ax.axhline(a["adiabatic_gap_meV"], color="C2", ls=":", label="adiabatic, collisionless")
    ax.set_xlabel(label(ds["t"]))
    ax.set_ylabel(label(ds["Delta"]))
    ax.set_title(
        f"{a['protocol']} release from Q* = {a['Q_star']:g}, {a['T_K']:g} K, "
        f"ring-down {a['ringdown_ps']:g} ps"
    )
    ax.legend(loc="upper right")
    return fig, ax


def release_excitations(runs: dict[str, xr.Dataset], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """n_exc(t) of releases (keyed by protocol) on a log axis, with n* and n_loss - n*."""
    fig, ax = axes(ax)
    first = next(iter(runs.values()))
    for i, (name, ds) in enumerate(runs.items()):
        ax.plot(ds["t"], np.maximum(ds["n_exc"], _FLOOR), color=f"C{i}", lw=1, label=name)
    n_star, n_loss = first.attrs["n_star"], first.attrs["n_loss"]
    if n_star > 0:
        ax.axhline(n_star, color="k", ls="--", label=f"thermal n* = {n_star:.3g}")
    if n_loss > n_star:
        ax.axhline(
            n_loss - n_star, color="C3", ls=":", label=f"n_loss - n* = {n_loss - n_star:.3g}"
        )
    ax.set_yscale("log")
    ax.set_ylim(bottom=_FLOOR)
    ax.set_xlabel(label(first["t"]))
    ax.set_ylabel(r"$n_{exc}$ [1/site]")
    ax.set_title("quasi-particles created by the release")
    ax.legend(loc="lower right")
    return fig, ax


def excitation_spectrum(
    runs: dict[str, xr.Dataset], omega_meV: float, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """n_exc per unit xi at the end of releases (keyed by protocol) over xi > 0, with the level
    whose pair energy 2E matches 2 hbar*omega (the ringing U(Q(t)) oscillates at 2 omega)."""
    fig, ax = axes(ax)
    first = next(iter(runs.values()))
    for i, (name, ds) in enumerate(runs.items()):
        upper = ds.where(ds["xi"] > 0, drop=True)
        ax.plot(upper["xi"], np.maximum(upper["n_exc_xi"], _FLOOR), color=f"C{i}", label=name)
    delta = float(first.attrs["delta_final_meV"])
    if delta < omega_meV:
        xi_res = float(np.sqrt(omega_meV**2 - delta**2))
        ax.axvline(xi_res, color="k", ls=":", label=r"$2E = 2\hbar\omega$")
    ax.set_yscale("log")
    ax.set_ylim(bottom=_FLOOR)
    ax.set_xlabel(label(first["xi"]))
    ax.set_ylabel(label(first["n_exc_xi"]))
    ax.set_title("where the quasi-particles are created")
    ax.legend(loc="lower left")
    return fig, ax


def excitation_map(ds: xr.Dataset, T_K: float, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """n_exc / (n_loss - n*) over ring-down time x Delta* at T_K (``adiabaticity_map``): >= 1
    the created quasi-particles alone destroy the trapped gap; each cell is labelled with
    n_exc / n*. Cells without a trapped state (n* >= n_loss or Delta* = 0) are blank."""
    fig, ax = axes(ax)
    at = ds.sel(T_K=T_K)
    at = at.isel(Q_star=np.flatnonzero(at["delta_star"].values > 0))
    ratio = at["loss_fraction"].transpose("Q_star", "ringdown").values
    ratio = np.where(ratio > 0, ratio, np.nan)
    taus = at["ringdown"].values
    gaps = at["delta_star"].values
    order = np.argsort(gaps)
    x = np.arange(taus.size)
    y = np.arange(gaps.size)
    mesh = ax.pcolormesh(
        x, y, ratio[order], shading="nearest", cmap="RdYlGn_r", norm=LogNorm(1e-6, 1e1)
    )
    fig.colorbar(mesh, ax=ax, label=r"$n_{exc} / (n_{loss} - n^*)$")
    heating = at["heating"].transpose("Q_star", "ringdown").values[order]
    for j in range(gaps.size):
        for i in range(taus.size):
            if np.isfinite(ratio[order][j, i]) and np.isfinite(heating[j, i]):
                ax.text(i, j, f"{heating[j, i]:.1e}", ha="center", va="center", fontsize=9)
    ax.set_xticks(x, [f"{v:g}" for v in taus])
    ax.set_yticks(y, [f"{v:.1f}" for v in gaps[order]])
    ax.set_xlabel(label(at["ringdown"]))
    ax.set_ylabel(r"gap during the hold $\Delta^*$ [meV]")
    ax.set_title(f"{ds.attrs['protocol']} release, {T_K:g} K (cells: $n_{{exc}}/n^*$)")
    return fig, ax


def driven_gap(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Collisionless |Delta(t)| against the adiabatic Delta(Q(t), T) along a driven trajectory
    of eq. 6, with n_exc(t) on the right axis."""
    fig, ax = axes(ax)
    ax.plot(ds["t"], ds["Delta_adiabatic"], color="0.6", lw=0.5, label=r"adiabatic $\Delta(Q(t))$")
    ax.plot(ds["t"], ds["Delta"], color="C0", lw=0.5, label=r"collisionless $|\Delta(t)|$")
    ax.set_xlabel(label(ds["t"]))
    ax.set_ylabel(label(ds["Delta"]))
    right = ax.twinx()
    right.plot(ds["t"], ds["n_exc"], color="C3", lw=1.5, label=r"$n_{exc}$")
    right.set_ylabel(r"$n_{exc}$ [1/site]", color="C3")
    ax.set_title(f"driven trajectory of eq. 6 at {ds.attrs['T_K']:g} K")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper right")
    return fig, ax


def switch_off(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """n_exc against the switch-off time of the holding force (``switch_off_scan``), with n*,
    n_loss - n*, hbar/Delta* and the Raman period 2 pi/omega marked."""
    fig, ax = axes(ax)
    a = ds.attrs
    ax.loglog(ds["switch_off"], np.maximum(ds["n_exc"], _FLOOR), "o-", color="C0", label="n_exc")
    if a["n_star"] > 0:
        ax.axhline(a["n_star"], color="k", ls="--", label=f"thermal n* = {a['n_star']:.3g}")
    if a["n_loss"] > a["n_star"]:
        margin = a["n_loss"] - a["n_star"]
        ax.axhline(margin, color="C3", ls=":", label=f"n_loss - n* = {margin:.3g}")
    period_fs = a["raman_period_fs"]
    ax.axvline(period_fs, color="0.5", ls="-.", label=f"Raman period {period_fs:.0f} fs")
    ax.axvline(a["hbar_over_delta_star_fs"], color="C2", ls="-.", label=r"$\hbar/\Delta^*$")
    ax.set_xlabel(label(ds["switch_off"]))
    ax.set_ylabel(label(ds["n_exc"]))
    ax.set_title(f"release from Q* = {a['Q_star']:g} at {a['T_K']:g} K: how slowly to let go")
    ax.legend(loc="lower left", fontsize=10)
    return fig, ax
