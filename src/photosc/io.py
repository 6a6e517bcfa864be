"""Writing results: NetCDF datasets with provenance, JSON summaries; all writes are atomic.

Every file photosc writes goes through ``atomic_write``: the content is written to a hidden
temporary ``.NAME.XXXX.tmp`` next to the target and renamed onto it, so a killed run never
leaves a truncated file under the final name; the file gets the permissions the umask gives a
new file (``mkstemp`` alone would make it 0600), and temporaries left by killed runs are removed.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photosc.model import Model

if TYPE_CHECKING:
    import xarray as xr

#: Temporaries older than this (s) are from killed runs (a live write renames within seconds;
#: an hour leaves room for the largest NetCDF file of a parallel run in the same folder).
STALE_AFTER_S = 3600.0
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


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
        if model.name:
            attrs["material"] = model.name
    return attrs | extra


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temporaries(folder: str | Path, older_than_s: float = STALE_AFTER_S) -> int:
    """Delete ``.NAME.XXXX.tmp`` files (and folders) in ``folder`` left by killed writes more
    than ``older_than_s`` ago; returns how many were removed."""
    import shutil

    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not _TEMPORARY.match(entry.name):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < older_than_s:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    return removed


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a file atomically: ``write(tmp)`` fills a temporary next to ``path``, which is then
    renamed onto ``path`` with the umask's permissions. The one writer every output uses
    (NetCDF, JSON, PNG, HTML). Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
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
    return atomic_write(Path(path), lambda tmp: ds.to_netcdf(tmp))


def _json_safe(value: Any) -> Any:
    """NaN and +-inf -> None (JSON has no such numbers); numpy scalars and arrays -> Python."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _json_safe(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save_json(data: dict[str, Any], path: str | Path) -> Path:
    """Write ``data`` as indented JSON at ``path`` atomically; NaN and inf become null."""
    text = json.dumps(_json_safe(data), indent=2, default=float, allow_nan=False)
    return atomic_write(Path(path), lambda tmp: tmp.write_text(text + "\n"))


def save_bytes(data: bytes, path: str | Path) -> Path:
    """Write ``data`` at ``path`` atomically (a PNG, an HTML page)."""
    return atomic_write(Path(path), lambda tmp: tmp.write_bytes(data))
