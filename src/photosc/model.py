"""The model of the paper: a Raman phonon coupled to an inter-band transition, plus BCS pairing.

All parameters are in the internal units of ``photosc.units`` (hbar = k_B = 1, energies in
hbar*omega, Q in l0); ``omega_meV`` converts them to physical units at the edges.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

from photosc.units import THz_to_meV, meV_to_THz, temperature_from_K, temperature_to_K

#: Phonon energy of the paper's Hg(3) mode, 22 THz, in meV.
HG3_OMEGA_MEV: float = float(THz_to_meV(22.0))
#: Weakest coupling lam_eff = nu U0 a model may have: below, Delta0 and T_c ~ e^(-1/lam_eff) fall
#: under 1e-130 hbar*omega, out of reach of the BCS solvers (``photosc.physics.bcs``).
MIN_LAM_EFF: float = 1 / 300


@dataclass(frozen=True)
class Model:
    """Parameters of the two-level Raman model (eqs. 1-5) with BCS pairing (eq. 7).

    dE:        level splitting Delta E, in hbar*omega (> 0).
    g:         electron-phonon coupling g*l0/omega, dimensionless (>= 0).
    nu:        density of states per spin per site nu(0)*omega, dimensionless (> 0).
    U0:        equilibrium attraction U0, in hbar*omega (> 0).
    cutoff:    BCS cutoff, in hbar*omega (> 0; the paper uses the phonon energy, 1).
    omega_meV: phonon energy hbar*omega in meV (> 0), the unit of energy.
    name:      the material it came from (``materials.load`` sets it), for display only.

    lam_eff = nu U0 must be finite and >= 1/300 (``MIN_LAM_EFF``): T_c and Delta0 are then
    representable, so every derived quantity (``Tc``, ``Delta0``, ...) exists.
    """

    dE: float
    g: float
    nu: float
    U0: float
    cutoff: float = 1.0
    omega_meV: float = HG3_OMEGA_MEV
    name: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("dE", "g", "nu", "U0", "cutoff", "omega_meV"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"{name} must be a real number, got {name}={value!r}")
            if not math.isfinite(value) or (value < 0 if name == "g" else value <= 0):
                rule = ">= 0" if name == "g" else "> 0"
                raise ValueError(f"{name} must be finite and {rule}, got {name}={value!r}")
            object.__setattr__(self, name, float(value))
        from photosc._checks import checked

        for name in ("dE", "g", "nu", "U0", "cutoff", "omega_meV"):  # photosc's domains
            checked(name, getattr(self, name))
        lam_eff = self.nu * self.U0
        if not (math.isfinite(lam_eff) and lam_eff >= MIN_LAM_EFF):
            raise ValueError(
                f"lam_eff = nu*U0 must be finite and >= 1/300 (T_c below 1e-130 hbar*omega is "
                f"not resolvable), got lam_eff={lam_eff!r} (nu={self.nu!r}, U0={self.U0!r})"
            )
        if self.name is not None and not isinstance(self.name, str):
            raise ValueError(f"name must be a string or None, got name={self.name!r}")

    def __repr__(self) -> str:
        w = self.omega_meV
        label = f"{self.name!r}, " if self.name else ""
        return (
            f"Model({label}dE={self.dE:.6g} ({self.dE * w:.4g} meV), g={self.g:.6g}, "
            f"nu={self.nu:.6g}, U0={self.U0:.6g} ({self.U0 * w:.4g} meV), "
            f"cutoff={self.cutoff:.6g}, omega_meV={w:.6g} ({float(meV_to_THz(w)):.4g} THz); "
            f"lam_eff={self.lam_eff:.4g}, T_c={self.Tc_K:.4g} K)"
        )

    # --- constructors ----------------------------------------------------------------------
    @classmethod
    def from_lam_eff(
        cls,
        lam_eff: float,
        *,
        dE: float,
        g: float,
        nu: float,
        cutoff: float = 1.0,
        omega_meV: float = HG3_OMEGA_MEV,
    ) -> Model:
        """Model whose U0 gives lam_eff = nu * U0 (the paper fixes lam_eff = 0.3)."""
        if not (isinstance(lam_eff, numbers.Real) and math.isfinite(lam_eff) and lam_eff > 0):
            raise ValueError(f"lam_eff must be finite and > 0, got lam_eff={lam_eff!r}")
        if not (isinstance(nu, numbers.Real) and math.isfinite(nu) and nu > 0):
            raise ValueError(f"nu must be finite and > 0, got nu={nu!r}")
        return cls(dE=dE, g=g, nu=nu, U0=lam_eff / nu, cutoff=cutoff, omega_meV=omega_meV)

    @classmethod
    def from_Tc_K(
        cls,
        Tc_K: float,
        *,
        dE: float,
        g: float,
        nu: float,
        cutoff: float = 1.0,
        omega_meV: float = HG3_OMEGA_MEV,
    ) -> Model:
        """Model whose U0 gives the BCS critical temperature ``Tc_K`` (in K) at Q = 0."""
        from photosc.physics.bcs import coupling_for_critical_temperature

        if not (isinstance(Tc_K, numbers.Real) and math.isfinite(Tc_K) and Tc_K > 0):
            raise ValueError(f"Tc_K must be finite and > 0, got Tc_K={Tc_K!r}")
        lam = coupling_for_critical_temperature(temperature_from_K(Tc_K, omega_meV), cutoff)
        return cls.from_lam_eff(lam, dE=dE, g=g, nu=nu, cutoff=cutoff, omega_meV=omega_meV)

    # --- derived quantities ----------------------------------------------------------------
    @property
    def lam_eff(self) -> float:
        """Dimensionless BCS coupling lam_eff = nu(0) U0 at Q = 0."""
        return self.nu * self.U0

    @property
    def Tc(self) -> float:
        """BCS critical temperature at Q = 0, in hbar*omega/k_B."""
        from photosc.physics.bcs import critical_temperature

        return float(critical_temperature(self.U0, self.nu, self.cutoff))

    @property
    def Tc_K(self) -> float:
        """BCS critical temperature at Q = 0, in K."""
        return float(temperature_to_K(self.Tc, self.omega_meV))

    @property
    def Delta0(self) -> float:
        """T = 0 BCS gap at Q = 0, cutoff / sinh(1 / lam_eff), in hbar*omega."""
        from photosc.physics.bcs import gap

        return float(gap(self.U0, 0.0, self.nu, self.cutoff))

    def renormalized(self, Z: float) -> Model:
        """Mott-renormalised model (App. D): dE -> Z dE, nu -> nu / Z, U0 -> Z U0 (lam_eff kept)."""
        if not (isinstance(Z, numbers.Real) and math.isfinite(Z) and 0 < Z <= 1):
            raise ValueError(f"Z must be in (0, 1], got Z={Z!r}")
        return dataclasses.replace(self, dE=self.dE * Z, nu=self.nu / Z, U0=self.U0 * Z)

    def replace(self, **changes: Any) -> Model:
        """A copy with some parameters changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def as_attrs(self) -> dict[str, float]:
        """Parameters and derived couplings, for the attrs of an xarray Dataset."""
        attrs = {k: v for k, v in dataclasses.asdict(self).items() if k != "name"}
        return {**attrs, "lam_eff": self.lam_eff}
