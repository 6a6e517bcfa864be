"""photosc: long-lived, photo-induced superconductivity (Chattopadhyay et al., 2023).

Internal units: hbar = k_B = 1, energies in units of the phonon energy hbar*omega, the Raman
coordinate Q in units of the oscillator length l0 = sqrt(hbar/(M omega)), time in 1/omega.
See ``photosc.units`` for conversions to meV, K, THz and ps.
"""

from importlib.metadata import PackageNotFoundError, version

from photosc.model import Model

try:
    __version__ = version("photosc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["Model", "__version__"]
