"""Matplotlib figures. Every function takes ``ax=None`` and returns ``(fig, ax)``."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Font sizes readable on a slide; used by the CLI and the report via ``talk_style()``.
TALK_STYLE: dict[str, Any] = {
    "font.size": 13,
    "axes.labelsize": 14,
    "axes.titlesize": 14,
    "legend.fontsize": 11,
    "lines.linewidth": 2.0,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


def talk_style() -> Any:
    """Context manager applying ``TALK_STYLE`` (matplotlib's defaults stay untouched outside)."""
    return plt.rc_context(TALK_STYLE)  # type: ignore[arg-type]


def axes(ax: Axes | None = None, **subplot_kw: Any) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` itself, or a new figure."""
    if ax is not None:
        return ax.get_figure(), ax  # type: ignore[return-value]
    fig, new = plt.subplots(figsize=(6.4, 4.6), **subplot_kw)
    return fig, new


def label(var: Any, name: str | None = None) -> str:
    """Axis label 'long name [units]' from an xarray variable's attrs (after xarray's own)."""
    long_name = var.attrs.get("long_name", name or var.name)
    units = var.attrs.get("units")
    return f"{long_name} [{units}]" if units else str(long_name)


def save(fig: Figure, path: Any) -> Any:
    """Save ``fig`` as PNG at ``path`` (atomically, ``photosc.io.atomic_write``) and close it;
    returns the path."""
    from photosc.io import atomic_write

    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))
    finally:
        plt.close(fig)
    return path
