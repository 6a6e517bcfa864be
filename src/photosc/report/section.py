"""One section of the report: what it shows in the table, the figures and data it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    """A report section.

    title:   heading in the printed table and in index.html.
    rows:    label -> formatted value (with units) for the summary table.
    figures: PNG file names written into the report folder.
    data:    NetCDF file names written into the report folder.
    summary: machine-readable numbers for summary.json (plain floats, strings, lists).
    notes:   one-paragraph remarks shown under the heading.
    """

    title: str
    rows: dict[str, str] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
