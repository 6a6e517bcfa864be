"""Shared pieces of the subcommands: parsing ranges and overrides, building the model, output."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import numpy as np

    from photosc.model import Model
    from photosc.report.section import Section

Material = Annotated[
    str, typer.Argument(help="Preset name (see `photosc materials`) or a TOML file.")
]
ZOption = Annotated[
    float | None,
    typer.Option("--Z", help="Quasi-particle residue Z (Mott renormalisation, App. D)."),
]
ZInvOption = Annotated[float | None, typer.Option("--Z-inv", help="1/Z, as on the K3C60 path.")]
TKOption = Annotated[
    str,
    typer.Option("--T-K", help="Temperatures in K: list 'a,b,c' or range 'start:stop:count'."),
]
OutOption = Annotated[
    Path, typer.Option("--out", help="Output folder (default photosc-out/COMMAND).")
]
PairingOption = Annotated[
    str,
    typer.Option(
        "--pairing",
        help="U(Q): 'schrieffer-wolff' (eq. 5, the paper's) or 'exact' (ED of one site of eq. A1).",
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a parameter: a model field in internal units (--set g=0.5) or a TOML "
        "key in its units (--set dE_meV=200); repeatable.",
    ),
]


#: Most values a 'start:stop:count' range may hold (a guard against typos like 20:150:1e9).
MAX_RANGE = 10**7


def parse_values(
    text: str, name: str, *, minimum: float | None = None, strict: bool = False, unit: str = ""
) -> np.ndarray:
    """'a,b,c' -> array([a, b, c]); 'start:stop:count' -> linspace(start, stop, count) inclusive,
    1 <= count <= ``MAX_RANGE``.

    Values must be finite and, with ``minimum``, at least that (above it with ``strict``);
    errors name the option ``name``.
    """
    import numpy as np

    try:
        if ":" in text:
            start, stop, count = text.split(":")
            if not 1 <= int(count) <= MAX_RANGE:
                raise ValueError
            values = np.linspace(float(start), float(stop), int(count))
        else:
            values = np.array([float(v) for v in text.split(",")])
    except ValueError:
        raise ValueError(
            f"--{name} must be a list 'a,b,c' or a range 'start:stop:count' (count an integer "
            f"from 1 to {MAX_RANGE:g}), got --{name} {text!r}"
        ) from None
    return checked_value(values, name, minimum, strict=strict, unit=unit)


def checked_value(
    value: Any, name: str, minimum: float | None = None, *, strict: bool = False, unit: str = ""
) -> Any:
    """``value`` (a number or array, as the user typed it) if finite and >= ``minimum`` (> with
    ``strict``); the error names the option ``name`` and the user's ``unit``."""
    import numpy as np

    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr)
    if minimum is not None:
        bad |= arr <= minimum if strict else arr < minimum
    if np.any(bad):
        u = f" {unit}" if unit else ""
        rule = "finite" if minimum is None else f"{'>' if strict else '>='} {minimum:g}{u}"
        raise ValueError(f"--{name} must be {rule}, got --{name} {float(arr[bad].flat[0]):g}")
    return value


def parse_set(items: list[str] | None) -> dict[str, float]:
    """['g=0.5', 'dE=2'] -> {'g': 0.5, 'dE': 2.0}."""
    out: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--set takes NAME=VALUE, got --set {item!r}") from None
    return out


def _residue(Z: float | None, Z_inv: float | None) -> float:
    """The residue Z from --Z or --Z-inv (1 when neither is given), checked."""
    if Z is not None and Z_inv is not None:
        raise ValueError("give either --Z or --Z-inv, not both")
    if Z is not None and not 0 < Z <= 1:
        raise ValueError(f"--Z must be in (0, 1], got --Z {Z:g}")
    if Z_inv is not None:
        checked_value(Z_inv, "Z-inv", 1.0)
        return 1.0 / Z_inv
    return 1.0 if Z is None else float(Z)


def load_bare_model(
    material: str, Z: float | None, Z_inv: float | None, overrides: list[str] | None
) -> tuple[Model, float]:
    """The unrenormalised model of ``material`` with overrides, and the residue Z to apply
    (from --Z or --Z-inv; 1 when neither is given)."""
    from photosc import materials

    residue = _residue(Z, Z_inv)
    return materials.load(material, **parse_set(overrides)), residue


def load_model(
    material: str, Z: float | None, Z_inv: float | None, overrides: list[str] | None
) -> Model:
    """The model of ``material`` with overrides, renormalised by Z (or 1/Z_inv)."""
    from photosc import materials

    _residue(Z, Z_inv)
    return materials.load(material, Z=Z, Z_inv=Z_inv, **parse_set(overrides))


def check_temperatures_K(model: Model, values_K: Any, name: str = "T-K") -> None:
    """Temperatures in K within the studies' range (10 BCS cutoffs), refused in kelvin."""
    import numpy as np

    from photosc._checks import T_MAX_CUTOFFS
    from photosc.units import temperature_to_K

    top = float(temperature_to_K(T_MAX_CUTOFFS * model.cutoff, model.omega_meV))
    high = float(np.max(values_K))
    if high > top:
        raise ValueError(
            f"--{name} must be <= {top:.4g} K (10 x the BCS cutoff of this material, beyond which "
            f"the model does not apply), got --{name} {high:g}"
        )


def print_sections(sections: list[Section], title: str) -> None:
    """Print each section's rows, and its further tables, as rich tables."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for s in sections:
        if s.rows:
            table = Table(title=f"{title}: {s.title}", show_header=False, title_justify="left")
            table.add_column(style="bold")
            table.add_column()
            for k, v in s.rows.items():
                table.add_row(k, v)
            console.print(table)
        for extra in s.tables:
            table = Table(*extra.columns, title=f"{s.title}: {extra.caption}", title_justify="left")
            for row in extra.rows:
                table.add_row(*row)
            console.print(table)


# --- output folders: checked before any work, filled atomically ----------------------------------


def check_out(out: Path) -> Path:
    """``out`` if it can become the output folder: not a file, not under a file, writable.

    Raises ValueError (one line, naming --out) otherwise; called before any work.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is an existing file, not a folder")
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"--out {out} lies under {parent}, which is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"--out {out}: cannot write in {parent} (permission denied)")
    return out


@contextlib.contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A temporary folder next to ``out`` to write into; on success its files move into ``out``
    (replacing same-named ones), on error it is removed: ``out`` never holds a half-done run."""
    from photosc.io import remove_stale_temporaries

    out = check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out.parent)
    stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        yield stage
        out.mkdir(exist_ok=True)
        for item in sorted(stage.iterdir()):
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# --- size guards ---------------------------------------------------------------------------------

#: Environment variable overriding the memory limit, e.g. PHOTOSC_MAX_MEMORY=8G (also M, K, T).
MEMORY_ENV = "PHOTOSC_MAX_MEMORY"


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    raise AssertionError  # unreachable


def memory_limit() -> float:
    """Bytes a command may use: ``PHOTOSC_MAX_MEMORY`` if set, else half the physical memory."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    if text:
        scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(text[-1].upper(), 1)
        try:
            value = float(text[:-1] if scale > 1 else text) * scale
        except ValueError:
            value = math.nan
        if not value > 0:
            raise ValueError(f"{MEMORY_ENV} must be a size like 8G or 512M, got {text!r}")
        return value
    return 0.5 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_size(what: str, n_bytes: float, advice: str) -> None:
    """Refuse work whose memory estimate ``n_bytes`` exceeds ``memory_limit()`` (before it)."""
    limit = memory_limit()
    if n_bytes > limit:
        raise ValueError(
            f"{what} needs about {_bytes(n_bytes)} of memory, above the limit of {_bytes(limit)} "
            f"(half the machine's memory; set {MEMORY_ENV} to change it): {advice}"
        )


WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="Start a local Dask cluster of N worker processes."),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="Use an existing Dask cluster at tcp://HOST:PORT."),
]
RestartOption = Annotated[
    bool,
    typer.Option("--restart", help="Overwrite a Zarr store left by a different sweep."),
]


def check_executor(workers: int | None, scheduler: str | None) -> None:
    """--workers N (>= 1) or --scheduler ADDRESS, not both; checked before any work."""
    if workers is not None and scheduler is not None:
        raise ValueError("give either --workers or --scheduler, not both")
    if workers is not None and workers < 1:
        raise ValueError(f"--workers must be >= 1, got --workers {workers}")


def run_sweep(lazy: Any, store: Path, label: str, *, workers: int | None,
              scheduler: str | None, restart: bool, threads: int | None = None) -> Any:  # fmt: skip
    """Compute the lazy dataset ``lazy`` into the Zarr ``store`` (resuming what is done there)
    with a progress display (in-process ``threads`` as for ``photosc.sweep.compute``); returns
    the ``photosc.sweep.SweepRun``."""
    from photosc import sweep

    return sweep.compute(
        lazy, store, workers=workers, scheduler=scheduler, restart=restart,
        progress=sweep.progress_printer(label), threads=threads,
    )  # fmt: skip


def swept(lazy: Any, store: Path, label: str, *, workers: int | None, scheduler: str | None,
          restart: bool) -> Any:  # fmt: skip
    """``run_sweep`` into ``store``, then the result in memory (for the command's NetCDF files,
    figures and tables, which are those of the plain computation)."""
    run = run_sweep(lazy, store, label, workers=workers, scheduler=scheduler, restart=restart)
    return run.in_memory()
