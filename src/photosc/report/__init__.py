"""The main job: ``photosc report MATERIAL`` writes a folder with every figure, dataset and number.

Each capability contributes a section module in this package exposing
``section(model: Model, out: Path) -> Section``; ``SECTIONS`` lists them in report order.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable
from pathlib import Path

from photosc.io import atomic_write, provenance, save_json
from photosc.model import Model
from photosc.report.section import Section

#: Section modules, in the order they appear in the report.
SECTIONS: list[str] = [
    "photosc.report.bcs",
    "photosc.report.metastability",
    "photosc.report.trapping",
    "photosc.report.kinetics",
    "photosc.report.dynamics",
    "photosc.report.nucleation",
]


def build(
    model: Model,
    out: Path,
    *,
    name: str = "",
    progress: Callable[[str], None] | None = None,
) -> list[Section]:
    """Write every section into ``out`` plus summary.json and index.html; returns the sections."""
    from photosc.plotting import talk_style

    out.mkdir(parents=True, exist_ok=True)
    sections = []
    with talk_style():
        for module in SECTIONS:
            if progress is not None:
                progress(module.rsplit(".", 1)[-1])
            sections.append(importlib.import_module(module).section(model, out))
    summary = {
        "material": name,
        "provenance": provenance(model),
        "sections": {s.title: s.summary for s in sections},
    }
    save_json(summary, out / "summary.json")
    page = _index_html(name, sections)
    atomic_write(out / "index.html", lambda tmp: tmp.write_text(page))
    return sections


def _index_html(name: str, sections: list[Section]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>photosc report: {html.escape(name)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "td{padding:2px 12px}img{max-width:520px;margin:4px}</style></head><body>",
        f"<h1>photosc report: {html.escape(name)}</h1>",
    ]
    for s in sections:
        parts.append(f"<h2>{html.escape(s.title)}</h2>")
        if s.notes:
            parts.append(f"<p>{html.escape(s.notes)}</p>")
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
            for k, v in s.rows.items()
        )
        parts.append(f"<table>{rows}</table>")
        parts.extend(f"<img src='{html.escape(f)}' alt='{html.escape(f)}'>" for f in s.figures)
        if s.data:
            links = ", ".join(f"<a href='{html.escape(d)}'>{html.escape(d)}</a>" for d in s.data)
            parts.append(f"<p>Data: {links}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
