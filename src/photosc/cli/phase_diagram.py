"""photosc phase-diagram: the (dE, nu) metastability phase diagram, Fig. 2b."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photosc.cli._common import (
    OutOption,
    PairingOption,
    RestartOption,
    SchedulerOption,
    WorkersOption,
)


def command(
    dE: Annotated[
        str, typer.Option("--dE", help="dE in hbar*omega: 'start:stop:count' or 'a,b,c'.")
    ] = "0.2:3:128",
    nu: Annotated[
        str, typer.Option("--nu", help="nu(0)*omega: 'start:stop:count' or 'a,b,c'.")
    ] = "0.3:5:128",
    g: Annotated[float, typer.Option("--g", help="Coupling g*l0/omega.")] = 0.6,
    lam_eff: Annotated[float, typer.Option("--lam-eff", help="lam_eff = nu U0 at Q = 0.")] = 0.3,
    path: Annotated[
        str | None, typer.Option("--path", help="Draw this material's Mott path (e.g. K3C60).")
    ] = None,
    Z_inv_max: Annotated[float, typer.Option("--Z-inv-max", help="End of the path in 1/Z.")] = 7.0,
    chunk: Annotated[
        int,
        typer.Option(
            "--chunk",
            help="dE rows per dask task (32: 1.72x on 2 threads for 256 x 256, 16: 1.39x).",
        ),
    ] = 32,
    pairing: PairingOption = "schrieffer-wolff",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/phase-diagram"),
) -> None:
    """Metastability phase diagram on dE x nu: none / I / II, Q_B, Q_MS, barrier, T_B and the
    first-order temperature at every point (NetCDF + PNG in --out), with a material's path.
    Chunks go to --out/phase_diagram.zarr as they finish: an interrupted run resumes.

    Example: photosc phase-diagram --dE 0.2:3:256 --nu 0.3:5:256 --path K3C60 --out pd
    (add --pairing exact for the exact local pairing of eq. A1 instead of eq. 5)
    """
    from photosc.cli._common import (
        check_executor,
        check_out,
        check_size,
        checked_value,
        parse_values,
    )  # fmt: skip

    check_executor(workers, scheduler)
    if chunk < 1:
        raise ValueError(f"--chunk must be >= 1, got --chunk {chunk}")
    dE_values = parse_values(dE, "dE", minimum=0, strict=True, unit="hbar*omega")
    nu_values = parse_values(nu, "nu", minimum=0, strict=True)
    checked_value(g, "g", minimum=0)
    checked_value(lam_eff, "lam-eff", minimum=1 / 300)
    checked_value(Z_inv_max, "Z-inv-max", minimum=1)
    from photosc.model import PAIRINGS

    if pairing not in PAIRINGS:
        raise ValueError(f"--pairing must be one of {PAIRINGS}, got --pairing {pairing}")
    if Z_inv_max > 1e4:  # photosc.studies.phase_diagram.Z_INV_MAX, without importing it
        raise ValueError(f"--Z-inv-max must be <= 1e4, got --Z-inv-max {Z_inv_max:g}")
    check_out(out)
    n = dE_values.size * nu_values.size
    # 7 outputs (~50 B) per point, plus the kernel's quadrature temporaries (~20 kB per point)
    # for the two chunks of chunk x len(nu) points that run at once
    n_bytes = 64.0 * n + 2 * 2e4 * min(chunk, dE_values.size) * nu_values.size
    check_size("phase-diagram", n_bytes, "fewer points in --dE/--nu or a smaller --chunk")
    from photosc import materials
    from photosc.model import HG3_OMEGA_MEV

    omega_meV = HG3_OMEGA_MEV if path is None else materials.load(path).omega_meV

    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import run_sweep, staged_output
    from photosc.io import save_dataset
    from photosc.plotting import landscape as plots
    from photosc.plotting import save, talk_style
    from photosc.studies.catalog import STUDIES
    from photosc.studies.phase_diagram import metastability_path, phase_diagram

    lazy = phase_diagram(
        dE_values, nu_values, g, lam_eff, omega_meV=omega_meV, chunks={"dE": chunk},
        pairing=pairing,
    )  # fmt: skip
    console = Console()
    console.print(f"phase diagram on {dE_values.size} x {nu_values.size} points, U(Q): {pairing}")
    # the table lists whole 1/Z up to 12 of them (then 12 spread geometrically)
    whole = np.arange(1, int(Z_inv_max) + 1, dtype=float)
    if whole.size > 12:
        whole = np.unique(np.round(np.geomspace(1, int(Z_inv_max), 12)))
    # the Zarr store goes straight into --out (it is what an interrupted run resumes from)
    run = run_sweep(lazy, out / "phase_diagram.zarr", "phase diagram", workers=workers,
                    scheduler=scheduler, restart=restart,
                    threads=STUDIES["metastability"].threads)  # fmt: skip
    with staged_output(out) as stage:
        ds = run.in_memory()
        save_dataset(ds, stage / "phase_diagram.nc")
        route = None
        if path is not None:
            Z_inv = np.unique(np.concatenate([np.linspace(1, Z_inv_max, 121), whole]))
            route = metastability_path(path, Z_inv, pairing=pairing, g=g, lam_eff=lam_eff)
            save_dataset(route, stage / "path.nc")
        with talk_style():
            fig, ax = plots.phase_diagram(ds, route)
            ax.set_title(f"{ax.get_title()}; U(Q): {pairing}")
            save(fig, stage / "phase_diagram.png")

    counts = np.bincount(ds["kind"].values.ravel(), minlength=3)
    table = Table(title="phase diagram", show_header=False, title_justify="left")
    table.add_row("points none / I / II", " / ".join(str(c) for c in counts))
    table.add_row("T_B range", f"{np.nanmin(ds['T_B_K']):.1f} - {np.nanmax(ds['T_B_K']):.1f} K")
    if route is not None:
        table.add_row(f"{path}: onset of type I at 1/Z", f"{route.attrs['onset_Z_inv']:.4f}")
        table.add_row(f"{path}: type I -> II at 1/Z", f"{route.attrs['type_II_Z_inv']:.4f}")
        for z in whole:
            row = route.sel(Z_inv=float(z))
            kind = ("none", "I", "II")[int(row["kind"])]
            verdict = "none" if kind == "none" else f"{kind}, T_B = {float(row['T_B']):.1f} K"
            table.add_row(f"{path}: 1/Z = {z:g}", verdict)
    console.print(table)
    console.print(f"written to {out}/: phase_diagram.nc/png" + (", path.nc" if route else ""))
