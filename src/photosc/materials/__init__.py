"""Material presets: TOML files with one source line per number.

A preset gives ``omega_THz`` (the Raman mode), ``g`` (g*l0/omega), ``nu`` (nu(0)*omega),
``dE_meV`` and either ``lam_eff`` or ``Tc_K``; ``load`` turns it into a ``Model``. An optional
``[spectrum]`` table names an alpha^2 F file (``spectrum`` reads it), an optional ``[kaplan]``
table holds Kaplan et al.'s (1976) constants of a conventional superconductor. ``SCHEMA`` lists
every table and key (the README's TOML section documents them).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photosc.model import Model
from photosc.units import THz_to_meV

if TYPE_CHECKING:
    from photosc.physics.spectra import Spectrum

_KNOWN = {"dE", "g", "nu", "U0", "cutoff", "omega_meV", "lam_eff", "Tc_K"}

#: table -> key -> (type, unit, required). Tables other than [parameters] are optional.
SCHEMA: dict[str, dict[str, tuple[type, str, bool]]] = {
    "spectrum": {
        "file": (str, "path relative to the TOML file", True),
        "format": (str, "a format of photosc.physics.spectra_readers.FORMATS", False),
        "smearing": (int, "1-based column or block", False),
        "unit": (str, "unit of Omega for format 'columns'", False),
    },
    "kaplan": {
        "Tc_K": (float, "K", True),
        "tau0_ns": (float, "ns", True),
        "Delta0_meV": (float, "meV", True),
        "b_over_Z1_per_meV2": (float, "meV^-2", True),
        "omega_D_meV": (float, "meV", True),
    },
}


def available() -> list[str]:
    """Names of the bundled presets."""
    return sorted(
        p.name.removesuffix(".toml")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".toml")
    )


def _location(name: str) -> Any:
    """The TOML file of ``name`` (a path, or the bundled resource of a preset)."""
    path = Path(name)
    if path.suffix == ".toml":
        if not path.is_file():
            raise ValueError(f"material file not found: {name!r}")
        return path
    if name in available():
        return resources.files(__name__).joinpath(f"{name}.toml")
    raise ValueError(
        f"material must be one of {available()} or a .toml file, got material={name!r}"
    )


def read(name: str) -> dict[str, Any]:
    """The raw preset (``name`` of a bundled preset or path to a TOML file) as a dict."""
    text = _location(name).read_text()
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
    base: dict[str, float] = {
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


def spectrum(name: str, omega_meV: float | None = None) -> Spectrum:
    """The alpha^2 F of a preset or TOML file, Omega in units of ``omega_meV`` (default: the
    material's phonon energy).

    From the file named in its ``[spectrum]`` table (relative to the TOML file), read with
    ``photosc.physics.spectra.read``; without that table, the documented K3C60 model spectrum
    ``photosc.physics.spectra.k3c60``.
    """
    from photosc.physics import spectra

    data = read(name)
    if omega_meV is None:
        omega_meV = float(THz_to_meV(data["parameters"]["omega_THz"]))
    table = data.get("spectrum")
    if table is None:
        return spectra.k3c60(omega_meV)
    unknown = set(table) - set(SCHEMA["spectrum"])
    if unknown or "file" not in table:
        raise ValueError(
            f"material {name!r}: [spectrum] takes {sorted(SCHEMA['spectrum'])} with 'file' "
            f"required, got {sorted(table)}"
        )
    with resources.as_file(_location(name)) as toml_path:
        return spectra.read(
            Path(toml_path).parent / table["file"],
            format=table.get("format"),
            smearing=table.get("smearing"),
            omega_meV=omega_meV,
            unit=table.get("unit"),
        )
