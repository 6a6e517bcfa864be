"""Input validation and the scalar/array contract shared by every physics function."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def checked(
    name: str,
    value: ArrayLike,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    allow_inf: bool = False,
) -> FloatArray:
    """Return ``value`` as a float array; raise ValueError naming ``name`` if it is invalid."""
    arr = np.asarray(value, dtype=float)
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if positive:
        bad |= ~(arr > 0)
    elif nonnegative:
        bad |= ~(arr >= 0)
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        rule = "> 0" if positive else ">= 0" if nonnegative else "finite"
        raise ValueError(f"{name} must be {rule}, got {name}={first!r}")
    return arr


def output(value: Any) -> Any:
    """A 0-d result becomes a Python float; arrays pass through."""
    arr = np.asarray(value)
    return float(arr) if arr.ndim == 0 else arr
