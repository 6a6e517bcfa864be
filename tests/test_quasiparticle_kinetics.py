"""The trapping protocol in the kinetics: the drive, thermalisation at U(Q*), the K3C60 verdict at
100 K, the half-life bookkeeping, the apply_ufunc kernel, the command and the report section."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from photosc import materials
from photosc.cli import main
from photosc.physics import bcs, spectra
from photosc.physics.pairing import attraction
from photosc.report import kinetics as report
from photosc.studies import quasiparticle_kinetics as qk
from photosc.units import temperature_from_K

K3C60 = materials.load("K3C60")


def test_protocol_ramps_holds_and_releases() -> None:
    drive = qk.protocol(K3C60, 3.0, hold_ps=10.0, ramp_ps=10.0)
    U_star = float(attraction(3.0, K3C60.dE, K3C60.g, K3C60.U0))
    assert drive(0.0) == pytest.approx(K3C60.U0, rel=1e-15)
    assert drive(drive.ramp + drive.hold / 2) == pytest.approx(U_star, rel=1e-15)
    assert drive(drive.release_end) == pytest.approx(K3C60.U0, rel=1e-15)
    assert drive.release_end == pytest.approx(3 * drive.ramp)  # 10 + 10 + 10 ps
    with pytest.raises(ValueError, match="ramp_ps"):
        qk.protocol(K3C60, 3.0, ramp_ps=0.0)


def test_half_life_of_an_exponential() -> None:
    # Delta = D0 exp(-t/tau) after t_r: half-life tau ln 2, to the linear interpolation between
    # output points (relative spacing 1e-3 here: error ~ (dt/tau)^2 / 8)
    t = np.linspace(0.0, 10.0, 10001)
    delta = np.where(t < 2.0, 1.0, np.exp(-(t - 2.0) / 1.5))
    d0, t_half = qk._half_life(t, delta, 2.0)
    assert d0 == 1.0 and t_half == pytest.approx(1.5 * math.log(2), rel=1e-6)
    assert qk._half_life(t, np.ones_like(t), 2.0)[1] == math.inf
    assert math.isnan(qk._half_life(t, np.zeros_like(t), 2.0)[1])


def test_k3c60_at_100K_thermalises_at_U_star_and_traps_nothing() -> None:
    # The hold (10 ps) is long against the recombination at Delta* ~ 12.7 meV: at its end the
    # electrons are the thermal state at U(Q*) (the protocol's n*, Delta*; coarse grid, rtol 1e-4:
    # 1e-3). The 10 ps ring-down is long against the generation at Delta_tr ~ 2 meV
    # (t_half ~ 0.07 ps, rate equation): the gap is gone when Q is back at 0.
    spectrum = spectra.k3c60(K3C60.omega_meV)
    ds = qk.trajectory(K3C60, spectrum, 100.0, 3.0, after_ps=5.0, points=64, rtol=1e-4)
    drive = qk.protocol(K3C60, 3.0)
    T = float(temperature_from_K(100.0, K3C60.omega_meV))
    end_of_hold = ds.sel(t=drive.ramp + drive.hold, method="nearest")
    U_star = float(attraction(3.0, K3C60.dE, K3C60.g, K3C60.U0))
    assert float(end_of_hold["Delta"]) == pytest.approx(
        float(bcs.gap(U_star, T, K3C60.nu, K3C60.cutoff)), rel=1e-3
    )
    assert float(end_of_hold["n_qp"]) == pytest.approx(ds.attrs["n_star"], rel=1e-3)
    assert ds.attrs["delta_tr_meV"] > 1.0  # the frozen-n picture would trap ~2 meV
    assert ds.attrs["delta_release_meV"] == 0.0 and math.isnan(ds.attrs["half_life_ns"])
    for name in ("Delta", "n_qp", "f", "N_phonon", "E", "t"):
        assert ds[name].attrs["units"] and ds[name].attrs["long_name"]


def test_half_lives_lift_the_scalar_kernel_with_dask() -> None:
    ds = qk.half_lives(K3C60, [100.0], [0.0], [0.0, 1.0], 3.0, points=64, after_ps=5.0, chunks=1)
    assert ds["half_life"].dims == ("T_K", "tau_esc_ps", "gap_floor")
    assert np.all(np.isnan(ds["half_life"]))  # nothing trapped at 100 K, whatever the window
    weight = ds["window_weight"].values
    assert weight[0] == 0.0 and weight[1] > 0.0
    assert np.isfinite(ds["half_life_rate_eq"]).all()


def test_command_writes_figures_and_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kin"
    main(
        [
            "kinetics",
            "K3C60",
            "--T-K",
            "100",
            "--after-ps",
            "2",
            "--points",
            "64",
            "--out",
            str(out),
        ]
    )
    for name in ("kinetics_100K_0ps.nc", "distribution_100K_0ps.png", "gap.png", "density.png"):
        assert (out / name).is_file()
    ds = xr.open_dataset(out / "kinetics_100K_0ps.nc")
    assert ds["f"].dims == ("t", "xi") and ds["Delta"].attrs["units"] == "hbar*omega"
    assert "Delta_tr" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tau-esc-ps", "-1"], "tau-esc-ps"),
        (["--tau-esc-ps", "fast"], "tau-esc-ps"),
        (["--T-K", "0"], "T-K"),
        (["--ramp-ps", "0"], "ramp-ps"),
        (["--points", "10"], "points"),
    ],
)
def test_command_refuses_bad_input(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["kinetics", "K3C60", *argv, "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
    assert not (tmp_path / "x").exists()


def test_report_section_says_when_nothing_is_trapped(tmp_path: Path) -> None:
    section = report.section(K3C60, tmp_path)
    assert "nothing trapped" in next(iter(section.rows.values()))
    for name in [*section.figures, *section.data]:
        assert (tmp_path / name).is_file()
