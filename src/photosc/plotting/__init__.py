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
    "figure.dpi": 150,
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


#: ASCII spellings in datasets' attrs -> the symbols a figure shows (order matters).
_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("hbar*omega", "ħω"),
    ("hbar", "ħ"),
    ("1/omega", "1/ω"),
    ("omega/site", "ω/site"),
    ("l0^2", "ℓ₀²"),
    ("l0", "ℓ₀"),
    ("Delta E", "ΔE"),
    ("Delta", "Δ"),
    ("nu(0)", "ν(0)"),
    ("lambda", "λ"),
    ("lam_eff", "λ_eff"),
    ("alpha^2F", "α²F"),
    ("a2F", "α²F"),
    ("Omega", "Ω"),
    ("Gamma", "Γ"),
    ("tau", "τ"),
    ("gamma", "γ"),
    ("n*", "n*"),
    ("^-1", "⁻¹"),
)


def pretty(text: str) -> str:
    """``text`` with the ASCII spellings of the datasets' attrs replaced by symbols (ħω, ℓ₀, Δ,
    ν(0), ...), for axis labels and legends."""
    for ascii_name, symbol in _SYMBOLS:
        text = text.replace(ascii_name, symbol)
    return text


def label(var: Any, name: str | None = None) -> str:
    """Axis label 'long name [units]' from an xarray variable's attrs, in symbols (``pretty``)."""
    long_name = str(var.attrs.get("long_name", name or var.name))
    units = var.attrs.get("units")
    return pretty(f"{long_name} [{units}]" if units and units != "1" else long_name)


def log_limits(values: Any, keep: Any = (), decades: float = 12.0) -> tuple[float, float]:
    """Limits of a log axis that show ``values`` (finite, > 0) and ``keep`` (reference lines),
    at most ``decades`` decades tall: the top is cut down so that the smallest values and the
    references stay readable (10^88 ns says nothing). Returns (bottom, top)."""
    import numpy as np

    v = np.asarray(values, dtype=float).ravel()
    v = np.concatenate([v[np.isfinite(v) & (v > 0)], np.asarray(keep, dtype=float).ravel()])
    if v.size == 0:
        return 1e-3, 1e3
    lo, hi = float(v.min()) / 3.0, float(v.max()) * 3.0
    return lo, min(hi, lo * 10.0**decades)


def off_scale(ax: Axes, x: Any, y: Any, top: float, color: Any, text: str | None) -> None:
    """Draw the points of (x, y) above ``top`` as triangles on the top edge (label ``text``)."""
    import numpy as np

    y = np.asarray(y, dtype=float)
    above = np.isfinite(y) & (y > top)
    if above.any():
        ax.plot(np.asarray(x)[above], np.full(above.sum(), top), "^", color=color, ms=7,
                clip_on=False, label=text)  # fmt: skip


def legend_outside(ax: Axes, **kwargs: Any) -> Any:
    """A legend to the right of the axes, off the data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kwargs)


def legend_below(ax: Axes, drop: float = 0.17, **kwargs: Any) -> Any:
    """A legend in two columns below the axes (``drop``: below the x label), off the data."""
    options = {"ncol": 2, "fontsize": "small"} | kwargs
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -drop), **options)


def save(fig: Figure, path: Any, stamp: str = "") -> Any:
    """Save ``fig`` as PNG at ``path`` (atomically, ``photosc.io.atomic_write``) and close it;
    returns the path.

    ``stamp`` (e.g. 'K3C60, Z = 0.3 (1/Z = 3.33)') is added above the figure, so that a figure
    taken out of its report still says which material and Z it shows. zlib level 1: the same
    pixels as the default level 6, ~15% larger files, ~20 ms less per figure.
    """
    from photosc.io import atomic_write

    if stamp:
        fig.suptitle(stamp, fontsize="small", color="0.3")
    try:
        zlib_1 = {"compress_level": 1}
        atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", pil_kwargs=zlib_1))
    finally:
        plt.close(fig)
    return path
