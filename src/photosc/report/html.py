"""index.html of the report: one page with navigation, captioned figures, tables with units, the
model in physical units, provenance and links to the data. Every string is escaped; the page is
written atomically and reads on a 1400 px screen and on a phone (responsive CSS, no scripts)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from photosc.io import save_bytes
from photosc.report.section import ReportContext, Section, Table, z_text
from photosc.units import energy_to_meV

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;
 margin:0;color:#1b1b1b;background:#fafafa}
header,main,footer{max-width:1400px;margin:auto;padding:0 16px}
header{padding-top:12px}
h1{font-size:1.6rem;margin:.4em 0}
section{scroll-margin-top:80px}
h2{font-size:1.3rem;border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:2em}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;z-index:1}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;margin:0 auto;
 padding:8px 16px;max-width:1400px}
nav a{text-decoration:none;color:#0b57a4}
.wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:8px 0;background:#fff}
caption{text-align:left;font-style:italic;padding:4px 0}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top;
 overflow-wrap:anywhere}
th{background:#f0f0f0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,560px),1fr));
 gap:16px}
figure{margin:0;background:#fff;border:1px solid #e2e2e2;padding:8px}
img{max-width:100%;height:auto;display:block;margin:auto}
figcaption{font-size:.92rem;color:#333;margin-top:6px}
.error{background:#fde8e8;border:1px solid #d33;padding:8px}
.note{color:#333}
.meta{color:#555;font-size:.9rem}
@media (max-width:600px){h1{font-size:1.3rem}nav{position:static}
 th,td{padding:3px 6px;font-size:.9rem}}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"


def _table(table: Table) -> str:
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    return (
        f"<div class='wrap'><table><caption>{_e(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _pairs(caption: str, rows: dict[str, str]) -> str:
    return _table(
        Table(caption, ["quantity", "value (with units)"], [[k, v] for k, v in rows.items()])
    )


def model_rows(context: ReportContext) -> dict[str, str]:
    """The report's model and its bare parameters in physical units."""
    m, b, w = context.model, context.base, context.model.omega_meV
    return {
        "material": context.material,
        "quasi-particle residue": z_text(context.Z),
        "phonon energy ħω": f"{w:.3f} meV",
        "level splitting ΔE": (
            f"{energy_to_meV(m.dE, w):.2f} meV (bare {energy_to_meV(b.dE, w):.2f} meV)"
        ),
        "coupling g ℓ₀/ω": f"{m.g:.4g} (dimensionless)",
        "density of states ν(0)": f"{m.nu / w:.5f} per meV per spin per site "
        f"(ν(0)ω = {m.nu:.4g}; bare {b.nu:.4g})",
        "equilibrium attraction U₀": f"{energy_to_meV(m.U0, w):.3f} meV",
        "λ_eff = ν(0) U₀": f"{m.lam_eff:.4g}",
        "BCS cutoff": f"{energy_to_meV(m.cutoff, w):.2f} meV",
        "T_c (Q = 0)": f"{m.Tc_K:.2f} K",
        "Δ₀ (T = 0, Q = 0)": f"{energy_to_meV(m.Delta0, w):.3f} meV",
    }


def _figure(name: str, caption: str) -> str:
    text = caption or name
    return (
        f"<figure><a href='{_e(name)}'><img src='{_e(name)}' alt='{_e(text)}' loading='lazy'>"
        f"</a><figcaption>{_e(text)} <span class='meta'>({_e(name)})</span></figcaption></figure>"
    )


def _section(s: Section) -> str:
    parts = [f"<section id='{_e(_anchor(s.title))}'><h2>{_e(s.title)}</h2>"]
    if s.error:
        parts.append(f"<p class='error'>This section failed: {_e(s.error)}</p>")
    if s.notes:
        parts.append(f"<p class='note'>{_e(s.notes)}</p>")
    if s.rows:
        parts.append(_pairs(f"{s.title}: results", s.rows))
    parts.extend(_table(t) for t in s.tables)
    if s.figures:
        figs = "".join(_figure(f, s.captions.get(f, "")) for f in s.figures)
        parts.append(f"<div class='figures'>{figs}</div>")
    if s.data:
        links = ", ".join(f"<a href='{_e(d)}'>{_e(d)}</a>" for d in s.data)
        parts.append(f"<p>Data (NetCDF, units in the attributes): {links}</p>")
    parts.append(f"<p class='meta'>computed in {s.seconds:.1f} s</p></section>")
    return "".join(parts)


def render(
    context: ReportContext | None,
    sections: list[Section],
    summary: dict[str, Any],
    title: str = "",
) -> str:
    """The page as a string. Without a ``context`` (a page about several materials, as from
    ``photosc screen``) it has no model table and ``title`` heads it."""
    title = f"photosc report: {context.label}" if context is not None else title
    model = [] if context is None else [
        "<section id='model'><h2>Model</h2>",
        _pairs("The model in physical units", model_rows(context)),
        "</section>",
    ]  # fmt: skip
    entries = [("model", "Model")] if context is not None else []
    entries += [(_anchor(s.title), s.title) for s in sections]
    entries.append(("provenance", "Provenance"))
    nav = "".join(f"<li><a href='#{_e(a)}'>{_e(t)}</a></li>" for a, t in entries)
    prov = summary["provenance"]
    provenance_rows = {
        "photosc version": prov.get("photosc_version", ""),
        "created": prov.get("created", ""),
        "reference": prov.get("reference", ""),
        "units": prov.get("units_convention", ""),
        "all numbers": "summary.json",
    }
    timing = Table(
        "Wall time per section (s)",
        ["section", "seconds"],
        [[k, f"{v:.2f}"] for k, v in summary["timing_s"].items()],
    )
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            "<link rel='icon' href='data:,'>",  # no favicon request
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
            f"<header><h1>{_e(title)}</h1><p class='meta'>Long-lived photo-induced "
            "superconductivity after Chattopadhyay et al. (2023): every figure as PNG, every "
            "number as NetCDF and in <a href='summary.json'>summary.json</a>.</p></header>",
            f"<nav aria-label='sections'><ul>{nav}</ul></nav><main>",
            *model,
            *[_section(s) for s in sections],
            "<section id='provenance'><h2>Provenance</h2>",
            _pairs("Where these numbers come from", provenance_rows),
            _table(timing),
            "</section></main><footer><p class='meta'>Generated by photosc.</p></footer>",
            "</body></html>\n",
        ]
    )


def write_index(
    path: Path,
    context: ReportContext | None,
    sections: list[Section],
    summary: dict[str, Any],
    title: str = "",
) -> Path:
    """Write the page at ``path`` atomically (arguments as for ``render``)."""
    return save_bytes(render(context, sections, summary, title).encode("utf-8"), path)
