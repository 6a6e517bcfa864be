"""Figures of the material screening: alpha^2 F against Omega / 2 Delta_0, and the times."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from photosc.physics.spectra import Spectrum, sample
from photosc.plotting import axes
from photosc.plotting.trapping import EXPERIMENT_NS


def spectra_against_gap(
    ds: xr.Dataset,
    spectra: Sequence[Spectrum],
    omega_meV: Sequence[float],
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """alpha^2 F / max against Omega / 2 Delta_0 for every material of ``ds``
    (``studies.screening.screen``), on shared axes: the Discussion's rule asks whether 2 Delta_0
    (x = 1) falls where alpha^2 F is small. ``spectra`` and ``omega_meV`` (meV) are each
    material's alpha^2 F and phonon energy, in the order of ``ds.material``."""
    fig, ax = axes(ax)
    names = [str(m) for m in ds["material"].values]
    for i, (name, a2F, w) in enumerate(zip(names, spectra, omega_meV, strict=True)):
        Omega, y = sample(a2F)
        inside = Omega > 0
        x = Omega[inside] * w / float(ds["two_delta0_meV"][i])
        ax.plot(x, y[inside] / y.max(), color=f"C{i}", label=name)
    ax.axvline(1.0, color="k", ls="--", lw=1.2, label=r"$2\Delta_0$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 1.5)
    ax.set_xlim(0.05, 200)
    ax.set_xlabel(r"$\Omega / 2\Delta_0$")
    ax.set_ylabel(r"$\alpha^2F(\Omega)$ / max")
    ax.legend(fontsize=9, ncol=2)
    return fig, ax


def times(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """tau_0 (eq. 13 corrected, at Delta_0), tau_g and the half-life at the trapped state (ns)
    for every material of ``ds``; missing markers: no trapped gap at T."""
    fig, ax = axes(ax)
    names = [str(m) for m in ds["material"].values]
    pos = np.arange(len(names))
    shown = (
        ("tau0_ns", "o", r"$\tau_0$ at $\Delta_0$ (eq. 13)"),
        ("tau_g_ns", "s", r"$\tau_g$ at $T$"),
        ("half_life_ns", "^", "half-life at $T$"),
    )
    for k, (var, marker, text) in enumerate(shown):
        ax.scatter(pos + (k - 1) * 0.2, ds[var].values, marker=marker, s=60, label=text)
    ax.axhline(EXPERIMENT_NS, color="C3", ls=":", label="K3C60 experiments (> 10 ns)")
    ax.set_yscale("log")
    ax.set_xticks(pos, names, rotation=30, ha="right")
    ax.set_ylabel("time [ns]")
    ax.set_title(f"T = {ds.attrs['T_K']:g} K, Q* = {ds.attrs['Q_star']:g} l0", fontsize=12)
    ax.legend(fontsize=9)
    return fig, ax


def screening(
    ds: xr.Dataset, spectra: Sequence[Spectrum], omega_meV: Sequence[float]
) -> tuple[Figure, np.ndarray]:
    """Both panels side by side: ``spectra_against_gap`` and ``times``."""
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, 2, figsize=(12.8, 4.8))
    spectra_against_gap(ds, spectra, omega_meV, axs[0])
    times(ds, axs[1])
    return fig, axs
