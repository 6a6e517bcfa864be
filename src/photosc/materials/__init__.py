"""Material presets: TOML files with one source line per number.

A preset gives ``omega_THz`` (the Raman mode), ``g`` (g*l0/omega), ``nu`` (nu(0)*omega),
``dE_meV`` and either ``lam_eff`` or ``Tc_K``; ``load`` turns it into a ``Model``. The format is
``SCHEMA``; ``read`` refuses a file that does not follow it, naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from photosc.model import Model
from photosc.units import THz_to_meV

#: The TOML format: table -> key -> (type, unit, required). "" is the top level of the file.
#: Numbers must be finite and > 0 (``g`` >= 0). ``[sources]`` holds one string per number, keyed
#: by the number's key (``"table.key"`` for a table other than ``[parameters]``).
SCHEMA: dict[str, dict[str, tuple[type, str, bool]]] = {
    "": {"name": (str, "", False), "description": (str, "", False)},
    "parameters": {
        "omega_THz": (float, "THz", True),
        "g": (float, "g*l0/omega", True),
        "nu": (float, "nu(0)*omega", True),
        "dE_meV": (float, "meV", True),
        "lam_eff": (float, "nu(0)*U0", False),
        "Tc_K": (float, "K", False),
        "cutoff": (float, "hbar*omega", False),
    },
    "sources": {},
    # issue #8 (nucleation on a lattice)
    "lattice": {"spacing_nm": (float, "nm", False), "branch_width_meV": (float, "meV", False)},
    # issue #10 (spectra and screening): the keys are #10's to define
    "spectrum": {"file": (str, "", False), "format": (str, "", False)},
    "kaplan": {},
}
_NONNEGATIVE = {"g"}

#: Keyword overrides ``load`` accepts: model fields in internal units, TOML names in theirs.
_MODEL_KEYS = {"dE", "g", "nu", "U0", "cutoff", "omega_meV", "lam_eff", "Tc_K"}
_TOML_KEYS = {"dE_meV", "omega_THz"}


def available() -> list[str]:
    """Names of the bundled presets."""
    return sorted(
        p.name.removesuffix(".toml")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".toml")
    )


def _number(where: str, key: str, value: Any, unit: str = "") -> float:
    """``value`` as a float if a real, finite number > 0 (>= 0 for g); else ValueError."""
    rule = ">= 0" if key in _NONNEGATIVE else "> 0"
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        ok = math.isfinite(value) and (value >= 0 if key in _NONNEGATIVE else value > 0)
    if not ok:
        units = f" ({unit})" if unit else ""
        raise ValueError(f"{where}{key} must be a number {rule}{units}, got {key}={value!r}")
    return float(value)


def validate(data: dict[str, Any], source: str) -> None:
    """Check a preset against ``SCHEMA``; errors name ``source`` (the file) and the key."""
    tables = {"": {k: v for k, v in data.items() if not isinstance(v, dict)}}
    for table, content in data.items():
        if isinstance(content, dict):
            if table not in SCHEMA or not table:
                raise ValueError(f"{source}: unknown table [{table}]; known: {sorted(SCHEMA)[1:]}")
            tables[table] = content
    for table, content in tables.items():
        for key, value in content.items():
            where = f"{source}: [{table}] " if table else f"{source}: "
            if table == "sources":
                if not isinstance(value, str):
                    raise ValueError(f"{where}{key} must be a string, got {key}={value!r}")
                continue
            if key not in SCHEMA[table]:
                known = sorted(SCHEMA[table])
                raise ValueError(f"{where}unknown key {key!r}; known keys: {known}")
            kind, unit, _ = SCHEMA[table][key]
            if kind is float:
                _number(where, key, value, unit)
            elif not isinstance(value, kind):
                raise ValueError(f"{where}{key} must be a {kind.__name__}, got {key}={value!r}")
    for table, content in tables.items():
        keys = SCHEMA[table]
        missing = [k for k, (_, _, required) in keys.items() if required and k not in content]
        if table == "parameters" and not {"lam_eff", "Tc_K"} & set(content):
            missing.append("lam_eff (or Tc_K)")
        if missing:
            raise ValueError(f"{source}: [{table or 'top level'}] lacks {', '.join(missing)}")
    if "parameters" not in data:
        raise ValueError(f"{source}: no [parameters] table")
    if {"lam_eff", "Tc_K"} <= set(data["parameters"]):
        raise ValueError(f"{source}: [parameters] gives both lam_eff and Tc_K; keep one")


def read(name: str) -> dict[str, Any]:
    """The raw preset (``name`` of a bundled preset or path to a TOML file) as a dict, checked
    against ``SCHEMA``."""
    if not isinstance(name, str | Path):
        raise ValueError(f"material must be a preset name or a .toml path, got material={name!r}")
    name = str(name)
    path = Path(name)
    if path.suffix == ".toml":
        if not path.is_file():
            raise ValueError(f"material file not found: {name!r}")
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{name}: cannot read the material file ({exc})") from None
    elif name in available():
        text = resources.files(__name__).joinpath(f"{name}.toml").read_text()
    else:
        raise ValueError(
            f"material must be one of {available()} or a .toml file, got material={name!r}"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: TOML syntax error: {exc}") from None
    validate(data, name)
    return data


def load(
    name: str, Z: float | None = None, *, Z_inv: float | None = None, **overrides: float
) -> Model:
    """The ``Model`` of a preset, with ``overrides``, then renormalised by ``Z`` (or 1/``Z_inv``).

    Overrides are model fields in internal units (dE, g, nu, U0, cutoff, omega_meV), one of
    lam_eff / Tc_K (which fix U0), or the TOML's own names in its units (dE_meV, omega_THz).
    ``Z`` (quasi-particle residue, 0 < Z <= 1; or ``Z_inv`` = 1/Z >= 1) applies App. D's Mott
    renormalisation dE -> Z dE, nu -> nu / Z at fixed lam_eff.
    """
    unknown = set(overrides) - _MODEL_KEYS - _TOML_KEYS
    if unknown:
        known = sorted(_MODEL_KEYS | _TOML_KEYS)
        raise ValueError(f"overrides must be among {known}, got {sorted(unknown)}")
    for a, b in (("dE", "dE_meV"), ("omega_meV", "omega_THz"), ("lam_eff", "Tc_K")):
        if a in overrides and b in overrides:
            raise ValueError(f"give {a} or {b}, not both")
    if "U0" in overrides and {"lam_eff", "Tc_K"} & set(overrides):
        raise ValueError("give U0 or one of lam_eff / Tc_K, not both")
    over = {k: _number("", k, v) for k, v in overrides.items()}
    if Z_inv is not None:
        if Z is not None:
            raise ValueError("give Z or Z_inv, not both")
        z_inv = _number("", "Z_inv", Z_inv)
        if z_inv < 1:
            raise ValueError(f"Z_inv must be >= 1, got Z_inv={Z_inv!r}")
        Z = 1.0 / z_inv
    name = str(name)
    data = read(name)
    p = {**data["parameters"], **{k: over[k] for k in _TOML_KEYS & set(over)}}
    omega_meV = over.get("omega_meV", float(THz_to_meV(p["omega_THz"])))
    base: dict[str, Any] = {
        "dE": p["dE_meV"] / omega_meV,
        "g": p["g"],
        "nu": p["nu"],
        "cutoff": p.get("cutoff", 1.0),
        "omega_meV": omega_meV,
    }
    base.update({k: v for k, v in over.items() if k in {"dE", "g", "nu", "cutoff"}})
    if "U0" in over:
        model = Model(U0=over["U0"], **base)
    elif "Tc_K" in over or ("lam_eff" not in over and "Tc_K" in p):
        model = Model.from_Tc_K(over["Tc_K"] if "Tc_K" in over else p["Tc_K"], **base)
    else:
        model = Model.from_lam_eff(over["lam_eff"] if "lam_eff" in over else p["lam_eff"], **base)
    label = data.get("name", Path(name).stem if name.endswith(".toml") else name)
    model = dataclasses.replace(model, name=str(label))
    return model if Z is None else model.renormalized(Z)
