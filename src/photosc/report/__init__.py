"""The main job: ``photosc report MATERIAL`` writes a folder with every figure, dataset and number.

Each capability contributes a section module in this package exposing
``section(model: Model, out: Path) -> Section`` (optionally with a keyword-only
``context: ReportContext``, to know the material and its Z); ``SECTIONS`` lists them in report
order. A section that has nothing to show returns a Section that says so; one that raises is
recorded with its error (``Section.error``), the report still completes, and the caller decides
(the CLI exits 1, tests fail).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

from photosc.io import provenance, save_json
from photosc.model import Model
from photosc.report.section import ReportContext, Section

#: Section modules, in the order they appear in the report.
SECTIONS: list[str] = [
    "photosc.report.paper",
    "photosc.report.claims",
    "photosc.report.bcs",
    "photosc.report.metastability",
    "photosc.report.exact_pairing",
    "photosc.report.trapping",
    "photosc.report.kinetics",
    "photosc.report.dynamics",
    "photosc.report.nucleation",
    "photosc.report.adiabaticity",
]


def _run(module: str, context: ReportContext, out: Path, strict: bool) -> Section:
    def call() -> Section:
        fn = importlib.import_module(module).section
        takes_context = "context" in inspect.signature(fn).parameters
        kwargs = {"context": context} if takes_context else {}
        s: Section = fn(context.model, out, **kwargs)
        return s

    return _timed(module.rsplit(".", 1)[-1], call, strict)


def _timed(title: str, call: Callable[[], Section], strict: bool) -> Section:
    """``call()`` timed; its exception (unless ``strict``) becomes a Section titled ``title``."""
    start = time.perf_counter()
    try:
        s = call()
    except Exception as exc:
        if strict:
            raise
        s = Section(
            title=title,
            error=f"{type(exc).__name__}: {exc}",
            summary={"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()},
        )
    s.seconds = time.perf_counter() - start
    return s


def build(
    model: Model,
    out: Path,
    *,
    name: str = "",
    Z: float = 1.0,
    progress: Callable[[str], None] | None = None,
    strict: bool = False,
    extra: Mapping[str, Callable[[Path], Section]] | None = None,
) -> list[Section]:
    """Write every section into ``out`` plus summary.json and index.html; returns the sections.

    ``model`` is the material's unrenormalised model (a preset with its overrides) and ``Z`` the
    quasi-particle residue the report is at, so 1/Z is always measured from the bare parameters.
    With ``strict`` a section's exception propagates; otherwise it is recorded in its section.
    ``extra`` maps a title to a function writing one more section into ``out`` (e.g. the
    screening of several materials), run after ``SECTIONS`` in that order.
    """
    from photosc.plotting import talk_style
    from photosc.report.html import write_index

    context = ReportContext(material=name or "model", base=model, Z=Z)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    sections = []
    with talk_style():
        for module in SECTIONS:
            if progress is not None:
                progress(module.rsplit(".", 1)[-1])
            sections.append(_run(module, context, out, strict))
        for title, write in (extra or {}).items():
            if progress is not None:
                progress(title)
            sections.append(_timed(title, functools.partial(write, out), strict))
    timing = {s.title: round(s.seconds, 3) for s in sections}
    timing["total"] = round(time.perf_counter() - start, 3)
    summary = {
        "material": context.material,
        "Z": Z,
        "Z_inv": context.Z_inv,
        "model_bare": model.as_attrs(),
        "provenance": provenance(context.model),
        "sections": {s.title: s.summary for s in sections},
        "errors": {s.title: s.error for s in sections if s.error},
        "timing_s": timing,
    }
    save_json(summary, out / "summary.json")
    write_index(out / "index.html", context, sections, summary)
    return sections
