"""photosc report MATERIAL: the main job."""

from __future__ import annotations

from pathlib import Path

from photosc.cli._common import (
    Material,
    OutOption,
    SetOption,
    ZInvOption,
    ZOption,
    check_out,
    load_model,
)


def command(
    material: Material,
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    out: OutOption = Path("photosc-out/report"),
) -> None:
    """Write the full report of MATERIAL: figures (PNG), data (NetCDF), summary.json, index.html.

    Example: photosc report K3C60 --Z 0.3 --out k3c60-report
    """
    from rich.console import Console

    from photosc import report
    from photosc.cli._common import print_sections

    check_out(out)
    model = load_model(material, Z, Z_inv, overrides)
    console = Console(stderr=True)
    with console.status("building report") as status:
        sections = report.build(
            model, out, name=material, progress=lambda s: status.update(f"section: {s}")
        )
    print_sections(sections, material)
    console.print(f"report written to {out}/ (open {out}/index.html)")
