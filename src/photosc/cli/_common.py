"""Shared pieces of the subcommands: parsing ranges and overrides, building the model, output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

if TYPE_CHECKING:
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
OutOption = Annotated[
    Path, typer.Option("--out", help="Output folder (default photosc-out/COMMAND).")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a parameter in internal units, e.g. --set g=0.5 (repeatable)."
    ),
]


def parse_values(text: str, name: str, *, minimum: float | None = None) -> np.ndarray:
    """'a,b,c' -> array([a, b, c]); 'start:stop:count' -> linspace(start, stop, count) inclusive.

    Values must be finite and, with ``minimum``, at least that; errors name ``name``.
    """
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            if int(count) < 1:
                raise ValueError
            values = np.linspace(float(start), float(stop), int(count))
        else:
            values = np.array([float(v) for v in text.split(",")])
    except ValueError:
        raise ValueError(
            f"{name} must be a list 'a,b,c' or a range 'start:stop:count', got {name}={text!r}"
        ) from None
    return checked_value(values, name, minimum)


def checked_value(value: Any, name: str, minimum: float | None = None) -> Any:
    """``value`` (a number or array, as the user typed it) if finite and >= ``minimum``."""
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) | (arr < minimum if minimum is not None else False)
    if np.any(bad):
        rule = "finite" if minimum is None else f"finite and >= {minimum:g}"
        raise ValueError(f"{name} must be {rule}, got {name}={float(arr[bad].flat[0]):g}")
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


def load_bare_model(
    material: str, Z: float | None, Z_inv: float | None, overrides: list[str] | None
) -> tuple[Model, float]:
    """The unrenormalised model of ``material`` with overrides, and the residue Z to apply
    (from --Z or --Z-inv; 1 when neither is given)."""
    from photosc import materials

    if Z is not None and Z_inv is not None:
        raise ValueError("give either --Z or --Z-inv, not both")
    if Z_inv is not None:
        if not Z_inv >= 1:
            raise ValueError(f"Z-inv must be >= 1, got Z-inv={Z_inv!r}")
        Z = 1.0 / Z_inv
    if Z is not None and not 0 < Z <= 1:
        raise ValueError(f"Z must be in (0, 1], got Z={Z!r}")
    return materials.load(material, **parse_set(overrides)), 1.0 if Z is None else float(Z)


def load_model(
    material: str, Z: float | None, Z_inv: float | None, overrides: list[str] | None
) -> Model:
    """The model of ``material`` with overrides, renormalised by Z (or 1/Z_inv)."""
    bare, Z = load_bare_model(material, Z, Z_inv, overrides)
    return bare if Z == 1.0 else bare.renormalized(Z)


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
