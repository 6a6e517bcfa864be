"""Material screening and the commands `photosc screen` and `photosc spectrum`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from photosc import materials
from photosc.cli import main
from photosc.studies import screening
from photosc.studies.phase_diagram import mott_onsets


@pytest.fixture(scope="module")
def table() -> xr.Dataset:
    return screening.screen(["K3C60", "Al"], T_K=100.0, Z_inv=5.0)


def test_every_variable_is_labelled(table: xr.Dataset, tmp_path: Path) -> None:
    from photosc.io import save_dataset

    back = xr.open_dataset(save_dataset(table, tmp_path / "s.nc"))
    for name in [*screening.COLUMNS, "spectrum"]:
        assert {"units", "long_name"} <= set(back[name].attrs)
    assert list(back["material"].values) == ["K3C60", "Al"]


def test_k3c60_mott_onset_is_the_papers(table: xr.Dataset) -> None:
    """App. D: 1/Z ~ 3.34 places K3C60 in metastability I; the table uses mott_onsets."""
    k = table.sel(material="K3C60")
    assert float(k["onset_Z_inv"]) == pytest.approx(3.34, abs=0.01)
    _, type_II = mott_onsets(materials.load("K3C60"), 7.0)
    assert float(k["type_II_Z_inv"]) == pytest.approx(type_II, rel=1e-12)
    assert screening.PATH_KINDS[int(k["kind_at_Z"])] == "II"  # 1/Z = 5 is past the I -> II line
    # the Discussion: 2 Delta_0 (here 13 meV) lies in the 10-33 meV window of small alpha^2 F
    assert bool(k["in_gap"]) and 9 < float(k["gap_low_meV"]) < 13 < float(k["gap_high_meV"])
    assert 0 <= float(k["weight_above_2delta_tr"]) <= 1


def test_conventional_metal_has_no_path_and_kaplans_tau0(table: xr.Dataset) -> None:
    """Al (g = 0): no Mott path, no trapped gap far above T_c. For alpha^2 F = b Omega^2 the
    paper's tau_0 (eq. 13 corrected, 1/(2 pi^1.5 b (2 Delta)^3)) is Kaplan's Z1 hbar/(2 pi b
    (k T_c)^3) divided by sqrt(pi) (2 Delta/k T_c)^3: an independent check of both conventions
    (tolerance: the table's interpolation, 2.2e-4)."""
    al = table.sel(material="Al")
    assert screening.PATH_KINDS[int(al["kind_at_Z"])] == "no path"
    assert math.isnan(float(al["onset_Z_inv"])) and float(al["delta_tr_meV"]) == 0
    ratio = float(al["two_delta0_meV"]) / (float(al["Tc_K"]) * 8.617333262e-2)
    kaplan = materials.read("Al")["kaplan"]["tau0_ns"]
    assert float(al["tau0_ns"]) == pytest.approx(kaplan / (math.sqrt(math.pi) * ratio**3), rel=3e-4)


def test_screen_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="T_K"):
        screening.screen(["K3C60"], T_K=0.0)
    with pytest.raises(ValueError, match="Z_inv"):
        screening.screen(["K3C60"], Z_inv=0.5)
    with pytest.raises(ValueError, match="material"):
        screening.screen(["Unobtainium"])


@pytest.mark.slow
def test_screen_command_writes_table_figure_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scr"
    main(["screen", "Cs3C60", "K3C60", "Nb", "--T-K", "60", "--out", str(out)])
    text = capsys.readouterr().out
    assert "Cs3C60" in text and "no path" in text
    for name in ("screening.nc", "screening.png", "summary.json", "index.html"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["materials"]["Nb"]["onset_Z_inv"] is None
    assert "<img" in (out / "index.html").read_text()


def test_report_of_several_materials_ends_with_their_screening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`photosc report K3C60 Al`: the first material's sections (here only bcs, to keep the test
    short), then the screening of both, on the page and in summary.json."""
    from photosc import report

    monkeypatch.setattr(report, "SECTIONS", ["photosc.report.bcs"])
    out = tmp_path / "rep"
    main(["report", "K3C60", "Al", "--out", str(out)])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["material"] == "K3C60" and summary["errors"] == {}
    screened = summary["sections"]["Screening of 2 materials"]["materials"]
    assert list(screened) == ["K3C60", "Al"] and screened["Al"]["onset_Z_inv"] is None
    ds = xr.open_dataset(out / "screening.nc")
    assert list(ds["material"].values) == ["K3C60", "Al"]
    assert ds["tau0_ns"].attrs["units"] == "ns"
    page = (out / "index.html").read_text()
    assert "Screening of 2 materials" in page and "<img src='screening.png'" in page
    assert (out / "screening.png").stat().st_size > 0
    assert "K3C60: Screening of 2 materials" in capsys.readouterr().out  # the printed table


@pytest.mark.parametrize(
    ("command", "names", "message"),
    [
        ("report", ["K3C60", "Unobtainium"], "Unobtainium"),
        ("report", ["K3C60", "Al", "K3C60"], "K3C60 twice"),
        ("screen", ["Al", "Al"], "Al twice"),
    ],
)
def test_bad_second_material_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, names: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, *names, "--out", str(tmp_path / "rep")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
    assert not (tmp_path / "rep").exists()  # refused before any work


def test_spectrum_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A two-peak alpha^2 F with a gap between: lambda, omega_log and the gap are printed."""
    w = np.linspace(0.0, 60.0, 1201)
    y = 0.5 * np.exp(-(((w - 8) / 1.5) ** 2)) + 0.3 * np.exp(-(((w - 45) / 2.0) ** 2))
    path = tmp_path / "a2f.dat"
    path.write_text(
        "# Omega [meV] a2F\n" + "".join(f"{a} {b}\n" for a, b in zip(w, y, strict=True))
    )
    main(["spectrum", str(path), "--out", str(tmp_path / "o")])
    text = capsys.readouterr().out
    lam = 2 * np.trapezoid(np.where(w > 0, y / np.where(w > 0, w, 1), 0), w)
    assert f"lambda = {lam:.6g}" in text
    assert "alpha^2 F < 0.01 x max in:" in text
    ds = xr.open_dataset(tmp_path / "o" / "spectrum.nc")
    assert ds["Omega"].attrs["units"] == "meV" and ds.attrs["lam"] == pytest.approx(lam)
