"""photosc materials: the bundled presets with their numbers and sources."""

from __future__ import annotations


def command() -> None:
    """List the material presets, their parameters and where each number comes from.

    Example: photosc materials
    """
    from rich.console import Console
    from rich.table import Table

    from photosc import materials

    console = Console()
    for name in materials.available():
        data = materials.read(name)
        model = materials.load(name)
        table = Table(title=f"{name}: {data.get('description', '')}", title_justify="left")
        for col in ("parameter", "value", "source"):
            table.add_column(col)
        sources = data.get("sources", {})
        for key, value in data["parameters"].items():
            table.add_row(key, f"{value:g}", sources.get(key, ""))
        for name_ in materials.SCHEMA:
            for key, value in data.get(name_, {}).items():
                shown = f"{value:g}" if isinstance(value, int | float) else str(value)
                table.add_row(f"{name_}.{key}", shown, sources.get(f"{name_}.{key}", ""))
        table.add_row("T_c (derived)", f"{model.Tc_K:.2f} K", "BCS with cutoff, from lam_eff")
        console.print(table)
