"""The main job: ``photosc report MATERIAL`` writes a folder with every figure, dataset and number.

Each capability contributes a section module in this package exposing
``section(model: Model, out: Path) -> Section`` (optionally with a keyword-only
``context: ReportContext``, to know the material and its Z); ``SECTIONS`` lists them in report
order. A section that has nothing to show returns a Section that says so; one that raises is
recorded with its error (``Section.error``), the report still completes, and the caller decides
(the CLI exits 1, tests fail).

The sections are independent: with ``jobs = N`` they run in N worker processes
(multiprocessing's forkserver, preloaded with the section modules, so a worker starts in
milliseconds and no state is shared with the caller's threads), each writing its own files.
A worker keeps BLAS and numba to one thread each: ``jobs`` processes on ``jobs`` cores, without
the oversubscription that makes a multi-threaded LAPACK call many times slower under load.
Workers persist across sections (their loaded numba kernels and tables are reused; a fresh
process per section measured 1.3x slower in total).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

from photosc.report.section import ReportContext, Section

if TYPE_CHECKING:
    from photosc.model import Model

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

#: Seconds each section took (K3C60, warm cache, one fresh process each; nucleation as measured
#: before its own speed-up): only the order in which the workers take them, longest first
#: (Graham's LPT rule: within 4/3 of the shortest schedule).
_SECONDS: dict[str, float] = {
    "photosc.report.paper": 2.3,
    "photosc.report.claims": 0.1,
    "photosc.report.bcs": 0.8,
    "photosc.report.metastability": 1.1,
    "photosc.report.exact_pairing": 1.3,
    "photosc.report.trapping": 2.7,
    "photosc.report.kinetics": 1.0,
    "photosc.report.dynamics": 2.4,
    "photosc.report.nucleation": 3.9,
    "photosc.report.adiabaticity": 1.9,
}

#: Imported by the sections at run time, preloaded into the workers too: xarray's to_netcdf
#: asks dask for its scheduler, which imports distributed (~1 s on a 2-core machine).
_PRELOAD: tuple[str, ...] = ("distributed", "netCDF4", "xarray.backends.netCDF4_")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _run(module: str, context: ReportContext, out: Path, strict: bool) -> Section:
    def call() -> Section:
        fn = importlib.import_module(module).section
        takes_context = "context" in inspect.signature(fn).parameters
        kwargs = {"context": context} if takes_context else {}
        s: Section = fn(context.model, out, **kwargs)
        return s

    return _timed(module.rsplit(".", 1)[-1], call, strict)


def _timed(title: str, call: Callable[[], Section], strict: bool) -> Section:
    """``call()`` timed, in the talk style of the figures; its exception (unless ``strict``)
    becomes a Section titled ``title``."""
    from photosc.plotting import talk_style

    start = time.perf_counter()
    try:
        with talk_style():
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


def _one_thread() -> None:
    """Worker initialiser: one BLAS/OpenMP thread and one numba thread in this process."""
    import numba
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    numba.set_num_threads(1)


def start_workers() -> None:
    """Start the forkserver the workers fork from, preloading the section modules (~1.5 s of
    imports); ``build`` with jobs > 0 does it, a caller may do it earlier so that the imports
    overlap its own set-up (the command line loads the model meanwhile)."""
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(
        ["photosc.report", *SECTIONS, *_PRELOAD]
    )
    forkserver.ensure_running()


def _run_all(
    context: ReportContext,
    out: Path,
    strict: bool,
    jobs: int,
    progress: Callable[[str], None] | None,
) -> list[Section]:
    """Every section, in report order: in this process (``jobs == 0``, progress names the
    section starting) or in ``jobs`` worker processes, longest first (progress names the section
    finished)."""
    if jobs == 0:
        done = []
        for module in SECTIONS:
            if progress is not None:
                progress(module.rsplit(".", 1)[-1])
            done.append(_run(module, context, out, strict))
        return done
    start_workers()
    mp = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(jobs, mp_context=mp, initializer=_one_thread) as pool:
        longest_first = sorted(SECTIONS, key=lambda m: -_SECONDS.get(m, 0.0))
        futures = {pool.submit(_run, m, context, out, strict): m for m in longest_first}
        results: dict[str, Section] = {}
        for future in as_completed(futures):
            module = futures[future]
            results[module] = future.result()
            if progress is not None:
                progress(f"{len(results)}/{len(SECTIONS)} done ({module.rsplit('.', 1)[-1]})")
    return [results[m] for m in SECTIONS]


def build(
    model: Model,
    out: Path,
    *,
    name: str = "",
    Z: float = 1.0,
    progress: Callable[[str], None] | None = None,
    strict: bool = False,
    jobs: int = 0,
    extra: Mapping[str, Callable[[Path], Section]] | None = None,
) -> list[Section]:
    """Write every section into ``out`` plus summary.json and index.html; returns the sections.

    ``model`` is the material's unrenormalised model (a preset with its overrides) and ``Z`` the
    quasi-particle residue the report is at, so 1/Z is always measured from the bare parameters.
    With ``strict`` a section's exception propagates; otherwise it is recorded in its section.
    ``jobs``: worker processes for the sections (0: all in this process, where a debugger and
    monkeypatching reach them). ``extra`` maps a title to a function writing one more section
    into ``out`` (e.g. the screening of several materials), run in this process after
    ``SECTIONS``, in that order.
    """
    from photosc.io import provenance, save_json
    from photosc.report.html import write_index

    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise ValueError(f"jobs must be an integer >= 0, got jobs={jobs!r}")
    context = ReportContext(material=name or "model", base=model, Z=Z)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    sections = _run_all(context, out, strict, min(jobs, len(SECTIONS)), progress)
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
