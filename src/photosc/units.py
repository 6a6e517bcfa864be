"""Physical constants and unit conversions, all from ``scipy.constants``.

photosc computes in one internal system: hbar = k_B = 1, energies in units of the phonon
energy hbar*omega, Q in units of l0 = sqrt(hbar/(M omega)) (so M = 1 and M omega^2 = 1), time in
1/omega with omega the angular frequency. A model's ``omega_meV`` (hbar*omega in meV) is the only
scale needed to leave that system; the functions below take it explicitly.
"""

from __future__ import annotations

import math
from typing import Any

from scipy import constants as _c

#: Boltzmann constant in meV/K.
K_B_MEV_PER_K: float = _c.k / _c.e * 1e3
#: Planck constant in meV*s.
H_MEV_S: float = _c.h / _c.e * 1e3
#: Reduced Planck constant in meV*s.
HBAR_MEV_S: float = _c.hbar / _c.e * 1e3


def meV_to_K(E_meV: Any) -> Any:
    """Energy in meV -> temperature in K (E / k_B)."""
    return E_meV / K_B_MEV_PER_K


def K_to_meV(T_K: Any) -> Any:
    """Temperature in K -> energy in meV (k_B T)."""
    return T_K * K_B_MEV_PER_K


def THz_to_meV(f_THz: Any) -> Any:
    """Ordinary frequency in THz -> quantum energy h f in meV."""
    return f_THz * 1e12 * H_MEV_S


def meV_to_THz(E_meV: Any) -> Any:
    """Quantum energy in meV -> ordinary frequency E / h in THz."""
    return E_meV / H_MEV_S / 1e12


def meV_to_inverse_ps(E_meV: Any) -> Any:
    """Energy in meV -> angular frequency E / hbar in rad/ps."""
    return E_meV / HBAR_MEV_S * 1e-12


# --- internal <-> physical, for a phonon energy omega_meV = hbar*omega in meV ---------------


def energy_to_meV(E: Any, omega_meV: float) -> Any:
    """Internal energy (units of hbar*omega) -> meV."""
    return E * omega_meV


def energy_from_meV(E_meV: Any, omega_meV: float) -> Any:
    """Energy in meV -> internal units of hbar*omega."""
    return E_meV / omega_meV


def temperature_to_K(T: Any, omega_meV: float) -> Any:
    """Internal temperature (units of hbar*omega/k_B) -> K."""
    return meV_to_K(T * omega_meV)


def temperature_from_K(T_K: Any, omega_meV: float) -> Any:
    """Temperature in K -> internal units of hbar*omega/k_B."""
    return K_to_meV(T_K) / omega_meV


def time_to_ps(t: Any, omega_meV: float) -> Any:
    """Internal time (units of 1/omega) -> ps."""
    return t / meV_to_inverse_ps(omega_meV)


def time_from_ps(t_ps: Any, omega_meV: float) -> Any:
    """Time in ps -> internal units of 1/omega."""
    return t_ps * meV_to_inverse_ps(omega_meV)


def rate_to_per_s(rate: Any, omega_meV: float) -> Any:
    """Internal rate (units of omega) -> s^-1."""
    return rate * meV_to_inverse_ps(omega_meV) * 1e12


def oscillator_length_pm(omega_meV: float, mass_amu: float) -> float:
    """Oscillator length l0 = sqrt(hbar / (M omega)) in pm for a mode of mass ``mass_amu``."""
    omega = omega_meV * 1e-3 * _c.e / _c.hbar
    return math.sqrt(_c.hbar / (mass_amu * _c.atomic_mass * omega)) * 1e12
