"""photosc sweep SPEC.toml: any study of the catalogue on a parameter grid, resumable, on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from photosc.cli._common import OutOption, RestartOption, SchedulerOption, WorkersOption

#: Largest result also written as NetCDF (held in memory for it); bigger ones stay in Zarr.
NETCDF_MAX_BYTES = 2**30


def command(
    spec: Annotated[
        Path, typer.Argument(help="Sweep spec (TOML), e.g. examples/sweep-TB-4d.toml.")
    ],
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/sweep"),
) -> None:
    """Run the sweep of SPEC: the study's outputs on the grid, chunk by chunk into
    OUT/STEM.zarr (re-running resumes), then OUT/STEM.nc. The spec format is in the README.

    Example: photosc sweep examples/sweep-TB-4d.toml --workers 2 --out tb4d
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from photosc.cli._common import check_executor, check_out

    check_executor(workers, scheduler)
    check_out(out)

    from photosc import sweep
    from photosc.cli._common import run_sweep, staged_output
    from photosc.io import save_dataset

    plan = sweep.from_toml(spec)
    lazy = sweep.lazy_dataset(plan)
    store = out / f"{spec.stem}.zarr"
    console = Console()
    shape = " x ".join(f"{d} {n}" for d, n in zip(plan.dims, plan.shape, strict=True))
    console.print(f"sweep {plan.study!r} on {shape} points in {plan.n_chunks} chunks")
    result = run_sweep(
        lazy, store, plan.study, workers=workers, scheduler=scheduler, restart=restart,
        threads=plan.spec.threads,
    )  # fmt: skip
    ds = result.dataset
    netcdf = ds.nbytes <= NETCDF_MAX_BYTES
    if netcdf:
        ds = result.in_memory()
        with staged_output(out) as stage:
            save_dataset(ds, stage / f"{spec.stem}.nc")

    table = Table(title=f"sweep {plan.study}", show_header=False, title_justify="left")
    table.add_row("chunks computed / already done", f"{result.computed} / {result.skipped}")
    table.add_row("wall time", f"{result.seconds:.1f} s")
    for label, text in (plan.spec.summary or _ranges)(ds[list(plan.spec.outputs)]).items():
        table.add_row(escape(label), text)
    console.print(table)
    if netcdf:
        console.print(f"written to {out}/: {store.name}, {spec.stem}.nc")
    else:
        console.print(
            f"written to {out}/{store.name} ({ds.nbytes / 2**30:.1f} GiB: no NetCDF copy; "
            "read it with xarray.open_zarr)"
        )


def _ranges(ds: Any) -> dict[str, str]:
    """Each output's range over the points where it exists (chunk-wise on a Zarr store)."""
    rows = {}
    for name, var in ds.data_vars.items():
        span = "none"
        if int(var.count()):
            span = f"{float(var.min()):.4g} .. {float(var.max()):.4g}"
        rows[f"{name} [{var.attrs['units']}]"] = span
    return rows
