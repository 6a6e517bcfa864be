"""One section of the report: what it shows in the table, the figures and data it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from photosc.model import Model


@dataclass
class Table:
    """A table with a header row, for results that need more than label -> value.

    caption: what the table shows, with its units.
    columns: header cells.
    rows:    one list of cells (already formatted, with units) per row.
    """

    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    """A report section.

    title:    heading in the printed table and in index.html.
    rows:     label -> formatted value (with units) for the summary table.
    figures:  PNG file names written into the report folder.
    data:     NetCDF file names written into the report folder.
    summary:  machine-readable numbers for summary.json (plain floats, strings, lists).
    notes:    one-paragraph remarks shown under the heading.
    captions: figure file name -> caption (what it shows, the paper's figure, parameters).
    tables:   further tables (``Table``), shown after the rows.
    seconds:  wall time of the section, set by ``photosc.report.build``.
    error:    set by ``build`` when the section raised: the exception, one line.
    """

    title: str
    rows: dict[str, str] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    captions: dict[str, str] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""


@dataclass(frozen=True)
class ReportContext:
    """What a report is of: the material as named, its unrenormalised model and the residue Z.

    A section module may accept it as ``section(model, out, *, context)``; ``model`` is always
    ``context.model``. 1/Z is measured from ``base`` (the preset with the user's overrides).
    """

    material: str
    base: Model
    Z: float = 1.0

    @property
    def Z_inv(self) -> float:
        """1/Z."""
        return 1.0 / self.Z

    @property
    def model(self) -> Model:
        """The model the report is about: ``base`` renormalised by Z."""
        return self.base if self.Z == 1.0 else self.base.renormalized(self.Z)

    @property
    def label(self) -> str:
        """'K3C60, Z = 0.3 (1/Z = 3.33)': the material and its Z, for titles."""
        return f"{self.material}, {z_text(self.Z)}"


def z_text(Z: float) -> str:
    """'Z = 0.3 (1/Z = 3.33)', or 'Z = 1 (bare parameters)'."""
    if Z == 1.0:
        return "Z = 1 (bare parameters)"
    return f"Z = {Z:.4g} (1/Z = {1 / Z:.4g})"
