"""photosc report MATERIAL...: the main job."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from photosc.cli._common import (
    OutOption,
    SetOption,
    ZInvOption,
    ZOption,
    check_out,
    load_bare_model,
)


def command(
    material: Annotated[
        list[str],
        typer.Argument(
            help="Presets (see `photosc materials`) or TOML files; the report is of the first, "
            "and with several it adds their screening."
        ),
    ],
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    out: OutOption = Path("photosc-out/report"),
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            min=0,
            help="Worker processes for the sections (default: the usable cores; 0: all in this "
            "process).",
        ),
    ] = None,
) -> None:
    """Write the full report of MATERIAL: the paper's figures, the material's sections at its Z,
    figures (PNG), data (NetCDF), summary.json and index.html. 1/Z is counted from the preset's
    bare parameters (with the --set overrides). With several materials the report is of the
    first (--Z, --Z-inv and --set apply to it) and ends with the screening of all of them as
    given, as `photosc screen` at its defaults (screening.png, screening.nc). Exits 1 if a
    section failed (the report is still written, the failure shown in its section).

    Example: photosc report K3C60 --Z-inv 3.4 --out k3c60-report
    Example: photosc report K3C60 Rb3C60 Cs3C60 --out fullerides
    """
    import time

    from rich.console import Console
    from rich.table import Table

    from photosc import report
    from photosc.cli._common import print_sections

    check_out(out)
    jobs = report.usable_cores() if jobs is None else jobs
    if jobs:  # the workers' forkserver imports the sections while this process loads the model
        report.start_workers()
    first, *others = material
    bare, Z = load_bare_model(first, Z, Z_inv, overrides)
    extra = None
    if others:  # imported only then: the screening study costs ~1 s of imports here
        from photosc.report import screening
        from photosc.studies.screening import check_names

        check_names(list(material))  # before any work
        extra = {"screening": functools.partial(screening.section, list(material))}
    console = Console(stderr=True)
    start = time.perf_counter()
    with console.status("building report") as status:
        sections = report.build(
            bare, out, name=first, Z=Z, jobs=jobs,
            progress=lambda s: status.update(f"section: {s}"), extra=extra,
        )  # fmt: skip
    wall = time.perf_counter() - start
    print_sections(sections, first)
    timing = Table(title="time per section", title_justify="left")
    timing.add_column("section")
    timing.add_column("seconds", justify="right")
    for s in sections:
        timing.add_row(s.title, f"{s.seconds:.2f}")
    timing.add_row("total (wall)", f"{wall:.2f}")
    Console().print(timing)
    console.print(f"report written to {out}/ (open {out}/index.html)")
    failed = [s for s in sections if s.error]
    for s in failed:
        console.print(f"[red]section {s.title} failed: {s.error}[/red]")
    if failed:
        raise SystemExit(1)
