"""photosc: long-lived, photo-induced superconductivity (Chattopadhyay et al., 2023).

Internal units: hbar = k_B = 1, energies in units of the phonon energy hbar*omega, the Raman
coordinate Q in units of the oscillator length l0 = sqrt(hbar/(M omega)), time in 1/omega.
See ``photosc.units`` for conversions to meV, K, THz and ps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from photosc.model import Model

__all__ = ["Model", "__version__"]


def __getattr__(name: str) -> Any:
    """``Model`` and ``__version__`` on first use: importing photosc stays free of numpy and
    scipy (the command line's start-up)."""
    if name == "Model":
        from photosc.model import Model

        return Model
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("photosc")
        except PackageNotFoundError:  # running from a source tree without installation
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'photosc' has no attribute {name!r}")
