"""Writing results: NetCDF datasets with provenance, JSON summaries; all writes are atomic."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xarray as xr

from photosc.model import Model


def provenance(model: Model | None = None, **extra: Any) -> dict[str, Any]:
    """Dataset attrs: package version, creation time, model parameters (internal units)."""
    from photosc import __version__

    attrs: dict[str, Any] = {
        "photosc_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "units_convention": "hbar = k_B = 1; energies in hbar*omega; Q in l0; time in 1/omega",
        "reference": "Chattopadhyay et al., Mechanisms for long-lived photo-induced "
        "superconductivity (2023)",
    }
    if model is not None:
        attrs |= {f"model_{k}": v for k, v in model.as_attrs().items()}
    return attrs | extra


def _atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def save_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to NetCDF at ``path`` (temporary name, then rename). Returns the path."""
    for name, var in {**ds.data_vars, **ds.coords}.items():
        missing = {"units", "long_name"} - set(var.attrs)
        if missing:
            raise ValueError(f"variable {name!r} lacks attrs {sorted(missing)}")
    return _atomic_write(Path(path), lambda tmp: ds.to_netcdf(tmp))


def save_json(data: dict[str, Any], path: str | Path) -> Path:
    """Write ``data`` as indented JSON at ``path`` atomically."""
    text = json.dumps(data, indent=2, default=float)
    return _atomic_write(Path(path), lambda tmp: tmp.write_text(text + "\n"))


def save_bytes(data: bytes, path: str | Path) -> Path:
    """Write ``data`` at ``path`` atomically (a PNG, an HTML page)."""
    return _atomic_write(Path(path), lambda tmp: tmp.write_bytes(data))
