"""Figures of the exact local pairing against eq. 5: U(Q) at Mott-path points and the phase
diagram (Fig. 2b) with both pairings side by side."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from photosc.plotting import axes, label
from photosc.plotting.landscape import phase_diagram

_NAMES = {"schrieffer-wolff": "eq. 5 (Schrieffer-Wolff)", "exact": "exact (eq. A1)"}


def attraction_curves(ds: xr.Dataset, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """U(Q) in meV at each 1/Z: eq. 5 dashed, exact solid, one colour per 1/Z.

    ``ds`` from ``studies.exact_pairing.attraction_curves``.
    """
    fig, ax = axes(ax)
    for i, z in enumerate(ds["Z_inv"].values):
        row = ds.isel(Z_inv=i)
        colour = f"C{i}"
        ax.plot(
            ds["Q"],
            row["U_exact"],
            color=colour,
            label=f"1/Z = {z:g} (ΔE = {float(row['dE']):.2f} ħω)",
        )
        ax.plot(ds["Q"], row["U_sw"], color=colour, ls="--")
    ax.plot([], [], color="k", label="exact (eq. A1)")
    ax.plot([], [], color="k", ls="--", label="eq. 5")
    ax.set_xlabel(label(ds["Q"]))
    ax.set_ylabel("U(Q) [meV]")
    ax.set_title("pairing attraction along the Mott path")
    ax.legend(fontsize=9)
    return fig, ax


def phase_diagrams(
    ds: xr.Dataset, paths: list[xr.Dataset] | None = None, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Fig. 2b with eq. 5 (left) and the exact pairing (right); on the right, hatched, where
    eq. 5 misses the exact U by more than 10% (and contours of that deviation).

    ``ds`` from ``studies.exact_pairing.phase_diagrams``; ``paths`` one per pairing (same order),
    from ``studies.exact_pairing.mott_paths``. ``ax``: the right-hand axes to draw the exact
    diagram on (then only that panel is drawn); by default a new figure with both.
    """
    if ax is None:
        fig, pair = plt.subplots(1, 2, figsize=(15.5, 5.4), sharey=True)
        panels = list(zip(ds["pairing"].values, pair, strict=True))
    else:
        fig, ax = axes(ax)
        panels = [("exact", ax)]
    for name, panel in panels:
        i = list(ds["pairing"].values).index(name)
        phase_diagram(ds.sel(pairing=name), None if paths is None else paths[i], ax=panel)
        panel.set_title(f"{_NAMES.get(str(name), str(name))}: g = {ds.attrs['g']:.2g}")
        if name == "exact":
            panel.set_ylabel("")
            nu, dE = ds["nu"].values, ds["dE"].values
            dev = ds["deviation"].transpose("dE", "nu").values
            panel.contourf(nu, dE, dev, levels=[0.1, np.inf], colors="none", hatches=["//"])
            cs = panel.contour(nu, dE, dev, levels=[0.1, 0.25, 0.5], colors="crimson",
                               linewidths=1.2)  # fmt: skip
            panel.clabel(cs, fmt=lambda v: f"{v:.0%}", fontsize=9)
    return fig, panels[-1][1]
