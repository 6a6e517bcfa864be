"""photosc spectrum FILE: read an alpha^2 F file, print lambda, omega_log and its gaps, plot it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photosc.cli._common import OutOption


def command(
    file: Annotated[Path, typer.Argument(help="alpha^2 F file (EPW, QE, elk, abinit, table).")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="epw_a2f, epw_a2f_iso, epw_a2f_proj, qe_alpha2f, "
            "qe_a2f_dos, elk, abinit or columns (default: from the content).",
        ),
    ] = None,
    smearing: Annotated[
        int | None, typer.Option("--smearing", help="1-based column/block (default 1).")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="Unit of Omega for --format columns (meV, THz, cm-1, eV, Ry, Ha, K)."
        ),
    ] = None,
    fraction: Annotated[
        float, typer.Option("--fraction", help="'Small' means below this fraction of the peak.")
    ] = 0.01,
    out: OutOption = Path("photosc-out/spectrum"),
) -> None:
    """Print lambda = 2 int a2F/Omega, omega_log and the windows where alpha^2 F is small;
    write spectrum.png and spectrum.nc (Omega in meV).

    Example: photosc spectrum pb.a2f --smearing 2
    """
    import warnings

    import numpy as np
    import xarray as xr
    from rich.console import Console

    from photosc.io import provenance, save_dataset
    from photosc.physics import spectra
    from photosc.physics.spectra_readers import read_table
    from photosc.plotting import save, talk_style
    from photosc.plotting import trapping as plots

    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got fraction={fraction:g}")
    console = Console()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = read_table(file, format=format, smearing=smearing, unit=unit)
    for w in caught:
        console.print(f"[yellow]warning:[/] {w.message}")
    windows = spectra.small_windows(table.Omega_meV, table.a2F, fraction)
    console.print(
        f"{file}: format {table.format}, {table.column}, {table.Omega_meV.size} points "
        f"from {table.Omega_meV[0]:.4g} to {table.Omega_meV[-1]:.4g} meV"
    )
    lam_file = "" if table.lam_file is None else f" (file: {table.lam_file:.6g})"
    console.print(f"lambda = {table.lam:.6g}{lam_file}, omega_log = {table.omega_log_meV:.4g} meV")
    for note in table.notes:
        console.print(f"  {note}")
    if windows:
        shown = ", ".join(f"{lo:.3g}-{hi:.3g} meV" for lo, hi in windows[:3])
        console.print(f"alpha^2 F < {fraction:g} x max in: {shown} (widest first)")
    else:
        console.print(f"alpha^2 F nowhere below {fraction:g} x max inside its support")
    out.mkdir(parents=True, exist_ok=True)
    ds = xr.Dataset(
        {"a2F": ("Omega", table.a2F, {"units": "1", "long_name": "alpha^2 F"})},
        coords={
            "Omega": ("Omega", table.Omega_meV, {"units": "meV", "long_name": "phonon energy"})
        },
        attrs=provenance(
            source=str(file),
            format=table.format,
            column=table.column,
            lam=table.lam,
            omega_log_meV=table.omega_log_meV,
            lam_file=np.nan if table.lam_file is None else table.lam_file,
        ),
    )
    save_dataset(ds, out / "spectrum.nc")
    with talk_style():
        fig, ax = plots.spectrum(spectra.Tabulated(table.Omega_meV, table.a2F), 1.0)
        for lo, hi in windows[:1]:
            ax.axvspan(lo, hi, color="0.85", zorder=0, label=f"< {fraction:g} x max")
            ax.legend()
        ax.set_title(f"lambda = {table.lam:.3g}, omega_log = {table.omega_log_meV:.3g} meV")
        save(fig, out / "spectrum.png")
    console.print(f"written to {out}/")
