"""Material presets: TOML files with one source line per number.

A preset gives ``omega_THz`` (the Raman mode), ``g`` (g*l0/omega), ``nu`` (nu(0)*omega),
``dE_meV`` and either ``lam_eff`` or ``Tc_K``; ``load`` turns it into a ``Model``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from photosc.model import Model
from photosc.units import THz_to_meV

_KNOWN = {"dE", "g", "nu", "U0", "cutoff", "omega_meV", "lam_eff", "Tc_K"}


def available() -> list[str]:
    """Names of the bundled presets."""
    return sorted(
        p.name.removesuffix(".toml")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".toml")
    )


def read(name: str) -> dict[str, Any]:
    """The raw preset (``name`` of a bundled preset or path to a TOML file) as a dict."""
    path = Path(name)
    if path.suffix == ".toml":
        if not path.is_file():
            raise ValueError(f"material file not found: {name!r}")
        text = path.read_text()
    elif name in available():
        text = resources.files(__name__).joinpath(f"{name}.toml").read_text()
    else:
        raise ValueError(
            f"material must be one of {available()} or a .toml file, got material={name!r}"
        )
    data = tomllib.loads(text)
    if "parameters" not in data:
        raise ValueError(f"material {name!r} has no [parameters] table")
    return data


def load(name: str, Z: float | None = None, **overrides: float) -> Model:
    """The ``Model`` of a preset, with internal-unit ``overrides``, then renormalised by ``Z``.

    Overrides are model fields (dE, g, nu, U0, cutoff, omega_meV) or one of lam_eff / Tc_K,
    which fix U0. ``Z`` (quasi-particle residue, 0 < Z <= 1) applies App. D's Mott
    renormalisation dE -> Z dE, nu -> nu / Z at fixed lam_eff.
    """
    unknown = set(overrides) - _KNOWN
    if unknown:
        raise ValueError(f"overrides must be among {sorted(_KNOWN)}, got {sorted(unknown)}")
    p = read(name)["parameters"]
    omega_meV = overrides.get("omega_meV", float(THz_to_meV(p["omega_THz"])))
    base: dict[str, Any] = {
        "dE": p["dE_meV"] / omega_meV,
        "g": p["g"],
        "nu": p["nu"],
        "cutoff": p.get("cutoff", 1.0),
        "omega_meV": omega_meV,
    }
    base.update({k: v for k, v in overrides.items() if k in {"dE", "g", "nu", "cutoff"}})
    if "U0" in overrides:
        model = Model(U0=overrides["U0"], **base)
    elif "Tc_K" in overrides or ("lam_eff" not in overrides and "Tc_K" in p):
        model = Model.from_Tc_K(overrides.get("Tc_K", p.get("Tc_K")), **base)
    else:
        model = Model.from_lam_eff(overrides.get("lam_eff", p.get("lam_eff")), **base)
    return model if Z is None else model.renormalized(Z)
