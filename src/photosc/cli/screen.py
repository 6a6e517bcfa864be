"""photosc screen MATERIAL...: the paper's screening of materials, one row each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photosc.cli._common import OutOption


def command(
    material: Annotated[
        list[str], typer.Argument(help="Presets (see `photosc materials`) or TOML files.")
    ],
    T_K: Annotated[float, typer.Option("--T-K", help="Temperature of the trapping, in K.")] = 100.0,
    Z_inv: Annotated[
        float, typer.Option("--Z-inv", help="1/Z at which the metastability is reported.")
    ] = 5.0,
    Q_star: Annotated[
        float, typer.Option("--Q-star", help="Held displacement Q* of the trapping, in l0.")
    ] = 3.0,
    out: OutOption = Path("photosc-out/screen"),
) -> None:
    """Metastability along each material's Mott path and the quasi-particle trapping verdict at
    T (2 Delta_0 against the alpha^2 F gap, weight above 2 Delta_tr, tau_g, half-life): a table,
    screening.png, screening.nc, summary.json and index.html.

    Example: photosc screen K3C60 Cs3C60 Rb3C60 Al Nb Ta --T-K 100
    """
    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import checked_value
    from photosc.io import provenance, save_json
    from photosc.plotting import talk_style
    from photosc.report import screening as report
    from photosc.report.html import write_index
    from photosc.studies.screening import PATH_KINDS, check_names

    checked_value(T_K, "T-K", 0)
    if T_K == 0:
        raise ValueError("T-K must be > 0, got T-K=0")
    checked_value(Z_inv, "Z-inv", 1)
    checked_value(Q_star, "Q-star")
    check_names(list(material))
    out.mkdir(parents=True, exist_ok=True)
    with talk_style():
        sec = report.section(list(material), out, T_K, Z_inv, Q_star)
    save_json(sec.summary, out / "summary.json")
    page = {"provenance": provenance(), "timing_s": {sec.title: sec.seconds}}
    write_index(
        out / "index.html", None, [sec], page, title="photosc screen: " + ", ".join(material)
    )

    rows = sec.summary["materials"]

    def show(m: dict[str, float | None], key: str, fmt: str) -> str:
        v = m[key]
        return "-" if v is None else f"{v:{fmt}}"

    path = Table(title=f"Photo-induced metastability on the Mott path (at 1/Z = {Z_inv:g})")
    for col in ("material", "T_c (K)", "onset 1/Z", "type II from 1/Z", "kind", "T_B (K)"):
        path.add_column(col, justify="right")
    for name, m in rows.items():
        path.add_row(
            name,
            show(m, "Tc_K", ".1f"),
            show(m, "onset_Z_inv", ".2f"),
            show(m, "type_II_Z_inv", ".2f"),
            PATH_KINDS[int(m["kind_at_Z"] or 0)],
            show(m, "T_B_K", ".0f"),
        )
    trap = Table(title=f"Quasi-particle trapping at T = {T_K:g} K (Q* = {Q_star:g} l0)")
    for col in (
        "material",
        "2Δ0 [meV]",
        "in α²F gap",
        "τ0 [ns]",
        "Δ_tr [meV]",
        "weight above 2Δ_tr",
        "τ_g [ns]",
        "half-life [ns]",
    ):
        trap.add_column(col, justify="right")
    for name, m in rows.items():
        trap.add_row(
            name,
            show(m, "two_delta0_meV", ".2f"),
            "yes" if m["in_gap"] else "no",
            show(m, "tau0_ns", ".3g"),
            show(m, "delta_tr_meV", ".2f"),
            show(m, "weight_above_2delta_tr", ".2g"),
            show(m, "tau_g_ns", ".3g"),
            show(m, "half_life_ns", ".3g"),
        )
    console = Console()
    console.print(path)
    console.print(trap)
    console.print(f"written to {out}/ (open {out}/index.html)")
