"""Physics of the BCS core: analytic limits, mpmath re-derivations, properties, contracts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize

from photosc.physics import bcs
from tests import reference as ref

WEAK_TC = 2 * math.exp(np.euler_gamma) / math.pi  # 1.1339: T_c / (omega e^{-1/lam})
WEAK_RATIO = 2 * math.pi / math.exp(np.euler_gamma)  # 3.5276: 2 Delta0 / T_c


# --- analytic limits -----------------------------------------------------------------------


@pytest.mark.parametrize("lam_eff", [0.05, 0.3, 1.0, 2.0])
def test_zero_temperature_gap_is_omega_over_sinh(lam_eff: float) -> None:
    assert bcs.gap(lam_eff / 0.7, 0.0, 0.7) == pytest.approx(1 / math.sinh(1 / lam_eff), rel=1e-14)


def test_weak_coupling_tc_and_gap_ratio() -> None:
    lam = np.array([0.1, 0.5, 1.0, 2.0])
    Tc = bcs.critical_temperature(lam, 1.0)
    ratio_tc = Tc / np.exp(-1 / lam)
    ratio_gap = 2 * bcs.gap(lam, 0.0, 1.0) / Tc
    # corrections are O(T_c e^{-1/T_c}) for T_c, O(Delta0^2) for the gap: invisible at lam = 0.1
    assert ratio_tc[0] == pytest.approx(WEAK_TC, rel=1e-12)
    assert ratio_gap[0] == pytest.approx(WEAK_RATIO, rel=1e-8)
    # with the cutoff at omega, stronger coupling raises both ratios above their BCS limits
    assert np.all(np.diff(ratio_tc) > 0) and np.all(np.diff(ratio_gap) > 0)
    assert ratio_gap[1] == pytest.approx(3.592, abs=1e-3)  # lam = 0.5


def test_condensation_energy_at_zero_temperature() -> None:
    lam, nu = np.array([0.1, 0.3, 1.0, 2.0]), 0.6
    U = lam / nu
    F = bcs.free_energy(bcs.gap(U, 0.0, nu), U, 0.0, nu)
    np.testing.assert_allclose(F, -nu * 2 / np.expm1(2 / lam), rtol=1e-13)  # coth(x) - 1


def test_gap_near_tc_follows_ginzburg_landau() -> None:
    lam = 0.15
    Tc = bcs.critical_temperature(lam, 1.0)
    eps = np.array([1e-3, 1e-4])
    ratio = bcs.gap(lam, Tc * (1 - eps), 1.0) / (Tc * np.sqrt(eps))
    # Delta = sqrt(8 pi^2 / 7 zeta(3)) T_c sqrt(1 - T/T_c) (1 + O(eps)) = 3.0633 ...
    assert ratio == pytest.approx(math.sqrt(8 * math.pi**2 / (7 * 1.2020569031595942)), rel=1e-3)


def test_free_energy_slope_is_the_gap_equation() -> None:
    # dF/dDelta = 2 Delta (1/U - nu I(Delta)): F and I are computed by different routes
    U, nu, T = 0.5, 0.6, 0.03
    d = np.array([1e-3, 0.02, 0.05, 0.07, 0.1])
    h = 1e-4 * d
    slope = (bcs.free_energy(d + h, U, T, nu) - bcs.free_energy(d - h, U, T, nu)) / (2 * h)
    expected = 2 * d * (1 / U - nu * bcs.gap_integral(d, T))
    np.testing.assert_allclose(slope, expected, rtol=1e-6, atol=1e-9 * 2 * d.max() / U)
    gap = bcs.gap(U, T, nu)
    assert bcs.free_energy(gap, U, T, nu) < min(bcs.free_energy(gap * (1 + s), U, T, nu)
                                                for s in (-1e-3, 1e-3))  # fmt: skip


# --- agreement with independent mpmath re-derivations (the accuracy claim: 1e-9) ------------

CASES = [(0.05, 0.0), (0.05, 0.7), (0.3, 0.2), (0.3, 0.95), (1.0, 0.5), (2.0, 0.01), (2.0, 0.99)]


@pytest.mark.parametrize(("lam_eff", "t"), CASES)
def test_gap_matches_mpmath(lam_eff: float, t: float) -> None:
    Tc = ref.critical_temperature(lam_eff)
    assert bcs.gap(lam_eff, t * Tc, 1.0) == pytest.approx(ref.gap(lam_eff, t * Tc), rel=1e-9)


@pytest.mark.parametrize("lam_eff", [0.05, 0.3, 1.0, 2.0])
def test_tc_matches_mpmath(lam_eff: float) -> None:
    assert bcs.critical_temperature(lam_eff, 1.0) == pytest.approx(
        ref.critical_temperature(lam_eff), rel=1e-12
    )
    assert bcs.coupling_for_critical_temperature(ref.critical_temperature(lam_eff)) == (
        pytest.approx(lam_eff, rel=1e-12)
    )


@pytest.mark.parametrize(
    ("delta", "T", "lam"),
    [(0.01, 0.005, 0.0), (0.01, 0.005, 0.25), (0.01, 0.005, -0.25), (1e-6, 0.01, 0.5),
     (1e-6, 0.01, -0.5), (0.2, 0.1, -5.0), (0.3, 0.05, 2.5), (0.05, 0.02, -1.0), (0.1, 0.0, -0.5)],
)  # fmt: skip
def test_gap_integral_and_density_match_mpmath(delta: float, T: float, lam: float) -> None:
    assert bcs.gap_integral(delta, T, 1.0, lam) == pytest.approx(
        float(ref.gap_integral(delta, T, lam)), rel=1e-11, abs=1e-13
    )
    if T > 0:
        assert bcs.quasiparticle_density(delta, T, 0.6, 1.0, lam) == pytest.approx(
            ref.density(delta, T, 0.6, lam), rel=1e-10
        )


@pytest.mark.parametrize(
    ("delta", "U", "T"),
    [(0.07, 0.5, 0.0), (0.05, 0.5, 0.02), (1e-3, 0.5, 0.04), (0.4, 3.0, 0.3), (0.7, 3.0, 2e-4)],
)
def test_free_energy_matches_eq7_as_printed(delta: float, U: float, T: float) -> None:
    assert bcs.free_energy(delta, U, T, 0.6) == pytest.approx(
        ref.free_energy(delta, U, T, 0.6), rel=1e-9
    )


def test_gap_slope_matches_finite_difference() -> None:
    d, T = np.array([1e-4, 0.01, 0.1, 0.3]), 0.05
    for lam in (0.0, 0.3, -0.2):
        h = 1e-4 * d
        fd = (bcs.gap_integral(d + h, T, 1.0, lam) - bcs.gap_integral(d - h, T, 1.0, lam)) / (2 * h)
        np.testing.assert_allclose(bcs.gap_integral_ddelta(d, T, 1.0, lam), fd, rtol=1e-5)


# --- quasi-particle trapping --------------------------------------------------------------


def test_trapped_gap_solves_eqs_10_and_11() -> None:
    U, nu = 0.5, 0.6
    T = 1.5 * bcs.critical_temperature(U, nu)
    n_star = np.geomspace(1e-9, 5e-2, 25)
    d, lam = bcs.trapped_gap(n_star, U, T, nu)
    sc = d > 0
    assert sc[:-1].all()
    for i in np.flatnonzero(sc)[::6]:
        assert float(ref.gap_integral(d[i], T, lam[i])) * nu * U == pytest.approx(1, rel=1e-11)
        assert ref.density(d[i], T, nu, lam[i]) == pytest.approx(n_star[i], rel=1e-10)


def test_trapped_gap_saturates_at_zero_temperature_gap() -> None:
    U, nu = 0.5, 0.6
    d0 = bcs.gap(U, 0.0, nu)
    for T in (0.5, 2.0, 4.0):
        T = T * bcs.critical_temperature(U, nu)
        d, lam = bcs.trapped_gap(np.array([1e-6, 1e-9, 1e-12]), U, T, nu)
        assert np.all(d <= d0) and np.all(np.diff(d) > 0)
        assert d[-1] == pytest.approx(d0, rel=1e-9)
        assert np.all(lam > 0)  # far fewer quasi-particles than thermal


def test_trapped_gap_above_thermal_density_has_negative_lam_and_two_branches() -> None:
    U, nu = 0.5, 0.6
    T = 0.5 * bcs.critical_temperature(U, nu)
    d_eq = bcs.gap(U, T, nu)
    n_eq = bcs.quasiparticle_density(d_eq, T, nu)
    d, lam = bcs.trapped_gap(n_eq, U, T, nu)
    assert d == pytest.approx(d_eq, rel=1e-9) and abs(lam) < 1e-9 * T
    n_star = 1.25 * bcs.quasiparticle_density(0.0, T, nu)
    branches, lams = bcs.trapped_gap_branches(n_star, U, T, nu)
    assert np.sum(~np.isnan(branches)) == 2 and np.all(lams < 0)
    d, lam = bcs.trapped_gap(n_star, U, T, nu)
    F = bcs.trapped_free_energy(branches, lams, n_star, U, T, nu)
    assert d == branches[np.argmin(F)]


def test_normal_state_limit_of_trapped_free_energy() -> None:
    U, nu, T, n_star = 0.5, 0.6, 0.05, 0.02
    lam_n = float(bcs._normal_lam(np.array(n_star), np.array(T), np.array(nu), np.array(1.0)))
    assert bcs.quasiparticle_density(0.0, T, nu, 1.0, lam_n) == pytest.approx(n_star, rel=1e-13)
    assert abs(bcs.trapped_free_energy(1e-7, lam_n, n_star, U, T, nu)) < 1e-12


# --- properties (hypothesis) ----------------------------------------------------------------

couplings = st.floats(0.08, 2.0)
fractions = st.floats(0.0, 3.0)


@given(couplings, fractions, st.floats(0.01, 0.5))
def test_gap_decreases_with_temperature_and_is_bounded(lam: float, t: float, dt: float) -> None:
    Tc = bcs.critical_temperature(lam, 1.0)
    d1, d2 = bcs.gap(lam, t * Tc, 1.0), bcs.gap(lam, (t + dt) * Tc, 1.0)
    assert 0 <= d2 <= d1 * (1 + 1e-14) and d1 <= bcs.gap(lam, 0.0, 1.0)  # up to rounding
    assert (d1 > 0) == (t < 1)


@given(couplings, st.floats(1.01, 2.0), st.floats(0.0, 1.0))
def test_gap_grows_with_attraction(lam: float, factor: float, t: float) -> None:
    T = t * bcs.critical_temperature(lam, 1.0)
    assert bcs.gap(lam * factor, T, 1.0) >= bcs.gap(lam, T, 1.0)


@given(st.floats(1e-4, 0.5), st.floats(0.005, 1.0), st.floats(-20, 20), st.floats(0.01, 3.0))
def test_density_is_nonnegative_and_decreases_with_lam(
    d: float, T: float, x: float, dx: float
) -> None:
    n1 = bcs.quasiparticle_density(d, T, 0.6, 1.0, x * T)
    n2 = bcs.quasiparticle_density(d, T, 0.6, 1.0, (x + dx) * T)
    assert 0 <= n2 < n1 <= 4 * 0.6


@given(st.floats(0.1, 1.5), st.floats(0.2, 4.0), st.floats(-12, -0.5))
def test_trapped_gap_is_bounded_by_zero_temperature_gap(lam: float, t: float, log_n: float) -> None:
    T = t * bcs.critical_temperature(lam, 1.0)
    d, _ = bcs.trapped_gap(10**log_n * 0.1, lam, T, 1.0)
    assert 0 <= d <= bcs.gap(lam, 0.0, 1.0) * (1 + 1e-12)


# --- contracts ------------------------------------------------------------------------------


def test_scalar_in_float_out_and_broadcasting() -> None:
    assert isinstance(bcs.gap(0.5, 0.02, 0.6), float)
    assert isinstance(bcs.critical_temperature(0.5, 0.6), float)
    assert isinstance(bcs.free_energy(0.05, 0.5, 0.02, 0.6), float)
    assert isinstance(bcs.quasiparticle_density(0.05, 0.02, 0.6), float)
    d, lam = bcs.trapped_gap(1e-4, 0.5, 0.05, 0.6)
    assert isinstance(d, float) and isinstance(lam, float)
    U, T = np.array([0.4, 0.5, 0.6])[:, None], np.linspace(0, 0.05, 4)
    grid = bcs.gap(U, T, 0.6)
    assert grid.shape == (3, 4)
    assert grid[1, 2] == bcs.gap(0.5, T[2], 0.6)
    assert bcs.trapped_gap(np.full((2, 3), 1e-4), 0.5, 0.05, 0.6)[0].shape == (2, 3)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: bcs.gap(0.5, 0.01, -0.6), "nu"),
        (lambda: bcs.gap(0.5, -0.01, 0.6), "T"),
        (lambda: bcs.gap(0.0, 0.01, 0.6), "U"),
        (lambda: bcs.gap(float("nan"), 0.01, 0.6), "U"),
        (lambda: bcs.gap(0.5, 0.01, 0.6, cutoff=0.0), "cutoff"),
        (lambda: bcs.critical_temperature(0.5, 0.6, cutoff=-1.0), "cutoff"),
        (lambda: bcs.free_energy(-0.1, 0.5, 0.01, 0.6), "delta"),
        (lambda: bcs.quasiparticle_density(0.1, 0.01, 0.6, lam=float("nan")), "lam"),
        (lambda: bcs.trapped_gap(-1e-3, 0.5, 0.05, 0.6), "n_star"),
        (lambda: bcs.trapped_gap(1e-3, 0.5, 0.0, 0.6), "T"),
        (lambda: bcs.trapped_gap(5.0, 0.5, 0.05, 0.6), "n_star"),
        (lambda: bcs.gap(1e-4, 0.0, 1.5), "U\\*nu"),  # Delta0 ~ e^-6667 is not representable
        (lambda: bcs.critical_temperature(1e-3, 1.5), "U\\*nu"),
    ],
)
def test_bad_input_names_the_parameter(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=name):
        call()


def test_tabulated_fast_path_matches_bracketed_solver() -> None:
    # gap() starts from tables + one Newton step; the bracketed solver is independent of them
    rng = np.random.default_rng(7)
    lam = rng.uniform(0.04, 2.5, 20000)
    one = np.ones_like(lam)
    T = rng.uniform(0, 1.3, lam.size) * bcs.critical_temperature(lam, one)
    fast = bcs.gap(lam, T, one)
    slow = bcs._in_blocks(bcs._thermal_gap, lam, T, one)
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=0)


def test_temperatures_below_1e_140_are_zero() -> None:
    assert bcs.gap(0.5, 1e-200, 0.6) == bcs.gap(0.5, 0.0, 0.6)
    assert bcs.free_energy(0.0, 0.5, 1e-200, 0.6) == 0.0
    assert bcs.quasiparticle_density(0.05, 1e-200, 0.6) == 0.0


def test_solver_refuses_a_non_finite_residual() -> None:
    from photosc.physics._solve import newton_bracketed

    def nan_residual(x: np.ndarray, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.full(x.shape, np.nan), np.ones(x.shape)

    with pytest.raises(RuntimeError, match="not finite"):
        newton_bracketed(nan_residual, np.zeros(2), np.ones(2), np.full(2, 0.5), what="test")


def test_solver_keeps_a_root_reached_from_one_side() -> None:
    """Newton from the left on a convex decreasing h never sees h < 0: at the root its step
    rounds onto the bracket's end x itself became, and x is returned, not bisected away."""
    from photosc.physics._solve import newton_bracketed

    c = np.array([0.32, 0.46, 0.5])
    calls = []

    def f(x: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.exp(-x) - c[k] + 1e-3 * np.sin(x)

    def h(x: np.ndarray, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(x.size)
        return f(x, i), -np.exp(-x) + 1e-3 * np.cos(x)

    root = newton_bracketed(h, np.zeros(3), np.full(3, 5.0), np.full(3, 0.1), rtol=1e-12)
    for k in range(3):
        exact = optimize.brentq(lambda x, k=k: float(f(np.array(x), np.array(k))), 0, 5, xtol=1e-15)
        assert root[k] == pytest.approx(exact, rel=1e-12)
    assert len(calls) <= 10  # bisecting on from the root took 36
