"""The main job: the report completes for every preset and for the inputs that used to break it,
says when a section has nothing to show, reports an unexpected error loudly, and its page works
in a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import functools
import http.server
import json
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr

from photosc import materials, report
from photosc.cli import main
from photosc.report import claims, dynamics, trapping
from photosc.report.section import ReportContext

#: Sections that depend on the material (the paper's figures and numbers do not).
MATERIAL_SECTIONS = [m for m in report.SECTIONS if not m.endswith((".paper", ".claims"))]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def k3c60_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``photosc report K3C60`` through the command line, once for this module."""
    out = tmp_path_factory.mktemp("report") / "K3C60"
    main(["report", "K3C60", "--out", str(out)])
    return out


def test_full_report_has_every_file_caption_and_timing(k3c60_report: Path) -> None:
    summary = json.loads((k3c60_report / "summary.json").read_text())
    assert summary["errors"] == {}
    assert summary["material"] == "K3C60" and summary["Z"] == 1.0
    sections = summary["sections"]
    timing = summary["timing_s"]
    # sections run in worker processes: the wall total covers the longest one, not their sum
    assert set(sections) <= set(timing)
    assert timing["total"] >= max(v for k, v in timing.items() if k != "total")
    page = (k3c60_report / "index.html").read_text()
    figures = [f for f in page.split("<img src='")[1:]]
    names = {f.split("'", 1)[0] for f in figures}
    for fig in ("fig2a.png", "fig2b.png", "fig2c.png", "fig3.png", "fig4c.png"):
        assert fig in names
    for name in names:
        assert (k3c60_report / name).stat().st_size > 0
    assert page.count("<figcaption>") == len(figures)  # every figure has its caption
    assert "Reproduces Fig. 2b" in page and "the paper says" in page
    # one material: no screening section (that needs several)
    assert not any(t.startswith("Screening") for t in sections)
    assert not (k3c60_report / "screening.nc").exists()
    paper = sections["The paper's figures (Figs. 2a, 2b, 2c, 3, 4c)"]
    assert paper["onset_Z_inv"] < paper["fig2a_Z_inv"] < paper["type_II_Z_inv"]
    # nucleation: tau over (1/Z, width) where Q_MS decays at 100 K, Langer's validity marked
    assert "nucleation_map.png" in names
    with xr.open_dataset(k3c60_report / "nucleation_map.nc") as tau_map:
        assert set(tau_map.data_vars) == {"tau_ns", "valid", "width_for_lifetime_meV"}
        assert tau_map.sizes["Z_inv"] >= 2 and tau_map.attrs["T_K"] == 100.0
        assert np.all(np.isfinite(tau_map["tau_ns"])) and tau_map["valid"].dtype == bool


def _check_page(browser: Any, url: str, width: int, screenshot: Path) -> None:
    """Load ``url`` at ``width`` px: no console errors, every image decoded, no overflow."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    page.evaluate(
        "Promise.all([...document.images].map(i => { i.loading = 'eager'; "
        "return i.decode().catch(() => null); }))"
    )
    widths = page.evaluate("[...document.images].map(i => i.naturalWidth)")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    assert errors == []
    assert widths and min(widths) > 0
    assert overflow <= 0, f"horizontal overflow of {overflow} px at {width} px"


def test_page_in_a_real_browser(k3c60_report: Path) -> None:
    """The page loads without console errors, every image loads, nothing overflows a 390 px
    phone, and screenshots are saved next to it (chromium is installed by .ci/run: no skip)."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(k3c60_report))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for width in (1400, 390):
                    _check_page(browser, url, width, k3c60_report / f"screenshot_{width}px.png")
            finally:
                browser.close()
    finally:
        server.shutdown()
    assert (k3c60_report / "screenshot_390px.png").stat().st_size > 0


def test_user_strings_are_escaped(tmp_path: Path) -> None:
    from photosc.report.html import render
    from photosc.report.section import Section

    context = ReportContext(material="<script>x</script>", base=materials.load("K3C60"))
    s = Section(title="a & <b>", rows={"<i>": '\'"quoted"'}, notes="<img src=x onerror=y>")
    summary = {"provenance": {}, "timing_s": {"total": 0.0}}
    page = render(context, [s], summary)
    assert "<script>x" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&quot;quoted&quot;" in page


def _bare(name: str, **overrides: float) -> ReportContext:
    return ReportContext(material=name, base=materials.load(name, **overrides))


@pytest.mark.slow
@pytest.mark.parametrize("name", materials.available())
def test_every_preset_gives_a_full_report(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Each bundled preset, all material sections, strict: any exception fails the test
    (K3C60's full report is the module's, built through the command line)."""
    if name == "K3C60":
        summary = json.loads((request.getfixturevalue("k3c60_report") / "summary.json").read_text())
        assert summary["errors"] == {}
        return
    monkeypatch.setattr(report, "SECTIONS", MATERIAL_SECTIONS)
    sections = report.build(materials.load(name), tmp_path, name=name, strict=True)
    assert [s.error for s in sections] == [""] * len(sections)
    for s in sections:
        for f in (*s.figures, *s.data):
            assert (tmp_path / f).stat().st_size > 0
    assert (tmp_path / "index.html").is_file() and (tmp_path / "summary.json").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("overrides", [{"g": 0.0}, {"lam_eff": 0.6}])
def test_trapping_with_nothing_trapped_says_so(overrides: dict[str, float], tmp_path: Path) -> None:
    """`report K3C60 --set g=0` / `--set lam_eff=0.6`: holding Q* = 3 at 2 T_c traps no gap."""
    context = _bare("K3C60", **overrides)
    s = trapping.section(context.model, tmp_path, context=context)
    assert s.summary["traps_at_2Tc"] is False and s.summary["relaxation_2Tc"] is None
    assert any("nothing to relax" in v for v in s.rows.values())
    assert not any(f.startswith("relaxation") for f in s.figures)


@pytest.mark.slow
def test_dynamics_with_a_long_lifetime_says_so(tmp_path: Path) -> None:
    """`report K3C60 --Z 0.15`: escapes are too rare to simulate; the rates are still given."""
    context = ReportContext(material="K3C60", base=materials.load("K3C60"), Z=0.15)
    s = dynamics.section(context.model, tmp_path, context=context)
    assert s.summary["metastable"] and s.summary["escape_rate_per_s"] is None
    assert "escape_times.png" not in s.figures
    assert s.rows["escape rate, simulated / turnover / Kramers"].startswith("not simulated")
    assert s.summary["shown_for"] == "K3C60, Z = 0.15 (1/Z = 6.667)"


@pytest.fixture
def broken_section(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    module = types.ModuleType("photosc_test_broken_section")

    def section(model: object, out: Path) -> object:
        raise RuntimeError("a bug")

    module.section = section  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(report, "SECTIONS", ["photosc.report.claims", module.__name__])
    yield module.__name__


def test_an_unexpected_error_is_loud(broken_section: str, tmp_path: Path) -> None:
    """Not strict: the page and summary are written with the error in its section, and the
    command exits 1; strict (tests): the exception propagates."""
    with pytest.raises(SystemExit) as exc:
        main(["report", "K3C60", "--out", str(tmp_path), "--jobs", "0"])
    assert exc.value.code == 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["errors"] == {"photosc_test_broken_section": "RuntimeError: a bug"}
    assert "This section failed: RuntimeError: a bug" in (tmp_path / "index.html").read_text()
    with pytest.raises(RuntimeError, match="a bug"):
        report.build(materials.load("K3C60"), tmp_path, strict=True)


def test_sections_in_worker_processes_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """jobs = 2 runs the sections in two worker processes: the same numbers and files as in
    this process, in report order; a section failing in a worker is recorded (raised if strict)."""
    monkeypatch.setattr(report, "SECTIONS", ["photosc.report.claims", "photosc.report.bcs"])
    model = materials.load("K3C60")
    alone = report.build(model, tmp_path / "one")
    pooled = report.build(model, tmp_path / "two", jobs=2)
    assert [s.summary for s in pooled] == [s.summary for s in alone]
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(
        p.name for p in (tmp_path / "one").iterdir()
    )
    monkeypatch.setattr(report, "SECTIONS", ["photosc.report.claims", "photosc.no_such_section"])
    sections = report.build(model, tmp_path / "bad", jobs=2)
    assert sections[0].error == "" and "No module named" in sections[1].error
    with pytest.raises(ModuleNotFoundError):
        report.build(model, tmp_path / "bad", jobs=2, strict=True)
    with pytest.raises(ValueError, match="jobs"):
        report.build(model, tmp_path, jobs=-1)


def test_every_section_has_a_cost_for_the_worker_order() -> None:
    """The workers take the sections longest first: each needs its measured seconds."""
    assert set(report._SECONDS) == set(report.SECTIONS)


def test_Z_is_counted_from_the_bare_parameters(tmp_path: Path) -> None:
    """--Z applies to the preset once; the report states it in summary.json and on the page."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "SECTIONS", ["photosc.report.claims"])
        main(["report", "K3C60", "--Z-inv", "3.4", "--out", str(tmp_path)])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["Z_inv"] == pytest.approx(3.4)
    assert summary["model_bare"]["nu"] == pytest.approx(0.603)
    assert summary["provenance"]["model_nu"] == pytest.approx(0.603 * 3.4)
    assert "Z = 0.2941 (1/Z = 3.4)" in (tmp_path / "index.html").read_text()


def test_paper_numbers_are_computed() -> None:
    """The table's values come from photosc: the onset, T_c at lam_eff = 0.3, the 64.85 bound."""
    rows = claims.claims()
    values = [c.value for c in rows]
    assert any(abs(v - 3.3435) < 1e-3 for v in values)  # onset 1/Z (paper: 3.34)
    assert any(abs(v - 42.71) < 0.01 for v in values)  # T_c at lam_eff = 0.3 (paper: 20 K)
    assert any(abs(v - 64.85) < 0.01 for v in values)  # eq. 12's bound (paper: 45.9)
    # each computed check came out as the status says (a failed check reads "differs")
    assert all(c.status and c.status != "differs" for c in rows)
