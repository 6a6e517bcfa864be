"""Quasi-particle trapping protocol (Fig. 4, eqs. 9-11) and the kinetics after the pulse."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from photosc import materials
from photosc.physics import bcs
from photosc.physics.spectra import k3c60
from photosc.studies import kinetics, trapping

MODEL = materials.load("K3C60")
SPECTRUM = k3c60(MODEL.omega_meV)
TC = MODEL.Tc


def test_no_drive_traps_nothing() -> None:
    """Q* = 0: below T_c the trapped state is the equilibrium one (lam = 0); above, no gap."""
    T = np.array([0.3, 0.8, 1.3]) * TC
    ds = trapping.trapped_state(MODEL, 0.0, T).isel(Q_star=0)
    np.testing.assert_allclose(ds["delta_tr"][:2], ds["delta_eq"][:2], rtol=1e-8)
    np.testing.assert_allclose(ds["lam"][:2], 0.0, atol=1e-8 * TC)
    assert ds["delta_tr"][2] == 0.0 and math.isnan(ds["lam"][2])
    assert bool(ds["stable"][0]) and bool(ds["stable"][1])


def test_deep_quench_saturates_at_the_zero_temperature_gap() -> None:
    """Delta_tr -> Delta0(U0) as n* -> 0 (larger Q*, lower T): eq. 10 becomes the T = 0 equation."""
    ds = trapping.trapped_state(MODEL, [1.0, 2.0, 4.0, 8.0], 0.25 * TC).isel(T=0)
    shortfall = MODEL.Delta0 - ds["delta_tr"].values
    assert np.all(shortfall > 0)
    assert np.all(np.diff(shortfall) < 0)
    assert np.all(np.diff(ds["n_star"].values) < 0)
    assert shortfall[-1] < 1e-4 * MODEL.Delta0


@settings(max_examples=15, deadline=None)
@given(st.floats(0.0, 6.0), st.floats(0.1, 3.0))
def test_trapped_gap_bounds_and_the_constraints_it_solves(Q_star: float, t: float) -> None:
    """Delta_eq <= Delta_tr <= Delta0(U0), n* <= n_eq; (Delta_tr, lam) solve eqs. 10 and 11."""
    T = t * TC
    ds = trapping.trapped_state(MODEL, Q_star, T).isel(Q_star=0, T=0)
    d, lam, n = float(ds["delta_tr"]), float(ds["lam"]), float(ds["n_star"])
    assert d <= MODEL.Delta0 * (1 + 1e-12)
    assert d >= float(ds["delta_eq"]) * (1 - 1e-8)
    assert n <= float(ds["n_eq"]) * (1 + 1e-10)
    assert float(ds["delta_star"]) >= d * (1 - 1e-10)
    if d > 0:
        assert bcs.gap_integral(d, T, MODEL.cutoff, lam) == pytest.approx(
            1 / MODEL.lam_eff, rel=1e-8
        )
        assert bcs.quasiparticle_density(d, T, MODEL.nu, MODEL.cutoff, lam) == pytest.approx(
            n, rel=1e-7
        )


@settings(max_examples=20, deadline=None)
@given(st.floats(0.2, 3.0), st.floats(-6.0, -1e-3))
def test_one_branch_when_quasiparticles_are_missing(t: float, log10_fraction: float) -> None:
    """n* below the equilibrium density (lam > 0, the trapping case): eqs. 10-11 have a single
    superconducting solution - along eq. 10 dlam/dDelta > 0 and eq. 11 falls with Delta and lam."""
    T = t * TC
    d_eq = bcs.gap(MODEL.U0, T, MODEL.nu)
    n_star = 10**log10_fraction * bcs.quasiparticle_density(d_eq, T, MODEL.nu)
    branches, lam = bcs.trapped_gap_branches(n_star, MODEL.U0, T, MODEL.nu)
    found = np.isfinite(branches)
    assert found.sum() == 1 if t < 0.99 else found.sum() <= 1  # above T_c the branch can end
    assert np.all(lam[found] > 0)


def test_trapped_gap_survives_above_Tc_and_the_map_has_units() -> None:
    ds = trapping.trapped_state(MODEL, [0.0, 3.0], [1.2 * TC, 2.0 * TC])
    assert ds["delta_tr"].sel(Q_star=0.0).max() == 0.0
    assert float(ds["delta_tr"].sel(Q_star=3.0).isel(T=0)) > 0.3 * MODEL.Delta0
    for var in {**ds.data_vars, **ds.coords}.values():
        assert {"units", "long_name"} <= set(var.attrs)
    assert ds["T_K"].values == pytest.approx(np.array([1.2, 2.0]) * MODEL.Tc_K)


def test_equilibrium_density_is_a_fixed_point_of_the_rate_equation() -> None:
    """Detailed balance through the whole chain: at n_eq the trapped gap has lam = 0 and G = R."""
    T = 0.8 * TC
    d_eq = bcs.gap(MODEL.U0, T, MODEL.nu)
    n_eq = bcs.quasiparticle_density(d_eq, T, MODEL.nu)
    d, lam, G, R = kinetics.net_rates(MODEL, SPECTRUM, T, n_eq)
    assert float(d) == pytest.approx(d_eq, rel=1e-8)
    assert abs(float(lam)) < 1e-7 * T
    assert float(G - R) == pytest.approx(0.0, abs=1e-6 * float(G))
    # fewer quasi-particles than in equilibrium: net generation; more: net recombination
    assert float(np.diff(kinetics.net_rates(MODEL, SPECTRUM, T, 0.5 * n_eq)[2:][::-1])[0]) > 0
    assert float(np.diff(kinetics.net_rates(MODEL, SPECTRUM, T, 1.5 * n_eq)[2:][::-1])[0]) < 0


@pytest.fixture(scope="module")
def relaxation_above_Tc() -> object:
    T = 1.8 * TC
    n_star = float(trapping.trapped_state(MODEL, 3.0, T)["n_star"].squeeze())
    return kinetics.relaxation(MODEL, SPECTRUM, T, n_star, num=120)


def test_ode_half_life_matches_the_quadrature(relaxation_above_Tc: object) -> None:
    """solve_ivp (re-solving the gap from n each step) vs the Chebyshev quadrature of dn/(G-R)."""
    ds = relaxation_above_Tc
    assert ds.attrs["half_life"] == pytest.approx(ds.attrs["half_life_quadrature"], rel=1e-4)
    d = ds["delta_tr"].values
    assert np.all(np.diff(d) < 0) and np.all(np.diff(ds["n"].values) > 0)
    t_half = ds.attrs["half_life"]
    assert np.interp(t_half, ds["t"], d) == pytest.approx(ds.attrs["delta_tr0"] / 2, rel=1e-3)


def test_half_life_scales_inversely_with_the_spectrum() -> None:
    """Rates are linear in alpha^2 F, the trapped states do not depend on it."""
    T = np.array([1.2, 1.8]) * TC
    n_star = trapping.trapped_state(MODEL, 3.0, T)["n_star"].values[0]
    base = kinetics.half_life(MODEL, SPECTRUM, T, n_star)["t_half"]
    weak = kinetics.half_life(
        MODEL, k3c60(MODEL.omega_meV, lam_bath=0.01, lam_hg1=0.005), T, n_star
    )
    np.testing.assert_allclose(weak["t_half"], 10 * base, rtol=1e-8)
    assert np.all(np.isfinite(base)) and np.all(base > 0)


def test_half_life_infinite_when_the_gap_relaxes_to_an_equilibrium_above_half() -> None:
    T = np.array([0.5, 0.8]) * TC
    n_star = trapping.trapped_state(MODEL, 3.0, T)["n_star"].values[0]
    out = kinetics.half_life(MODEL, SPECTRUM, T, n_star)
    assert np.all(np.isinf(out["t_half"]))
    n_normal = bcs.quasiparticle_density(0.0, 1.5 * TC, MODEL.nu)
    assert np.isnan(kinetics.half_life(MODEL, SPECTRUM, 1.5 * TC, 0.999 * n_normal)["t_half"])


def test_below_Tc_relaxation_ends_at_the_equilibrium_gap() -> None:
    T = 0.7 * TC
    n_star = float(trapping.trapped_state(MODEL, 3.0, T)["n_star"].squeeze())
    ds = kinetics.relaxation(MODEL, SPECTRUM, T, n_star, num=50)
    assert math.isinf(ds.attrs["half_life"])
    assert float(ds["delta_tr"][-1]) == pytest.approx(bcs.gap(MODEL.U0, T, MODEL.nu), rel=1e-3)


def test_lifetimes_table() -> None:
    T = np.array([0.5, 1.5, 4.0]) * TC
    ds = kinetics.lifetimes(MODEL, SPECTRUM, T, 3.0)
    assert math.isinf(ds["half_life"][0]) and math.isfinite(ds["half_life"][1])
    assert np.all(np.isnan(ds[["tau_g", "tau_s", "tau_r", "half_life"]].to_array()[:, 2]))
    # number-conserving scattering is fastest: the premise of the trapped steady state
    assert float(ds["tau_s"][0]) < float(ds["tau_g"][0])
    for var in {**ds.data_vars, **ds.coords}.values():
        assert {"units", "long_name"} <= set(var.attrs)


def _run(command: object, args: list[str]) -> None:
    import typer
    from typer.testing import CliRunner

    app = typer.Typer()
    app.command()(command)  # type: ignore[arg-type]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_trap_command_writes_the_protocol(tmp_path: Path) -> None:
    from photosc.cli import trap

    _run(trap.command, ["K3C60", "--T-K", "60,100", "--Q-star", "0,3", "--out", str(tmp_path)])
    ds = xr.open_dataset(tmp_path / "trapped_state.nc")
    assert float(ds["delta_tr"].sel(Q_star=0.0).max()) == 0.0  # both above T_c: nothing trapped
    assert float(ds["delta_tr"].sel(Q_star=3.0).min()) > 0.0
    assert {"fig4c_60K.png", "fig4c_100K.png", "trapped_gap_map.png"} <= set(
        p.name for p in tmp_path.iterdir()
    )


def test_lifetime_command_and_bad_spectrum(tmp_path: Path) -> None:
    from photosc.cli import lifetime

    _run(lifetime.command, ["K3C60", "--T-K", "30,80", "--relax-T-K", "80", "--out", str(tmp_path)])
    ds = xr.open_dataset(tmp_path / "lifetimes.nc")
    relax = xr.open_dataset(tmp_path / "relaxation_80K.nc")
    assert float(ds["half_life"].sel(T_K=80.0, method="nearest")) == pytest.approx(
        relax.attrs["half_life_ns"], rel=1e-3
    )
    with pytest.raises(ValueError, match="spectrum"):
        lifetime.load_spectrum("no-such.csv", MODEL.omega_meV, None)
    with pytest.raises(ValueError, match="unknown K3C60 spectrum parameter"):
        lifetime.load_spectrum("k3c60", MODEL.omega_meV, ["lam=0.1"])


def test_report_section(tmp_path: Path) -> None:
    from photosc.report import trapping as report

    s = report.section(MODEL, tmp_path)
    for name in [*s.figures, *s.data]:
        assert (tmp_path / name).is_file()
    assert s.summary["tau_g_over_tau0_bound_at_Tc"] == pytest.approx(64.849, abs=1e-3)
