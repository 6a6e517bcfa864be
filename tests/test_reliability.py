"""Regression tests for the reproducers of issue #15, one per class of defect."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest

import photosc.studies
from photosc import io, materials
from photosc.model import Model
from photosc.physics import bcs, dynamics, kramers, landscape, rates, spectra
from photosc.studies import drive, kinetics, thermodynamics, trapping
from photosc.studies import landscape as landscape_study
from photosc.studies import phase_diagram as pd
from photosc.units import temperature_from_K

K3C60 = materials.load("K3C60")
METASTABLE = materials.load("K3C60", Z_inv=3.8)


# --- wrong numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [rates.pair_generation_rate, rates.pair_recombination_rate])
def test_pair_rates_broadcast_nu_like_the_other_arguments(fn: Any) -> None:
    a2F = spectra.k3c60()
    nu = np.array([0.5, 1.0])
    together = fn(0.03, 0.05, a2F, nu, 0.02)
    assert together.shape == (2,)
    np.testing.assert_allclose(together, [fn(0.03, 0.05, a2F, v, 0.02) for v in nu], rtol=1e-14)
    # the rates are linear in nu (eqs. C3, C5 summed over states)
    assert together[1] == pytest.approx(2 * together[0], rel=1e-14)
    G, R = rates.pair_rates(0.03, 0.05, a2F, nu, 0.02)
    np.testing.assert_array_equal(G, rates.pair_generation_rate(0.03, 0.05, a2F, nu, 0.02))
    np.testing.assert_array_equal(R, rates.pair_recombination_rate(0.03, 0.05, a2F, nu, 0.02))


@pytest.mark.parametrize("gamma", [1e-3, 1.0, 1e8, 1e9, 1e200])
def test_kramers_transmission_has_no_cancellation(gamma: float) -> None:
    barrier, w0, wb, T = 0.01, 1.0, 1.0, 0.001
    mpmath.mp.dps = 60  # the reference: the printed form at 60 digits, no cancellation left
    g = mpmath.mpf(gamma)
    exact = (mpmath.sqrt(g**2 / 4 + wb**2) - g / 2) / wb * w0 / (2 * mpmath.pi)
    exact *= mpmath.exp(-barrier / T)
    k = kramers.kramers_rate_from_curvatures(barrier, w0, wb, T, gamma)
    assert k == pytest.approx(float(exact), rel=1e-13)  # a few roundings of double precision


# --- valid inputs refused or crashing --------------------------------------------------------


@pytest.mark.parametrize(
    ("nu", "U0", "name"),
    [(0.01, 0.01, "lam_eff"), (1e-3, 1.0, "lam_eff"), (1e200, 1e200, "nu")],  # nu U0 = inf
)
def test_model_refuses_couplings_whose_tc_does_not_exist(nu: float, U0: float, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Model(dE=2.0, g=1.0, nu=nu, U0=U0)


def test_model_repr_shows_the_material_and_physical_units() -> None:
    text = repr(materials.load("K3C60", Z_inv=3.8))
    assert "'K3C60'" in text and "meV" in text and "THz" in text and "T_c=42.71 K" in text


def test_materials_load_takes_Z_inv_and_the_toml_names() -> None:
    assert materials.load("K3C60", Z_inv=3.8) == materials.load("K3C60", Z=1 / 3.8)
    m = materials.load("K3C60", dE_meV=200.0, omega_THz=13.1)
    assert m.dE * m.omega_meV == pytest.approx(200.0, rel=1e-14)
    assert m.omega_meV == pytest.approx(materials.load("K3C60-Hg2").omega_meV, rel=1e-14)
    for bad in ({"dE": 2.0, "dE_meV": 200.0}, {"dE_meV": "200"}, {"colour": 1.0}):
        with pytest.raises(ValueError):
            materials.load("K3C60", **bad)
    with pytest.raises(ValueError, match="Z_inv"):
        materials.load("K3C60", Z_inv=0.5)


def test_every_preset_follows_the_schema() -> None:
    for name in materials.available():
        materials.validate(materials.read(name), name)
        assert materials.load(name).name == name


@pytest.mark.parametrize("T", [1e-300, 1e-200, 1e-141])
def test_temperatures_below_1e_140_are_zero_for_the_dynamics(T: float) -> None:
    assert dynamics.gap_onset(METASTABLE, T) == 0.0
    table = dynamics.ForceTable.from_model(METASTABLE, T)
    zero = dynamics.ForceTable.from_model(METASTABLE, 0.0)
    assert table(1.0) == pytest.approx(zero(1.0), rel=1e-12)


def test_drive_trajectories_with_few_trajectories_and_tiny_T() -> None:
    ds = drive.drive_trajectories(METASTABLE, 1e-148, n_traj=4, settle_ps=1.0)
    assert ds.sizes["trajectory"] == 4 and np.all(np.isfinite(ds["Q"]))


def test_lifetime_curve_at_tiny_T_is_infinite_not_a_crash() -> None:
    ds = drive.lifetime_curve(METASTABLE, np.array([1.6e-54, 1.27e-153]))
    assert np.all(np.isinf(ds["tau_esc"])) and np.all(ds["sites_for_10ns"] == 1.0)


def test_underflowed_n_star_traps_the_full_gap() -> None:
    m = materials.load("K3C60", Z=1 / 3.8)
    state = trapping.trapped_state(m, 4.4, 0.001)
    assert state["n_star"].item() == 0.0
    assert state["delta_tr"].item() == m.Delta0 and state["stable"].item()
    # continuity: a slightly warmer hold traps a non-zero n* and a gap just below Delta0(U0)
    warmer = trapping.trapped_state(m, 4.4, 0.004)
    assert 0 < warmer["n_star"].item() and warmer["delta_tr"].item() == pytest.approx(m.Delta0)


def test_trapped_gap_converges_at_weak_coupling_and_low_T() -> None:
    n = 4.0 * 10 ** np.linspace(-13, -9, 7)
    U, T = 0.004387759009501019, 2.381976396827337e-101
    start = time.perf_counter()
    delta, lam = bcs.trapped_gap(n, U, T, 1.0, 1.0)
    assert time.perf_counter() - start < 10  # it failed after 200 bisections per point
    d0 = float(bcs.gap(U, 0.0, 1.0))
    # n* >= 4e-13 is ~1e86 times the density 4 nu Delta0 a gap of 2e-99 can hold: no gap
    assert 4 * d0 < n.min()
    np.testing.assert_array_equal(delta, 0.0)
    assert np.all(np.isnan(lam))


def test_escape_rate_refuses_no_time_at_risk_and_names_shapes() -> None:
    with pytest.raises(ValueError, match="escape_time"):
        dynamics.escape_rate(0.0, 1.0)
    with pytest.raises(ValueError, match=r"escape_time.*observed_time"):
        dynamics.escape_rate(np.ones(3), np.ones(2))
    assert dynamics.escape_rate(np.array([1.0, np.nan]), 3.0)[0] == pytest.approx(0.25)


@pytest.mark.parametrize("Tc", [1e-300, 1e-200, 1e-160, 1e-3])
def test_coupling_for_tiny_critical_temperatures(Tc: float) -> None:
    lam = bcs.coupling_for_critical_temperature(Tc)
    # weak coupling: 1/lam = ln(2 e^gamma cutoff / (pi Tc)) up to e^(-cutoff/Tc) corrections
    assert 1 / lam == pytest.approx(math.log(2 * math.exp(np.euler_gamma) / (math.pi * Tc)), 1e-13)


def test_coupling_is_continuous_where_the_closed_form_takes_over() -> None:
    below, above = bcs.coupling_for_critical_temperature(np.array([1 / 80.0001, 1 / 79.9999]))
    assert below == pytest.approx(above, rel=1e-5)  # the true change over 2.5e-6 in Tc


def test_landscape_kernels_refuse_weak_coupling_like_bcs() -> None:
    with pytest.raises(ValueError, match=r"nu\*U0"):
        landscape.critical_points_kernel(8.17, 1.0, 1e-4, 10.0)
    with pytest.raises(ValueError, match="U"):
        bcs.gap(10.0, 0.0, 1e-4)


def test_tau0_refuses_a_missing_spectrum() -> None:
    with pytest.raises(ValueError, match="spectrum"):
        rates.tau0(0.1, None)  # type: ignore[arg-type]


# --- studies ---------------------------------------------------------------------------------

T_CASES = [
    lambda m, T: landscape_study.landscape_curves(m, T),
    lambda m, T: landscape_study.free_energy_surface(m, [0.0, 1.0], [0.0, 0.05], T),
    lambda m, T: thermodynamics.gap_curve(m, T),
    lambda m, T: thermodynamics.free_energy_curves(m, T, [0.0, 0.05]),
    lambda m, T: thermodynamics.trapped_gap_curve(m, T, [1e-4]),
    lambda m, T: trapping.trapped_state(m, 3.0, T),
    lambda m, T: kinetics.net_rates(m, spectra.k3c60(), T, 1e-4),
    lambda m, T: kinetics.half_life(m, spectra.k3c60(), T, 1e-4),
]


@pytest.mark.parametrize("study", T_CASES)
def test_studies_refuse_kelvin_passed_as_hbar_omega(study: Any) -> None:
    with pytest.raises(ValueError, match="temperature_from_K"):
        study(K3C60, 100.0)


@pytest.mark.parametrize(
    "study",
    [
        *T_CASES,
        lambda m, T: drive.lifetime_curve(m, [50.0]),
        lambda m, T: drive.drive_trajectories(m, 50.0),
        lambda m, T: pd.mott_path(m, [1.0, 2.0]),
        lambda m, T: pd.mott_onsets(m),
    ],
)
def test_studies_refuse_what_is_not_a_model(study: Any) -> None:
    with pytest.raises(ValueError, match="model"):
        study({"dE": 2.0}, 0.01)


def test_studies_refuse_empty_grids() -> None:
    for call in (
        lambda: landscape_study.landscape_curves(K3C60, []),
        lambda: thermodynamics.gap_curve(K3C60, np.array([])),
        lambda: trapping.trapped_state(K3C60, [], 0.01),
        lambda: drive.lifetime_curve(K3C60, []),
        lambda: pd.phase_diagram([], [1.0]),
    ):
        with pytest.raises(ValueError, match="non-empty"):
            call()


def test_phase_diagram_is_callable_as_named() -> None:
    ds = photosc.studies.phase_diagram([1.0, 2.0], [0.5])
    assert ds["kind"].shape == (2, 1)
    assert photosc.studies.phase_diagram.mott_onsets is pd.mott_onsets


def test_kelvin_studies_take_T_K() -> None:
    ds = trapping.trapped_state(METASTABLE, 3.0, temperature_from_K(50.0, METASTABLE.omega_meV))
    assert ds["T_K"].item() == pytest.approx(50.0)


# --- files -----------------------------------------------------------------------------------


def test_writes_honour_the_umask_and_clean_stale_temporaries(tmp_path: Path) -> None:
    stale = tmp_path / ".summary.json.abcd1234.tmp"
    stale.write_text("killed")
    os.utime(stale, (time.time() - 2 * io.STALE_AFTER_S,) * 2)
    fresh = tmp_path / ".other.nc.efgh5678.tmp"  # a write still under way elsewhere
    fresh.write_text("running")
    old = os.umask(0o022)
    try:
        path = io.save_json({"x": 1.0}, tmp_path / "summary.json")
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == 0o644
    assert not stale.exists() and fresh.exists()


def test_save_json_writes_null_for_nan_and_inf(tmp_path: Path) -> None:
    data = {"a": math.nan, "b": [math.inf, 1.0], "c": np.float64(-np.inf), "d": np.array([1.5])}
    text = io.save_json(data, tmp_path / "s.json").read_text()
    assert json.loads(text) == {"a": None, "b": [None, 1.0], "c": None, "d": [1.5]}
    assert "NaN" not in text and "Infinity" not in text


def test_png_is_written_atomically(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from photosc.plotting import save

    fig, ax = plt.subplots()
    ax.plot([0, 1])
    save(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]
