"""The command line: the main job writes its files; bad input is one line and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

from photosc.cli import main


def test_report_writes_summary_figures_and_data(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    main(["report", "K3C60", "--Z", "0.5", "--out", str(out)])
    summary = json.loads((out / "summary.json").read_text())
    bcs = summary["sections"]["Equilibrium superconductor and trapped gap"]
    assert bcs["Tc_K"] == pytest.approx(42.71, abs=0.01)  # lam_eff is kept under Z
    assert bcs["two_Delta0_over_Tc"] == pytest.approx(3.532, abs=1e-3)
    assert (out / "index.html").read_text().count("<img") >= 3
    ds = xr.open_dataset(out / "gap.nc")
    assert ds["Delta_meV"].attrs["units"] == "meV"
    assert float(ds["Delta_meV"][0]) == pytest.approx(bcs["Delta0_meV"], rel=1e-12)


def test_materials_lists_presets_with_sources(capsys: pytest.CaptureFixture[str]) -> None:
    main(["materials"])
    text = capsys.readouterr().out
    assert "K3C60" in text and "Appendix D" in text.replace("App. D", "Appendix D")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "Unobtainium"], "material"),
        (["report", "K3C60", "--Z", "3"], "Z"),
        (["report", "K3C60", "--set", "nu=-1"], "nu"),
        (["report", "K3C60", "--set", "nu"], "--set"),
        (["report", "missing.toml"], "not found"),
        (["landscape", "K3C60", "--T-K", "-5"], "T-K"),
        (["drive", "K3C60", "--Z-inv", "3.6", "--amplitude", "-1"], "amplitude"),
        (["screen", "K3C60", "--T-K", "-1"], "T-K"),
        (["screen", "K3C60", "--Z-inv", "0.5"], "Z-inv"),
        (["screen", "K3C60", "Unobtainium"], "material"),
        (["spectrum", "missing.a2f"], "not found"),
        (["spectrum", "x.a2f", "--fraction", "2"], "fraction"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
