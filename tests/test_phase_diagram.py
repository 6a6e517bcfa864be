"""The (dE, nu) phase diagram (Fig. 2b) and the K3C60 Mott path (Appendix D)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from photosc import materials
from photosc.io import save_dataset
from photosc.physics import landscape
from photosc.physics.pairing import attraction, attraction_slope
from photosc.studies import phase_diagram as pd

GOLDEN = Path(__file__).parent / "data" / "phase_diagram_golden.json"
GOLDEN_DE = [0.3, 0.8, 1.5, 2.2]
GOLDEN_NU = [0.5, 1.2, 2.05, 2.8, 4.5]
#: Tolerances of the golden comparison. The stored numbers are converged to ~1e-12 (Newton on
#: quantities known to quadrature rounding). Q, barrier and gap at T = 0 depend only on closed
#: forms (asinh, the T = 0 condensation energy): 1e-9 catches any change of the solver. T_B and
#: the first-order temperature go through the finite-T quadratures of photosc.physics.bcs, which
#: promise 1e-9 and may be retuned within that: 1e-6 allows it and stays 10x inside the 1e-5
#: accuracy the issue asks of these temperatures. The kind must match exactly (no golden point is
#: within 1e-3 of a boundary in ratio_max - 1 or F_MS - F_0, checked below).
RTOL_T0, RTOL_T = 1e-9, 1e-6
GOLDEN_VARS = ("Q_B", "Q_MS", "barrier", "Delta_MS", "T_B", "T_first_order")


def small_diagram() -> xr.Dataset:
    return pd.phase_diagram(GOLDEN_DE, GOLDEN_NU)


def test_golden_phase_diagram() -> None:
    ds = small_diagram()
    if os.environ.get("PHOTOSC_REGENERATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        data = {k: np.where(np.isnan(ds[k]), None, ds[k]).tolist() for k in GOLDEN_VARS}
        data |= {"kind": ds["kind"].values.tolist(), "dE": GOLDEN_DE, "nu": GOLDEN_NU}
        GOLDEN.write_text(json.dumps(data, indent=1) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert golden["dE"] == GOLDEN_DE and golden["nu"] == GOLDEN_NU
    np.testing.assert_array_equal(ds["kind"].values, golden["kind"])
    for name in GOLDEN_VARS:
        expected = np.array(golden[name], dtype=float)
        rtol = RTOL_T if name.startswith("T_") else RTOL_T0
        np.testing.assert_allclose(ds[name].values, expected, rtol=rtol, err_msg=name)


def test_golden_points_are_away_from_boundaries() -> None:
    dE, nu = np.meshgrid(GOLDEN_DE, GOLDEN_NU, indexing="ij")
    cp = landscape.critical_points_kernel(dE, 0.6, nu, 0.3 / nu)
    assert np.all(np.abs(cp.ratio_max - 1) > 1e-3)
    meta = cp.kind_code > 0
    assert np.all(np.abs(cp.F_MS - cp.F_0)[meta] > 1e-3 * np.abs(cp.F_0)[meta])
    assert 0 < meta.sum() < meta.size and np.any(cp.kind_code == 1) and np.any(cp.kind_code == 2)


def test_dask_gives_the_same_diagram() -> None:
    lazy = pd.phase_diagram(GOLDEN_DE, GOLDEN_NU, chunks={"dE": 2, "nu": 3})
    assert lazy["T_B"].chunks is not None
    xr.testing.assert_equal(lazy.compute().drop_attrs(), small_diagram().drop_attrs())


def test_diagram_physics_is_monotonic() -> None:
    """More density of states or a smaller splitting only helps: the metastable (and the type
    II) region grows with nu and shrinks with dE, and T_B rises with nu and falls with dE."""
    ds = pd.phase_diagram(np.linspace(0.2, 3.0, 14), np.linspace(0.3, 5.0, 14))
    for k in (1, 2):
        region = ds["kind"].values >= k
        assert np.all(region[:, :-1] <= region[:, 1:]) and np.all(region[1:, :] <= region[:-1, :])
    T_B = ds["T_B"].values
    assert np.all(np.diff(T_B, axis=1)[np.isfinite(np.diff(T_B, axis=1))] > 0)
    assert np.all(np.diff(T_B, axis=0)[np.isfinite(np.diff(T_B, axis=0))] < 0)
    second = ds["kind"].values == 2
    assert np.all(ds["T_first_order"].values[second] < T_B[second])
    assert np.all(np.isnan(ds["T_first_order"].values[~second]))


def test_dataset_is_labelled_and_round_trips(tmp_path: Path) -> None:
    ds = small_diagram()
    path = save_dataset(ds, tmp_path / "pd.nc")  # raises if a variable lacks units/long_name
    back = xr.load_dataset(path)
    xr.testing.assert_allclose(back, ds)
    assert back.attrs["g"] == 0.6 and back.attrs["lam_eff"] == 0.3
    assert back["T_B_K"].attrs["units"] == "K"


# --- the K3C60 path ---------------------------------------------------------------------------


def test_material_path_is_the_mott_renormalisation() -> None:
    """App. D: dE -> Z dE, nu -> nu / Z, lam_eff fixed; Z^-1 = 1 is the DFT point."""
    path = pd.material_path("K3C60", [1.0, 2.0, 3.34, 5.0])
    omega = materials.load("K3C60").omega_meV
    assert path["dE"].values[0] == pytest.approx(250.0 / omega)
    assert path["nu"].values[0] == pytest.approx(0.603)
    np.testing.assert_allclose(path["dE"] * path["nu"], 250.0 / omega * 0.603, rtol=1e-14)
    np.testing.assert_allclose(path["nu"] * path["U0"], 0.3, rtol=1e-14)
    np.testing.assert_allclose(path["nu"] / path["Z_inv"], 0.603, rtol=1e-14)


def zero_temperature_force_roots(Z_inv: float) -> int:
    """Sign changes of the T = 0 force over Q > 0 on a fine grid, with the closed-form gap
    Delta = 1/sinh(1/(nu U)): an independent count of the critical points Q_B, Q_MS."""
    m = materials.load("K3C60", Z=1.0 / Z_inv)
    Q = np.linspace(1e-4, 3.0, 30001)
    U = attraction(Q, m.dE, m.g, m.U0)
    f = -Q + (1.0 / np.sinh(1.0 / (m.nu * U))) ** 2 / U**2 * attraction_slope(Q, m.dE, m.g)
    return int(np.count_nonzero(np.diff(np.sign(f))))


def test_k3c60_onset_of_metastability() -> None:
    """No metastability at Z^-1 = 1 (DFT) and 2 (Nomura et al.); type I from Z^-1 = 3.34 (the
    paper's value; we find 3.3435), type II from Z^-1 = 3.439 on."""
    onset, type_II = pd.mott_onsets(materials.load("K3C60"))
    assert onset == pytest.approx(3.34, abs=0.004)
    assert onset == pytest.approx(3.3435, abs=2e-4)
    assert onset < type_II == pytest.approx(3.4387, abs=2e-4)
    assert zero_temperature_force_roots(onset - 0.002) == 0
    assert zero_temperature_force_roots(onset + 0.002) == 2
    ds = pd.metastability_path("K3C60", [1.0, 2.0, 3.0, 3.4, 4.0, 5.0, 6.0, 7.0])
    assert ds["kind"].values.tolist() == [0, 0, 0, 1, 2, 2, 2, 2]
    assert ds.attrs["onset_Z_inv"] == onset and ds.attrs["type_II_Z_inv"] == type_II
    T_B = ds["T_B"].values[3:]
    assert np.all(np.diff(T_B) > 0) and ds["T_B"].attrs["units"] == "K"
    assert T_B[0] == pytest.approx(93.8, abs=0.5)  # Z^-1 = 3.4: close to the 100 K experiments


def test_mott_onsets_cached_and_each_point_solved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """mott_onsets is path_onsets along the Mott path, cached per model; path_onsets solves the
    T = 0 landscape once per 1/Z it visits (the I -> II search reads F_MS and F_0 of one)."""
    m = materials.load("K3C60").replace(cutoff=0.999)  # a model no other test cached
    calls: list[float] = []
    solve = pd._at_T0
    monkeypatch.setattr(pd, "_at_T0", lambda model: calls.append(model.dE) or solve(model))
    onsets = pd.mott_onsets(m)
    solved = len(calls)
    assert solved == len(set(calls))
    assert pd.mott_onsets(m) == onsets and len(calls) == solved  # from the cache
    direct = pd.path_onsets(lambda z: m.renormalized(1.0 / z))
    assert direct == onsets


def test_bad_input_rejected() -> None:
    with pytest.raises(ValueError, match="Z_inv"):
        pd.material_path("K3C60", [0.5, 2.0])
    with pytest.raises(ValueError, match="dE"):
        pd.phase_diagram([-1.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="nu"):
        pd.phase_diagram([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="material"):
        pd.material_path("C60-unknown", [1.0])
    assert math.isnan(pd.mott_onsets(materials.load("K3C60"), Z_inv_max=2.0)[0])


# --- command line --------------------------------------------------------------------------


def run_command(module: str, argv: list[str]) -> str:
    """Run one of this topic's subcommands through typer (as ``photosc`` does) and return its
    output; independent of the registration in photosc.cli."""
    import importlib

    import typer
    from typer.testing import CliRunner

    app = typer.Typer()  # a single command runs as the app itself
    app.command()(importlib.import_module(f"photosc.cli.{module}").command)
    result = CliRunner().invoke(app, argv, terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_phase_diagram_reports_the_k3c60_onsets(tmp_path: Path) -> None:
    out = tmp_path / "pd"
    text = run_command(
        "phase_diagram",
        ["--dE", "0.2:3:6", "--nu", "0.3:5:6", "--path", "K3C60", "--out", str(out)],
    )
    assert "3.3435" in text and "3.4387" in text
    ds = xr.load_dataset(out / "phase_diagram.nc")
    assert ds.sizes == {"dE": 6, "nu": 6}
    assert xr.load_dataset(out / "path.nc").attrs["onset_Z_inv"] == pytest.approx(3.3435, abs=1e-4)
    assert (out / "phase_diagram.png").stat().st_size > 0


def test_cli_landscape_writes_curves_at_the_requested_temperatures(tmp_path: Path) -> None:
    out = tmp_path / "land"
    text = run_command("landscape", ["K3C60", "--Z-inv", "4", "--T-K", "0,100", "--out", str(out)])
    assert "246.43 K" in text  # T_B at Z^-1 = 4
    ds = xr.load_dataset(out / "landscape.nc")
    np.testing.assert_allclose(ds["T_K"], [0.0, 100.0])
    assert ds["kind"].values.tolist() == [2, 2]
