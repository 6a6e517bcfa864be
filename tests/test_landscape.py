"""Physics checks of the adiabatic landscape F(Q, T), its critical points, T_B and the
first-order temperature, against closed forms and a plain scipy re-derivation (quad + brentq
on the gap equation, the landscape parametrised by Q, not by Delta as in the code)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, optimize

from photosc import materials
from photosc.model import Model
from photosc.physics import bcs, landscape
from photosc.physics.pairing import attraction, attraction_slope


def k3c60(Z_inv: float) -> Model:
    return materials.load("K3C60", Z=1.0 / Z_inv)


# --- plain scipy reference ---------------------------------------------------------------------


def ref_gap(U: float, T: float, nu: float, c: float = 1.0) -> float:
    """Gap from brentq on the gap equation with the integral done by quad."""
    target = 1.0 / (nu * U)
    d0 = c / math.sinh(target)
    if T == 0:
        return d0

    def integral(d: float) -> float:
        f = lambda xi: math.tanh(math.hypot(xi, d) / (2 * T)) / math.hypot(xi, d)  # noqa: E731
        return integrate.quad(f, 0, c, epsabs=1e-14, epsrel=1e-13, limit=200)[0]

    if integral(0.0) <= target:
        return 0.0
    if integral(d0) >= target:  # T << Delta0: no difference from T = 0 within rounding
        return d0
    return optimize.brentq(lambda d: integral(d) - target, 0.0, d0, xtol=1e-16, rtol=1e-15)


def ref_bcs_free_energy(d: float, U: float, T: float, nu: float, c: float = 1.0) -> float:
    """Eq. 7 at Delta minus eq. 7 at Delta = 0, term by term with quad."""

    def integrand(xi: float) -> float:
        E = math.hypot(xi, d)
        thermal = 0.0
        if T > 0:
            thermal = 2 * T * (np.logaddexp(0, -E / T) - np.logaddexp(0, -xi / T))
        return (E - xi) + thermal

    return d**2 / U - 2 * nu * integrate.quad(integrand, 0, c, epsabs=1e-15, limit=200)[0]


def ref_force(Q: float, T: float, m: Model) -> float:
    U = attraction(Q, m.dE, m.g, m.U0)
    d = ref_gap(U, T, m.nu, m.cutoff)
    return -Q + d**2 / U**2 * attraction_slope(Q, m.dE, m.g)


def ref_free_energy(Q: float, T: float, m: Model) -> float:
    U = attraction(Q, m.dE, m.g, m.U0)
    c = m.cutoff
    return 0.5 * Q**2 + ref_bcs_free_energy(ref_gap(U, T, m.nu, c), U, T, m.nu, c)


def ref_pull_max(T: float, m: Model) -> tuple[float, float]:
    """max over Q of (superconducting pull)/(elastic force), and where: the best of a coarse
    grid, refined by bounded Brent between its neighbours."""
    ratio = lambda Q: (ref_force(Q, T, m) + Q) / Q  # noqa: E731
    grid = np.linspace(0.01, 3.0, 61)
    k = int(np.argmax([ratio(q) for q in grid]))
    bounds = (grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)])
    res = optimize.minimize_scalar(
        lambda Q: -ratio(Q), bounds=bounds, method="bounded", options={"xatol": 1e-10}
    )
    return -res.fun, res.x


@cache
def ref_untrapping(m: Model) -> float:
    T_hot = bcs.critical_temperature(m.U0 + m.g**2, m.nu, m.cutoff)
    return optimize.brentq(lambda T: ref_pull_max(T, m)[0] - 1.0, 1e-4, T_hot, xtol=1e-12)


#: A model with the BCS cutoff at half the phonon energy (type I, Q_B > 0).
HALF_CUTOFF = Model.from_lam_eff(0.3, dE=0.7, g=0.6, nu=3.0, cutoff=0.5)


# --- the landscape ------------------------------------------------------------------------------


@pytest.mark.parametrize("Z_inv", [1.0, 3.4, 5.0])
def test_zero_temperature_closed_form(Z_inv: float) -> None:
    m = k3c60(Z_inv)
    Q = np.linspace(0.0, 2.0, 41)
    U = attraction(Q, m.dE, m.g, m.U0)
    closed = 0.5 * Q**2 - m.nu * (1.0 / np.tanh(1.0 / (m.nu * U)) - 1.0)
    np.testing.assert_allclose(landscape.free_energy(Q, 0.0, m), closed, rtol=1e-12, atol=1e-15)


def test_zero_temperature_closed_form_with_cutoff() -> None:
    """Cutoff c: F = Q^2/2 - nu c (sqrt(c^2 + Delta0^2) - c), Delta0 = c / sinh(1/(nu U))."""
    m, c = HALF_CUTOFF, HALF_CUTOFF.cutoff
    Q = np.linspace(0.0, 1.0, 21)
    d0 = c / np.sinh(1.0 / (m.nu * attraction(Q, m.dE, m.g, m.U0)))
    closed = 0.5 * Q**2 - m.nu * c * (np.sqrt(c**2 + d0**2) - c)
    np.testing.assert_allclose(landscape.free_energy(Q, 0.0, m), closed, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("Q", "T"), [(0.3, 0.0), (0.6, 0.05), (0.8, 0.12), (0.2, 0.3)])
def test_free_energy_matches_scipy(Q: float, T: float) -> None:
    m = k3c60(4.0)
    assert landscape.free_energy(Q, T, m) == pytest.approx(ref_free_energy(Q, T, m), rel=1e-9)


def test_low_temperature_joins_zero_temperature() -> None:
    """T << Delta (2e-4 hbar*omega = 0.2 K against gaps of 6-64 meV): the superconductor's
    thermal corrections ~ e^(-Delta/T) vanish, and F relative to the normal state exceeds its
    T = 0 value only by the normal state's Sommerfeld term (pi^2/3) nu T^2, the same at every Q.
    """
    m = k3c60(4.0)
    Q = np.array([0.0, 0.1, 0.5, 0.79, 1.2])
    T = 2e-4
    shift = landscape.free_energy(Q, T, m) - landscape.free_energy(Q, 0.0, m)
    np.testing.assert_allclose(shift, math.pi**2 / 3 * m.nu * T**2, rtol=1e-6)
    np.testing.assert_allclose(landscape.force(Q, T, m), landscape.force(Q, 0.0, m), atol=1e-14)
    cold, zero = landscape.critical_points(m, T), landscape.critical_points(m)
    assert cold.barrier == pytest.approx(zero.barrier, rel=1e-12)
    assert cold.Q_MS == pytest.approx(zero.Q_MS, rel=1e-12)


def test_force_is_minus_derivative_and_curvature_its_slope() -> None:
    m = k3c60(4.0)
    Q = np.array([0.05, 0.2, 0.45, 0.8, 1.3])
    h = 1e-5
    for T in (0.0, 0.05, 0.15):
        dF = (landscape.free_energy(Q + h, T, m) - landscape.free_energy(Q - h, T, m)) / (2 * h)
        np.testing.assert_allclose(landscape.force(Q, T, m), -dF, rtol=1e-6, atol=1e-9)
        df = (landscape.force(Q + h, T, m) - landscape.force(Q - h, T, m)) / (2 * h)
        np.testing.assert_allclose(landscape.curvature(Q, T, m), -df, rtol=1e-5, atol=1e-8)


def test_force_matches_scipy_reference() -> None:
    m = k3c60(3.4)
    for Q, T in [(0.3, 0.0), (0.55, 0.06), (1.0, 0.02)]:
        assert landscape.force(Q, T, m) == pytest.approx(ref_force(Q, T, m), rel=1e-9, abs=1e-12)


def test_free_energy_map_minimum_is_self_consistent() -> None:
    """Fig. 3: at fixed Q, F(Q, Delta) is stationary at the self-consistent gap."""
    m = k3c60(4.0)
    for Q, T in [(0.0, 0.0), (0.79, 0.0), (0.6, 0.1)]:
        d = bcs.gap(attraction(Q, m.dE, m.g, m.U0), T, m.nu)
        h = 1e-6
        F = landscape.free_energy_map(Q, np.array([d - h, d, d + h]), T, m)
        assert abs(F[2] - F[0]) / (2 * h) < 1e-7
        assert F[1] < F[0] and F[1] < F[2]
        assert F[1] == pytest.approx(landscape.free_energy(Q, T, m), rel=1e-13, abs=1e-16)


def test_fig3_minima_and_saddle_of_the_free_energy_map() -> None:
    """Fig. 3: in the (Q, Delta) plane, (0, Delta(U0)) and (Q_MS, Delta_MS) are minima of
    F(Q, Delta) (zero gradient, positive-definite Hessian) and (Q_B, Delta_B) is a saddle."""
    m = k3c60(4.0)
    cp = landscape.critical_points(m)
    h = 1e-4

    def F(q: float, d: float) -> float:
        return float(landscape.free_energy_map(q, d, 0.0, m))

    def grad_hess(q: float, d: float) -> tuple[np.ndarray, np.ndarray]:
        gq = (F(q + h, d) - F(q - h, d)) / (2 * h)
        gd = (F(q, d + h) - F(q, d - h)) / (2 * h)
        fqq = (F(q + h, d) - 2 * F(q, d) + F(q - h, d)) / h**2
        fdd = (F(q, d + h) - 2 * F(q, d) + F(q, d - h)) / h**2
        fqd = (F(q + h, d + h) - F(q + h, d - h) - F(q - h, d + h) + F(q - h, d - h)) / (4 * h**2)
        return np.array([gq, gd]), np.array([[fqq, fqd], [fqd, fdd]])

    for q, d, kind in [
        (0.0, cp.Delta_0, "min"),
        (cp.Q_MS, cp.Delta_MS, "min"),
        (cp.Q_B, cp.Delta_B, "saddle"),
    ]:
        grad, hess = grad_hess(q, d)
        assert np.all(np.abs(grad) < 1e-6)  # central differences: O(h^2 F''') ~ 1e-7
        eig = np.linalg.eigvalsh(hess)
        assert (eig.min() > 0) if kind == "min" else (eig.min() < 0 < eig.max())


# --- critical points ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "T"), [(k3c60(4.0), 0.0), (k3c60(4.0), 0.05), (k3c60(4.0), 0.1), (HALF_CUTOFF, 0.03)]
)
def test_critical_points_match_scipy(m: Model, T: float) -> None:
    cp = landscape.critical_points(m, T)
    grid = np.linspace(0.02, 2.0, 100)
    f = np.array([ref_force(q, T, m) for q in grid])
    roots = [
        optimize.brentq(ref_force, grid[i], grid[i + 1], args=(T, m), xtol=1e-14)
        for i in np.flatnonzero(np.sign(f[:-1]) != np.sign(f[1:]))
    ]
    assert len(roots) == 2
    assert cp.Q_B == pytest.approx(roots[0], rel=1e-9)
    assert cp.Q_MS == pytest.approx(roots[1], rel=1e-9)
    assert cp.F_MS == pytest.approx(ref_free_energy(cp.Q_MS, T, m), rel=1e-9)


def test_critical_points_are_maximum_and_minimum() -> None:
    m = k3c60(4.0)
    for T in (0.0, 0.1, 0.2):
        cp = landscape.critical_points(m, T)
        assert 0 < cp.Q_B < cp.Q_MS
        assert landscape.curvature(cp.Q_B, T, m) < 0 < landscape.curvature(cp.Q_MS, T, m)
        assert abs(landscape.force(cp.Q_MS, T, m)) < 1e-12
        assert cp.barrier > 0 and cp.F_B > cp.F_0
        assert cp.Delta_MS > cp.Delta_B > cp.Delta_0


@pytest.mark.parametrize("g", [0.5, 0.6, 0.8])
@pytest.mark.parametrize("T", [0.0, 0.05])
def test_eq8_holds_at_critical_points_without_U0(g: float, T: float) -> None:
    """U0 = 0: Q_c^2 = dE Delta(Q_c) / (sqrt(2) g^2) (eq. 8 without its stray omega), exactly."""
    dE, nu = 0.5, 4.0
    cp = landscape.critical_points_kernel(dE, g, nu, 0.0, T)
    assert cp.kind != "none"
    for Q, d in [(cp.Q_B, cp.Delta_B), (cp.Q_MS, cp.Delta_MS)]:
        assert d == pytest.approx(bcs.gap(attraction(Q, dE, g, 0.0), T, nu), rel=1e-10)
        assert Q**2 == pytest.approx(dE * d / (math.sqrt(2) * g**2), rel=1e-10)


@pytest.mark.parametrize("T", [0.0, 0.08])
def test_eq8_generalised_to_nonzero_U0(T: float) -> None:
    """With U0 > 0 the balance Q = Delta^2 U'/U^2 gives, exactly,
    Q_c^2 = (2 sqrt(2) g^2 dE Delta - U0 dE^2) / (4 g^2 (g^2 + U0)), eq. 8 when U0 = 0."""
    m = k3c60(4.0)
    cp = landscape.critical_points(m, T)
    for Q, d in [(cp.Q_B, cp.Delta_B), (cp.Q_MS, cp.Delta_MS)]:
        g2 = m.g**2
        expected = (2 * math.sqrt(2) * g2 * m.dE * d - m.U0 * m.dE**2) / (4 * g2 * (g2 + m.U0))
        assert Q**2 == pytest.approx(expected, rel=1e-10)


def test_unstable_rest_state_is_type_II_with_zero_barrier_position() -> None:
    """For Z^-1 > 4.33 the undistorted K3C60 lattice is itself unstable at T = 0:
    F''(0) = 1 - (2 sqrt(2) g^2 Delta0 / (dE U0))^2 < 0."""
    m = k3c60(5.0)
    cp = landscape.critical_points(m)
    assert cp.Q_B == 0.0 and cp.kind == "II"
    assert cp.barrier == pytest.approx(cp.F_0 - cp.F_MS)
    r0 = 2 * math.sqrt(2) * m.g**2 * m.Delta0 / (m.dE * m.U0)
    assert landscape.curvature(0.0, 0.0, m) == pytest.approx(1 - r0**2, rel=1e-10)
    assert landscape.curvature(0.0, 0.0, m) < 0


# --- temperatures -------------------------------------------------------------------------------


def test_untrapping_where_the_minimum_merges_with_the_undistorted_state() -> None:
    """Strong pairing at Q = 0 (lam_eff = 0.7) and a small splitting: Q = 0 is unstable up to
    T_B, where Q_MS shrinks into it (continuous, no first-order transition). Then T_B is where
    the curvature 1 - (2 sqrt(2) g^2 Delta(U0, T) / (dE U0))^2 at Q = 0 vanishes."""
    m = Model.from_lam_eff(0.7, dE=0.1, g=0.2, nu=2.0)
    T_B = landscape.untrapping_temperature(m)
    target = m.dE * m.U0 / (2 * math.sqrt(2) * m.g**2)
    assert ref_gap(m.U0, T_B, m.nu) == pytest.approx(target, rel=1e-9)
    assert (
        landscape.curvature(0.0, T_B * (1 - 1e-6), m) < 0 < landscape.curvature(0.0, T_B * 1.01, m)
    )
    assert landscape.critical_points(m, 0.999 * T_B).Q_MS < 0.02
    assert landscape.critical_points(m).kind == "II"
    assert math.isnan(landscape.first_order_temperature(m))


@pytest.mark.parametrize("m", [k3c60(3.4), k3c60(4.0), HALF_CUTOFF])
def test_untrapping_temperature_matches_reference(m: Model) -> None:
    assert landscape.untrapping_temperature(m) == pytest.approx(ref_untrapping(m), rel=1e-7)


def test_untrapping_temperature_brackets_existence() -> None:
    m = k3c60(3.6)
    T_B = landscape.untrapping_temperature(m)
    assert landscape.critical_points(m, T_B * (1 - 1e-7)).kind != "none"
    assert landscape.critical_points(m, T_B * (1 + 1e-7)).kind == "none"
    assert landscape.critical_points(m, T_B * (1 - 1e-7)).barrier < 1e-9


def test_first_order_temperature_matches_reference() -> None:
    m = k3c60(4.0)
    T1 = landscape.first_order_temperature(m)
    T_B = landscape.untrapping_temperature(m)
    assert m.Tc < T1 < T_B

    def advantage(T: float) -> float:
        _, Q_star = ref_pull_max(T, m)
        Q_MS = optimize.brentq(ref_force, Q_star, 3.0, args=(T, m), xtol=1e-13)
        return ref_free_energy(Q_MS, T, m) - ref_free_energy(0.0, T, m)

    ref = optimize.brentq(advantage, 0.5 * T1, min(1.5 * T1, T_B), xtol=1e-12)
    assert T1 == pytest.approx(ref, rel=1e-7)


def test_type_I_has_no_first_order_temperature() -> None:
    m = k3c60(3.4)
    assert landscape.critical_points(m).kind == "I"
    assert math.isnan(landscape.first_order_temperature(m))
    m0 = k3c60(2.0)
    assert math.isnan(landscape.untrapping_temperature(m0))
    assert math.isnan(landscape.first_order_temperature(m0))


def test_kind_changes_exactly_where_metastable_and_rest_energies_cross() -> None:
    """Bisect the I/II boundary on the kind alone; F(Q_MS) - F(0) must vanish there, and the
    scipy reference must change sign across it."""
    lo, hi = 3.4, 4.0
    assert landscape.critical_points(k3c60(lo)).kind == "I"
    assert landscape.critical_points(k3c60(hi)).kind == "II"
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if landscape.critical_points(k3c60(mid)).kind == "I" else (lo, mid)
    cp = landscape.critical_points(k3c60(lo))
    assert abs(cp.F_MS - cp.F_0) < 1e-10 * abs(cp.F_0)  # rounding of F ~ 1e-13
    for z, sign in [(lo * (1 - 1e-6), 1), (hi * (1 + 1e-6), -1)]:
        m = k3c60(z)
        Q_MS = landscape.critical_points(m).Q_MS
        assert sign * (ref_free_energy(Q_MS, 0.0, m) - ref_free_energy(0.0, 0.0, m)) > 0


# --- properties ----------------------------------------------------------------------------------


@given(T=st.floats(0.0, 0.5), lo=st.floats(1e-5, 0.5))
def test_pull_ratio_is_concave_in_the_gap(T: float, lo: float) -> None:
    """The solver relies on r(Delta) = c Delta (a I(Delta, T) - 1) being concave in Delta, for
    every a > 0: r'' = c a (Delta^2 dI/dDelta)' / Delta, so Delta^2 dI/dDelta must decrease."""
    d = lo * np.geomspace(1.0, 1e3, 60)
    s = d**2 * bcs.gap_integral_ddelta(d, T)
    assert np.all(np.diff(s) < 0)


models = st.builds(
    lambda lam, dE, g, nu, c: Model.from_lam_eff(lam, dE=dE, g=g, nu=nu, cutoff=c),
    lam=st.floats(0.1, 0.8),
    dE=st.floats(0.05, 3.0),
    g=st.floats(0.2, 1.2),
    nu=st.floats(0.3, 5.0),
    c=st.floats(0.5, 1.5),
)


@given(m=models)
def test_untrapping_temperature_is_where_the_minimum_disappears(m: Model) -> None:
    T_B = landscape.untrapping_temperature(m)
    if math.isnan(T_B):
        assert landscape.critical_points(m).kind == "none"
        return
    assert landscape.critical_points(m, T_B * (1 - 1e-6)).kind != "none"
    assert landscape.critical_points(m, T_B * (1 + 1e-6)).kind == "none"
    T1 = landscape.first_order_temperature(m)
    if not math.isnan(T1):
        assert landscape.critical_points(m, T1 * (1 - 1e-7)).kind == "II"
        assert landscape.critical_points(m, T1 * (1 + 1e-7)).kind == "I"


@given(m=models, T_frac=st.floats(0.0, 0.95))
def test_critical_points_are_stationary(m: Model, T_frac: float) -> None:
    T_B = landscape.untrapping_temperature(m)
    T = 0.0 if math.isnan(T_B) else T_frac * T_B
    cp = landscape.critical_points(m, T)
    if math.isnan(T_B):
        assert cp.kind == "none" and math.isnan(cp.Q_MS)
        return
    assert cp.kind in ("I", "II")
    assert abs(landscape.force(cp.Q_MS, T, m)) < 1e-10 * max(1.0, cp.Q_MS)
    assert landscape.curvature(cp.Q_MS, T, m) > 0
    assert cp.barrier > 0
    if cp.Q_B > 0:
        assert abs(landscape.force(cp.Q_B, T, m)) < 1e-10
        assert cp.Q_B < cp.Q_MS and cp.F_B > cp.F_0
    assert (cp.kind == "II") == (cp.F_MS < cp.F_0)


# --- contract ------------------------------------------------------------------------------------


def test_scalar_and_array_contract() -> None:
    m = k3c60(4.0)
    assert isinstance(landscape.free_energy(0.5, 0.0, m), float)
    assert isinstance(landscape.force(0.5, 0.1, m), float)
    assert landscape.free_energy(np.zeros((2, 3)), np.array([0.0, 0.05, 0.1]), m).shape == (2, 3)
    Z_inv = np.array([[3.0], [3.4], [4.0], [5.0]])
    cp = landscape.critical_points_kernel(2.748 / Z_inv, 0.6, 0.603 * Z_inv, 0.3 / (0.603 * Z_inv))
    assert cp.Q_MS.shape == (4, 1)
    for z, kind, Q_MS in zip(Z_inv.ravel(), cp.kind.ravel(), cp.Q_MS.ravel(), strict=True):
        one = landscape.critical_points(
            Model(dE=2.748 / z, g=0.6, nu=0.603 * z, U0=0.3 / (0.603 * z))
        )
        assert kind == one.kind
        np.testing.assert_equal(Q_MS, one.Q_MS)
    assert list(cp.kind.ravel()) == ["none", "I", "II", "II"]
    single = landscape.critical_points(m)
    assert isinstance(single.Q_MS, float) and isinstance(single.kind, str)


def test_bad_input_rejected() -> None:
    m = k3c60(4.0)
    with pytest.raises(ValueError, match="model"):
        landscape.critical_points("K3C60")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="T"):
        landscape.critical_points(m, -0.1)
    with pytest.raises(ValueError, match="dE"):
        landscape.critical_points_kernel(-1.0, 0.6, 1.0, 0.3)
    with pytest.raises(ValueError, match="nu"):
        landscape.untrapping_temperature_kernel(1.0, 0.6, float("nan"), 0.3)
    with pytest.raises(ValueError, match="Q"):
        landscape.force(float("inf"), 0.0, m)
    with pytest.raises(ValueError, match="dE"):
        Model(dE=0.0, g=0.6, nu=1.0, U0=0.3)


def test_model_functions_are_cached_and_equal_to_the_kernels() -> None:
    """critical_points (scalar T), T_B, the first-order temperature and the Kramers well are
    cached per model: the same objects again, the kernels' values."""
    from dataclasses import astuple

    from photosc.physics import kramers

    m = materials.load("K3C60", Z=1 / 3.6)
    args = (m.dE, m.g, m.nu, m.U0)
    cp = landscape.critical_points(m, 0.02)
    assert landscape.critical_points(m, 0.02) is cp
    direct = landscape.critical_points_kernel(*args, 0.02, m.cutoff, m.pairing)
    assert astuple(cp) == astuple(direct)
    both = landscape.critical_points(m, np.array([0.02, 0.03]))  # arrays: not cached
    assert float(both.Q_MS[0]) == cp.Q_MS
    assert landscape.untrapping_temperature(m) == landscape.untrapping_temperature_kernel(*args)
    T1 = landscape.first_order_temperature(m)
    assert T1 == landscape.first_order_temperature_kernel(*args) and math.isfinite(T1)
    well = kramers.well_parameters(m, 0.02)
    assert kramers.well_parameters(m, 0.02) is well
    assert well.barrier == float(cp.F_B) - float(cp.F_MS)
