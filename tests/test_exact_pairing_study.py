"""The exact-pairing study, its figures, report section and command-line options."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from photosc import materials
from photosc.cli import main
from photosc.physics import landscape
from photosc.physics.pairing import attraction
from photosc.report import exact_pairing as section_module
from photosc.studies import exact_pairing as study
from photosc.units import energy_to_meV


def test_attraction_curves_share_U0_and_follow_eq5() -> None:
    ds = study.attraction_curves("K3C60", Q=np.linspace(0, 2, 21))
    assert list(ds["Z_inv"].values) == list(study.PATH_POINTS)
    for name in ds.variables:
        assert {"units", "long_name"} <= set(ds[name].attrs)
    np.testing.assert_allclose(ds["U_exact"].isel(Q=0), ds["U0"], rtol=1e-12)
    m = materials.load("K3C60").renormalized(1 / 3.4)
    eq5 = energy_to_meV(attraction(ds["Q"].values, m.dE, m.g, m.U0), m.omega_meV)
    np.testing.assert_allclose(ds["U_sw"].sel(Z_inv=3.4), eq5, rtol=1e-12)
    assert np.all(ds["binding_rest"] > 0)


def test_phase_diagrams_lift_with_dask_and_match_the_kernels() -> None:
    dE, nu = np.array([0.5, 0.8, 2.0]), np.array([1.0, 2.0, 4.0, 5.0])
    eager = study.phase_diagrams(dE, nu)
    lazy = study.phase_diagrams(dE, nu, chunks={"dE": 2})
    assert lazy["deviation"].chunks is not None
    xr.testing.assert_allclose(lazy.compute(), eager)
    res = landscape.metastability_kernel(dE[:, None], 0.6, nu[None, :], 0.3 / nu[None, :],
                                         1.0, "exact")  # fmt: skip
    np.testing.assert_array_equal(eager["kind"].sel(pairing="exact"), res["kind_code"])
    direct = study.deviation_kernel(dE[:, None], nu[None, :], g=0.6, lam_eff=0.3)
    np.testing.assert_allclose(eager["deviation"], direct)
    assert bool(eager["untrusted"].sel(dE=0.8, nu=2.0))  # near resonance eq. 5 is > 10% off


@pytest.mark.slow
def test_k3c60_onsets_with_both_pairings() -> None:
    """Eq. 5 reproduces the paper's onset 1/Z = 3.34 (Appendix D); the exact pairing moves the
    onset to 2.946 and the I -> II boundary to 2.983, and with b(0) added on top of U0 both to
    2.59 (regression values of this code, to 1e-3; the roots are found to 1e-5)."""
    ds = study.onsets("K3C60", xtol=1e-5)
    sw, exact = ds.sel(pairing="schrieffer-wolff"), ds.sel(pairing="exact")
    added = ds.sel(pairing=study.READINGS[2])
    assert float(sw["onset_Z_inv"]) == pytest.approx(3.34, abs=0.01)
    assert float(exact["onset_Z_inv"]) == pytest.approx(2.946, abs=1e-3)
    assert float(exact["type_II_Z_inv"]) == pytest.approx(2.983, abs=1e-3)
    assert float(exact["type_II_Z_inv"]) < float(sw["onset_Z_inv"])
    assert float(added["onset_Z_inv"]) == pytest.approx(2.591, abs=1e-3)
    assert float(added["type_II_Z_inv"]) == pytest.approx(2.592, abs=1e-3)


def test_report_section_shows_both_and_never_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = materials.load("K3C60", Z=1 / 2.0)
    s = section_module.section(model, tmp_path)
    assert any("exact" in k for k in s.rows) and s.summary["untrusted_fraction"] > 0
    for name in s.figures + s.data:
        assert (tmp_path / name).exists()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("exact_binding did not converge")

    monkeypatch.setattr(study, "attraction_curves", broken)
    s = section_module.section(model, tmp_path)
    assert "not available" in s.rows["exact pairing"]


def test_cli_pairing_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["landscape", "K3C60", "--Z-inv", "3.4", "--T-K", "0", "--pairing", "exact",
          "--out", str(tmp_path)])  # fmt: skip
    assert "U(Q): exact" in capsys.readouterr().out.replace("\n", " ")
    assert xr.open_dataset(tmp_path / "landscape.nc").attrs["model_pairing"] == "exact"
    for argv in (["landscape", "K3C60", "--pairing", "SW"], ["phase-diagram", "--pairing", "x"]):
        with pytest.raises(SystemExit) as exc:
            main([*argv, "--out", str(tmp_path / "bad")])
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "pairing" in err


def test_trapping_uses_the_model_pairing() -> None:
    """The hold-and-release protocol reads U(Q*) through the model's pairing."""
    from photosc.studies.trapping import trapped_state

    m = materials.load("K3C60").renormalized(1 / 3.4)
    Q = np.array([0.2, 0.6])
    sw = trapped_state(m, Q, 2 * m.Tc)
    exact = trapped_state(m.replace(pairing="exact"), Q, 2 * m.Tc)
    np.testing.assert_allclose(
        exact["U_star"].squeeze(), attraction(Q, m.dE, m.g, m.U0, method="exact"), rtol=1e-12
    )
    assert not np.allclose(exact["U_star"], sw["U_star"])
