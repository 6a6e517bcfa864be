"""Input validation and the scalar/array contract shared by every physics function.

The contract (tested by ``tests/test_contract.py``): a public function takes real numbers or
arrays of them, broadcasts them like a numpy ufunc (empty arrays in give empty arrays out) and
returns a Python float for scalar input; anything else (strings, complex numbers, None, dicts,
booleans, NaN, values out of range, shapes that do not broadcast) raises ValueError naming the
parameter.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

#: The domain of every numeric input, in internal units (energies in hbar*omega, Q in l0, ...):
#: |x| <= MAX_MAGNITUDE. Beyond, squares and exponentials of the inputs leave double range and the
#: physics (a cutoff at ~hbar*omega) has long stopped applying; such inputs are refused.
MAX_MAGNITUDE: float = 1e200
#: Narrower domains of the model's scales and of the thermodynamic variables (by parameter name,
#: the paper's names used throughout): nonzero |x| in [low, high]. The physics functions are
#: tested (``tests/test_contract.py``) in this box; outside it they refuse the input. T has no
#: lower bound (T < 1e-140 is T = 0).
DOMAINS: dict[str, tuple[float, float]] = {
    **dict.fromkeys(("cutoff", "dE", "nu", "U", "omega_meV"), (1e-12, 1e6)),
    **dict.fromkeys(("T", "lam", "Tc", "U0"), (0.0, 1e6)),  # U0 -> 0 is eq. 8's U0 = 0
    "g": (0.0, 1e3),  # U0 + g^2 stays within the domain of U
    "mass_amu": (1e-6, 1e9),
    **dict.fromkeys(("Q", "Q_star"), (0.0, 1e100)),  # their squares stay finite
}
#: Largest gap Delta accepted (``checked(..., at_most=MAX_GAP)``; its square stays finite). Gaps
#: are at most ~cutoff * nu U (<= 1e18) inside the domains above.
MAX_GAP: float = 1e100


def _describe(value: Any) -> str:
    """A short description of ``value`` for an error message (never a long array repr)."""
    if isinstance(value, np.ndarray) and value.size > 1:
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def as_real_array(name: str, value: ArrayLike) -> FloatArray:
    """``value`` as a float array if it holds real numbers only (no str, complex, bool, None)."""
    arr = np.asarray(value) if not isinstance(value, dict | set) else np.asarray(None)
    kind = arr.dtype.kind
    if kind == "O":
        items = arr.ravel().tolist()
        ok = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items)
    else:
        ok = kind in "iuf"
    if not ok:
        raise ValueError(
            f"{name} must be a real number or an array of real numbers, got {name}="
            f"{_describe(value)}"
        )
    return np.asarray(arr, dtype=float)


def checked(
    name: str,
    value: ArrayLike,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    allow_inf: bool = False,
    at_most: float | None = None,
) -> FloatArray:
    """Return ``value`` as a float array; raise ValueError naming ``name`` if it is invalid:
    not real, NaN, out of sign, outside the domain of ``name`` (``DOMAINS``, else
    ``MAX_MAGNITUDE``) or, with ``at_most``, larger than that."""
    arr = as_real_array(name, value)
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if positive:
        bad |= ~(arr > 0)
    elif nonnegative:
        bad |= ~(arr >= 0)
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        rule = "> 0" if positive else ">= 0" if nonnegative else "finite"
        raise ValueError(f"{name} must be {rule}, got {name}={first!r}")
    low, high = DOMAINS.get(name, (0.0, MAX_MAGNITUDE if at_most is None else at_most))
    size = np.abs(arr)
    outside = np.isfinite(arr) & ((size > high) | ((size < low) & (size > 0)))
    if np.any(outside):
        raise ValueError(
            f"{name} must be {f'between {low:g} and ' if low else 'at most '}{high:g} in size "
            f"(photosc's domain, internal units), got {name}={float(arr[outside].flat[0])!r}"
        )
    return arr


def checked_scalar(name: str, value: Any, **rules: bool) -> float:
    """A single real number, checked like ``checked``; arrays of more than one value are refused."""
    arr = checked(name, value, **rules)
    if arr.size != 1:
        raise ValueError(f"{name} must be a single number, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def broadcast(**arrays: FloatArray) -> list[FloatArray]:
    """``np.broadcast_arrays`` of the named arrays; a mismatch raises ValueError naming them."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast together: {shapes}") from None


def output(value: Any) -> Any:
    """A 0-d result becomes a Python float; arrays pass through."""
    arr = np.asarray(value)
    return float(arr) if arr.ndim == 0 else arr


# --- the inputs of the studies -------------------------------------------------------------------

#: Highest temperature a study accepts, in units of the model's BCS cutoff (~ hbar*omega): the
#: model (pairing within the cutoff of the Fermi level) has no meaning far above it, and values
#: above are almost always kelvin passed where hbar*omega is expected.
T_MAX_CUTOFFS: float = 10.0


def checked_model(model: Any) -> Any:
    """``model`` if it is a ``photosc.model.Model``; else ValueError."""
    from photosc.model import Model

    if not isinstance(model, Model):
        raise ValueError(f"model must be a photosc.model.Model, got model={_describe(model)}")
    return model


def checked_grid(name: str, value: ArrayLike, **rules: bool) -> FloatArray:
    """A study's coordinate: a scalar or a non-empty 1-d array, checked like ``checked``."""
    arr = np.atleast_1d(checked(name, value, **rules))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a scalar or a non-empty 1-d array, got shape {arr.shape}")
    return arr


def checked_temperature(
    name: str, T: ArrayLike, model: Any, *, positive: bool = False
) -> FloatArray:
    """Temperatures in hbar*omega for ``model``: >= 0 (> 0 with ``positive``) and at most
    ``T_MAX_CUTOFFS`` cutoffs; the error for larger ones says how to convert from kelvin."""
    from photosc.units import temperature_from_K, temperature_to_K

    T = checked(name, T, positive=positive, nonnegative=not positive)
    top = T_MAX_CUTOFFS * model.cutoff
    if np.any(T > top):
        value = float(np.max(T))
        w = model.omega_meV
        raise ValueError(
            f"{name} is in hbar*omega (here {float(temperature_to_K(1.0, w)):.4g} K) and must be "
            f"<= {top:g}, got {name}={value:g} (= {temperature_to_K(value, w):.3g} K); for kelvin "
            f"pass temperature_from_K(T_K, model.omega_meV) (e.g. 100 K is "
            f"{float(temperature_from_K(100.0, w)):.4g})"
        )
    return T
