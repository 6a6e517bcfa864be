"""The adiabaticity study (studies.adiabaticity): release paths, the adiabatic and non-adiabatic
limits of the release, the map kernel under xarray/dask, n_loss, and the command."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from photosc import materials
from photosc.cli import main
from photosc.physics import bcs, tdbcs
from photosc.studies import adiabaticity
from photosc.units import temperature_from_K, time_from_ps, time_to_ps

MODEL = materials.load("K3C60")


def test_ringing_release_is_the_free_damped_oscillator_from_rest() -> None:
    """Q'' + (2/tau) Q' + Q = 0 (gamma = 2/tau, omega = 1), Q(0) = Q*, Q'(0) = 0; central
    differences with step 1e-3 are accurate to ~1e-6 here."""
    tau, h = 50.0, 1e-3
    t = np.linspace(0.5, 30.0, 60)
    q = lambda s: adiabaticity.release_path(s, 2.0, tau)  # noqa: E731
    acc = (q(t + h) - 2 * q(t) + q(t - h)) / h**2
    vel = (q(t + h) - q(t - h)) / (2 * h)
    np.testing.assert_allclose(acc + 2 / tau * vel + q(t), 0.0, atol=1e-5)
    assert float(q(0.0)) == 2.0
    assert abs(float((q(h) - q(0.0)) / h)) < 2e-3  # at rest: Q' = O(h)
    mono = adiabaticity.release_path(t, 2.0, tau, "monotonic")
    np.testing.assert_allclose(mono, 2.0 * np.exp(-t / tau), rtol=1e-14)
    with pytest.raises(ValueError, match="protocol"):
        adiabaticity.release_path(t, 2.0, tau, "sudden")


def test_monotonic_release_is_adiabatic_and_ends_at_the_collisionless_adiabatic_gap() -> None:
    """Q* e^(-t/tau) at 100 K: n_exc ~ tau^-2 (ratio 4 +- 25% from 1 to 2 ps), negligible against
    n*, and the final gap is the adiabatic collisionless one (frozen pseudospin lengths), to 1%
    (U - U0 ~ e^-8 (U* - U0) is left at the end), not the thermalised trapped gap."""
    one, two = (adiabaticity.release(MODEL, 3.0, 100.0, tau, "monotonic") for tau in (1.0, 2.0))
    a = two.attrs
    assert one.attrs["n_exc_final"] / a["n_exc_final"] == pytest.approx(4.0, rel=0.25)
    assert a["n_exc_final"] < 1e-4 * a["n_star"]
    assert a["delta_final_meV"] == pytest.approx(a["adiabatic_gap_meV"], rel=1e-2)
    assert abs(a["delta_final_meV"] / a["delta_tr_meV"] - 1) > 0.2


def test_ringing_release_creates_quasi_particles_within_the_first_oscillation() -> None:
    """Released from rest, Q swings through 0 within a quarter period (~11 fs): U falls faster
    than hbar/Delta* and a sizeable part of n_exc is there after one period (45 fs). n_exc is
    orders of magnitude above the monotonic release's and, at T = 0, a large part of the n*
    that destroys the trapped gap."""
    ring = adiabaticity.release(MODEL, 3.0, 0.0, 1.0, "ringing")
    mono = adiabaticity.release(MODEL, 3.0, 0.0, 1.0, "monotonic")
    n_final = ring.attrs["n_exc_final"]
    period_ps = float(time_to_ps(2 * math.pi, MODEL.omega_meV))  # 45 fs
    first = float(ring["n_exc"].values[np.searchsorted(ring["t"].values, period_ps)])
    assert first > 0.3 * n_final
    assert n_final > 1e3 * mono.attrs["n_exc_final"]
    assert n_final > 0.3 * ring.attrs["n_loss"]


def test_switching_the_force_off_slowly_makes_the_release_adiabatic() -> None:
    """t_off -> 0 is the free ringing from rest; a switch-off over 2 ps (~45 Raman periods,
    ~40 hbar/Delta*) lets Q follow the force and leaves 100x fewer quasi-particles (T = 0,
    0.3 ps ring-down to keep it cheap)."""
    tau = float(time_from_ps(0.3, MODEL.omega_meV))
    t = np.linspace(0.0, 40.0, 41)
    fast = adiabaticity.switch_off_path(1e-3, 3.0, tau)
    np.testing.assert_allclose(fast(t), adiabaticity.release_path(t, 3.0, tau), atol=2e-3)
    scan = adiabaticity.switch_off_scan(MODEL, 3.0, 0.0, 0.3, [1.0, 2000.0])
    n_fast, n_slow = scan["n_exc"].values
    assert n_slow < 1e-2 * n_fast
    assert scan["ringing"].values[1] < 1e-2 * 3.0


def test_loss_density_brackets_the_end_of_the_trapped_branch() -> None:
    n_loss = adiabaticity.loss_density(MODEL, 100.0)
    T = float(temperature_from_K(100.0, MODEL.omega_meV))
    gap = lambda n: float(bcs.trapped_gap(n, MODEL.U0, T, MODEL.nu)[0])  # noqa: E731
    assert gap(n_loss * (1 - 1e-3)) > 0
    assert gap(n_loss * (1 + 1e-3)) == 0.0


def test_map_kernel_lifts_with_dask_and_matches_direct_calls() -> None:
    """Short ring-downs (0.2, 0.4 ps) keep it cheap; the lazy map equals release_point."""
    ds = adiabaticity.adiabaticity_map(MODEL, [0.2, 0.4], [3.0], [0.0, 100.0], chunks=1)
    assert ds["n_exc"].chunks is not None
    ds = ds.compute()
    direct = adiabaticity.release_point(0.4, 3.0, 100.0, MODEL)
    assert float(ds["n_exc"].sel(ringdown=0.4, Q_star=3.0, T_K=100.0)) == direct[0]
    assert float(ds["delta_end"].sel(ringdown=0.4, Q_star=3.0, T_K=100.0)) == direct[1]
    ratio = ds["n_exc"] / ds["margin"]
    xr.testing.assert_allclose(ds["loss_fraction"], ratio)
    for name in ds.variables:
        assert {"units", "long_name"} <= set(ds[name].attrs)


def test_adiabatic_gap_is_reached_by_a_slow_ramp_at_finite_temperature() -> None:
    """cos^2 ramp U: 1.4 U0 -> U0 over 2000/omega at T = 0.08: the collisionless gap ends at
    tdbcs.adiabatic_gap (frozen lengths tanh(E_initial/2T)) to 1e-3 (the ramp leaves a Higgs
    ringing ~ tau^-2, 1.2e-4 here), which lies above the
    thermal gap bcs.gap(U0, T): without collisions the ramp cools the levels it rotates."""
    U0, nu, T = MODEL.U0, MODEL.nu, 0.08
    ds = tdbcs.simulate(tdbcs.ramp(1.4 * U0, U0, 2000.0, "cos2"), [2000.0], nu, T=T)
    target = tdbcs.adiabatic_gap(1.4 * U0, U0, T, nu)
    assert float(ds["Delta"][0]) == pytest.approx(target, rel=1e-3)
    assert target > 1.05 * float(bcs.gap(U0, T, nu))


def test_command_writes_releases_and_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "adi"
    main(
        ["adiabaticity", "K3C60", "--T-K", "100", "--ringdown-ps", "0.5", "--no-map",
         "--no-driven", "--switch-off-fs", "", "--out", str(out)]
    )  # fmt: skip
    for name in ("release_ringing_100K.nc", "release_monotonic_100K.png", "excitations_100K.png"):
        assert (out / name).exists()
    assert "n_exc ringing" in capsys.readouterr().out
    for argv, message in (
        (["--ringdown-ps", "-1"], "ringdown-ps"),
        (["--T-K", "-5"], "T-K"),
        (["--map-ringdown-ps", "0"], "map-ringdown-ps"),
        (["--path-Z-inv", "0.5"], "path-Z-inv"),
        (["--switch-off-fs", "-3"], "switch-off-fs"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(["adiabaticity", "K3C60", *argv, "--out", str(tmp_path / "bad")])
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err
        assert not (tmp_path / "bad").exists()


@pytest.mark.slow
def test_driven_trajectory_starts_adiabatic_and_is_then_heated() -> None:
    """K3C60 at 1/Z = 3.6, 100 K (metastable): the electrons start on the adiabatic gap
    Delta(Q(t_s), T); Q then oscillates at omega around Q_MS with 2 Delta ~ omega (resonant pair
    breaking by the omega component of U(Q(t))), so n_exc grows far beyond the thermal n*."""
    ds = adiabaticity.driven(MODEL.renormalized(1 / 3.6), 100.0, settle_ps=1.0)
    assert float(ds["Delta"][0]) == pytest.approx(float(ds["Delta_adiabatic"][0]), rel=1e-6)
    assert ds.attrs["n_exc_final"] > 10 * ds.attrs["n_star"]
    assert float(ds["Delta"][-500:].mean()) < 0.8 * float(ds["Delta_adiabatic"][-500:].mean())
    for name in ds.variables:
        assert {"units", "long_name"} <= set(ds[name].attrs)
