"""Nucleation on a lattice of Raman coordinates: bounce limits, lattice saddle, Langer's rate
against its limits and against the direct simulation of eq. 6 on the lattice."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.optimize import brentq

from photosc import materials
from photosc.physics import kramers, landscape
from photosc.physics import nucleation as nuc
from photosc.physics.dynamics import gap_onset

#: K3C60 on its Mott path at 1/Z = 3.6: metastability I at 100 K (0.0947 hbar*omega).
MODEL = materials.load("K3C60", Z=1 / 3.6)
T100 = 0.0947119051060344


def test_width_and_kappa_are_inverse() -> None:
    kappa = nuc.kappa_from_width(np.array([0.0, 0.01, 0.3, 2.0]), dim=3)
    np.testing.assert_allclose(nuc.width_from_kappa(kappa, dim=3), [0.0, 0.01, 0.3, 2.0])
    # omega_max^2 = omega^2 + 2 kappa * 2d at the zone corner (d = 1: 1 + 4 kappa)
    assert nuc.width_from_kappa(2.0, dim=1) == pytest.approx(3.0 - 1.0)
    assert isinstance(nuc.kappa_from_width(0.1), float)


def _exact_1d(T: float, kappa: float) -> float:
    """E_c = 2 int_{Q_t}^{Q_MS} sqrt(2 kappa (F - F_MS)) dQ, F from the landscape itself."""
    cp = landscape.critical_points(MODEL, T)
    excess = lambda q: float(landscape.free_energy(q, T, MODEL)) - float(cp.F_MS)  # noqa: E731
    q_t = brentq(excess, 0.0, float(cp.Q_B), xtol=1e-14)
    onset = min(max(float(gap_onset(MODEL, T)), q_t), float(cp.Q_MS))
    f = lambda q: math.sqrt(2.0 * kappa * max(excess(q), 0.0))  # noqa: E731
    points = sorted({float(cp.Q_B), onset})
    return 2.0 * quad(f, q_t, float(cp.Q_MS), points=points, epsabs=1e-12, limit=200)[0]


@pytest.mark.parametrize("T", [T100, 0.12])
def test_one_dimensional_bounce_is_the_exact_integral(T: float) -> None:
    got = nuc.critical_nucleus(MODEL, T, 2.0, dim=1)
    # shooting with RK4 at h = 0.04 / sqrt(max F'') and Simpson's rule: measured 1e-6 and 1e-7
    # relative at the two temperatures, 1e-5 leaves room for other landscapes
    assert got.energy == pytest.approx(_exact_1d(T, 2.0), rel=1e-5)
    assert got.Q[0] < landscape.critical_points(MODEL, T).Q_B < got.Q[-1]


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_linear_core_is_the_closed_form_bessel_solution(dim: int) -> None:
    """ln Q/Q(0) and Q'/(m_0 Q) of the linear core: cosh x (d = 1), I_0(x) (d = 2), sinh x / x
    (d = 3), independently of the scaled Bessel functions used."""
    from scipy.special import i0, i1

    x = np.array([1e-6, 0.3, 2.0, 17.0, 300.0])
    log_q, ratio = nuc._linear_profile(x, dim)
    closed = {
        1: (np.log(np.cosh(x)), np.tanh(x)),
        2: (np.log(i0(x)), i1(x) / i0(x)),
        3: (np.log(np.sinh(x) / x), 1 / np.tanh(x) - 1 / x),
    }[dim]
    np.testing.assert_allclose(log_q, closed[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ratio[1:], closed[1][1:], rtol=1e-12)
    assert ratio[0] == pytest.approx(x[0] / dim, rel=1e-9)  # small x: I_(nu+1)/I_nu = x/(2nu+2)
    r, q, p = nuc._linear_start(1e-40, dim, 2.25, 1e-9)
    assert q == 1e-9 and float(nuc._linear_profile(np.array(1.5 * r), dim)[0]) == pytest.approx(
        math.log(1e31), rel=1e-12
    )
    assert p / q == pytest.approx(1.5 * float(nuc._linear_profile(np.array(1.5 * r), dim)[1]))


@pytest.mark.parametrize("dim", [2, 3])
def test_bounce_obeys_derricks_virial(dim: int) -> None:
    """E_c = (2/d) x gradient energy for a stationary point of E (scaling x -> l x)."""
    b = nuc.critical_nucleus(MODEL, T100, 1.0, dim=dim)
    slope = np.gradient(b.Q, b.r)
    area = 2.0 * math.pi ** (dim / 2) / math.gamma(dim / 2)
    gradient = area * np.trapezoid(0.5 * slope**2 * b.r ** (dim - 1), b.r)
    # np.gradient + trapezoid on the shooting grid (h = 0.04 / sqrt(max F'')): 1e-3 relative
    assert b.energy == pytest.approx(2.0 / dim * gradient, rel=1e-3)


@given(st.floats(0.05, 20.0), st.sampled_from([1, 2, 3]))
@settings(max_examples=15, deadline=None)
def test_kappa_scaling(kappa: float, dim: int) -> None:
    one = nuc.critical_nucleus(MODEL, T100, 1.0, dim=dim)
    got = nuc.critical_nucleus(MODEL, T100, kappa, dim=dim)
    assert got.energy == pytest.approx(kappa ** (dim / 2) * one.energy, rel=1e-12)
    assert got.radius == pytest.approx(math.sqrt(kappa) * one.radius, rel=1e-12)


def test_broadcasting_and_validity() -> None:
    got = nuc.critical_nucleus(MODEL, np.array([[T100], [0.12]]), np.array([0.01, 1.0, 4.0]))
    assert got.energy.shape == (2, 3) and got.valid.shape == (2, 3)
    assert not got.valid[0, 0] and got.valid[0, 2]  # E_c / T: ~0.02 versus ~200
    assert got.r.shape == (2, 3) and got.r[1, 2].shape == got.Q[1, 2].shape


def _wall_tension(T: float, F_MS: float, Q_B: float, Q_MS: float) -> float:
    """sigma = int_0^Q_MS sqrt(2 (F - F_MS)) dQ (kappa = 1), the 1-d wall tension."""

    def integrand(q: float) -> float:
        return math.sqrt(2 * max(float(landscape.free_energy(q, T, MODEL)) - F_MS, 0.0))

    return float(quad(integrand, 0.0, Q_MS, points=[Q_B], limit=200)[0])


def test_thin_wall_limit_in_three_dimensions() -> None:
    """E_c -> 16 pi sigma^3 / (3 dF^2) as dF = F(Q_MS) - F(0) -> 0 (just above T_1st)."""
    T1 = landscape.first_order_temperature(MODEL)
    ratios, gaps = [], []
    for dT in (3e-3, 1e-3):
        T = T1 + dT
        cp = landscape.critical_points(MODEL, T)
        sigma = _wall_tension(T, float(cp.F_MS), float(cp.Q_B), float(cp.Q_MS))
        gap = float(cp.F_MS - cp.F_0)
        ratios.append(
            nuc.critical_nucleus(MODEL, T, 1.0, dim=3).energy
            / (16 * math.pi * sigma**3 / (3 * gap**2))
        )
        gaps.append(gap)
    # the thin-wall error is first order in dF: extrapolate linearly to dF = 0
    limit = ratios[1] - (ratios[0] - ratios[1]) * gaps[1] / (gaps[0] - gaps[1])
    assert ratios[1] < ratios[0]
    assert limit == pytest.approx(1.0, abs=0.03)


def test_lattice_nucleus_tends_to_the_continuum() -> None:
    """A wide nucleus (wall ~ 3 sites) on the lattice costs the continuum energy to ~1%."""
    lat = nuc.lattice_nucleus(MODEL, T100, 10.0, dim=1, side=31)
    assert lat.energy == pytest.approx(nuc.critical_nucleus(MODEL, T100, 10.0, 1).energy, rel=0.01)
    assert lat.eigenvalues[0] < 0 < lat.eigenvalues[1]
    # the translation norm is E_c / kappa in the continuum (Derrick); centred differences of a
    # wall decaying over xi = sqrt(kappa / F''(Q_MS)) = 2.7 sites are low by ~1/(3 xi^2) ~ 5%
    assert lat.translation_norm == pytest.approx(lat.energy / 10.0, rel=0.06)


def test_uncoupled_sites_give_the_one_site_kramers_rate() -> None:
    for dim in (1, 2, 3):
        got = nuc.nucleation_rate(MODEL, T100, 0.0, dim=dim, gamma=1.0)
        assert got == pytest.approx(kramers.kramers_rate(MODEL, T100, 1.0), rel=1e-6)


def test_stiff_lattice_gives_the_coherent_kramers_rate() -> None:
    """kappa -> inf on N sites: the uniform saddle, the N-site Kramers rate (error O(1/kappa))."""
    w = kramers.well_parameters(MODEL, T100)
    for side, dim in ((4, 1), (3, 2)):
        n = side**dim
        expected = kramers.kramers_rate_from_curvatures(
            w.barrier, w.omega_well, w.omega_barrier, T100, 1.0, sites=n
        )
        got = nuc.lattice_rate(MODEL, T100, 1e4, dim, side, gamma=1.0)
        assert got == pytest.approx(expected, rel=1e-3)


def test_growth_rate_is_the_damped_unstable_root() -> None:
    lam = nuc.growth_rate(-2.0, 1.5)
    assert lam**2 + 1.5 * lam - 2.0 == pytest.approx(0.0, abs=1e-12)
    assert nuc.growth_rate(-4.0, 0.0) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: nuc.critical_nucleus(MODEL, T100, -1.0), "kappa"),
        (lambda: nuc.critical_nucleus(MODEL, T100, 1.0, dim=4), "dim"),
        (lambda: nuc.nucleation_rate(MODEL, T100, 1.0, dim=0), "dim"),
        (lambda: nuc.critical_nucleus(MODEL, 0.05, 1.0), "stable state"),
        (lambda: nuc.lifetime(materials.load("K3C60", Z=1 / 3.0), T100, 1.0), "no metastable"),
        (lambda: nuc.lifetime(MODEL, T100, 1.0, sites=0.0), "sites"),
        (lambda: nuc.kappa_from_width(-0.1), "width"),
    ],
)
def test_bad_input_names_the_problem(call, word: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=word):
        call()


def test_bounce_that_cannot_converge_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """The iteration stopped after 2 shots (it needs 5-12): the last shot's growing part at the
    matching point is far above _MISS_TOL and the bounce raises instead of returning a wrong E_c
    or NaN."""
    nuc._bounce.cache_clear()
    monkeypatch.setattr(nuc, "_MAX_SHOTS", 2)
    try:
        with pytest.raises(RuntimeError, match="did not converge"):
            nuc.critical_nucleus(MODEL, T100, 1.0, dim=3)
    finally:
        nuc._bounce.cache_clear()


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_scaled_bessel_functions_are_scipys(dim: int) -> None:
    from scipy.special import ive, kve

    x = np.array([1e-6, 0.05, 0.0999, 0.1, 0.3, 2.0, 17.0, 300.0])
    nu = dim / 2 - 1
    expected = (ive(nu, x), ive(nu + 1, x), kve(nu, x), kve(nu + 1, x))
    for got, want in zip(nuc._scaled_bessel(dim, x), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)


def _linear_rhs(m: float, dim: int):  # type: ignore[no-untyped-def]
    return lambda r, y: [y[1], m * m * y[0] - (dim - 1) * y[1] / r]


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_growing_part_is_constant_on_the_linear_equation(dim: int) -> None:
    """B = B g / g from (delta, delta') at one rho: integrating the linear equation directly
    (solve_ivp, rtol 1e-12) from rho = 2 to 9 leaves B unchanged, and a pure decay has B = 0."""
    from scipy.integrate import solve_ivp
    from scipy.special import ive

    m, nu = 1.3, dim / 2 - 1
    sol = solve_ivp(_linear_rhs(m, dim), (2.0, 9.0), [-0.01, 0.004], rtol=1e-12, atol=1e-16)
    delta, slope, r = sol.y[0][[0, -1]], sol.y[1][[0, -1]], sol.t[[0, -1]]
    g = r**-nu * ive(nu, m * r) * np.exp(m * r)
    B = nuc._growing(r, delta, slope, m, dim) / g
    assert B[1] == pytest.approx(B[0], rel=1e-9)
    decay, decay_slope = nuc._decay(np.array([4.0]), 2.0, -0.01, m, dim)
    assert abs(nuc._growing(np.array([4.0]), decay, decay_slope, m, dim)[0]) < 1e-15


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_decay_tail_is_the_integrated_linear_solution(dim: int) -> None:
    """_decay against RK45 (rtol 1e-12) of the linear equation from its own (delta, delta'), and
    its energy r^(d-1) |delta delta'| / 2 against the quadrature of (delta'^2 + m^2 delta^2) / 2."""
    from scipy.integrate import solve_ivp

    m, r0, d0 = 1.2, 3.0, -2e-3
    start = [float(v[0]) for v in nuc._decay(np.array([r0]), r0, d0, m, dim)]
    assert start[0] == pytest.approx(d0, rel=1e-15)
    rho = np.array([3.5, 5.0, 8.0])
    sol = solve_ivp(_linear_rhs(m, dim), (r0, 8.0), start, t_eval=rho, rtol=1e-12, atol=1e-18)
    delta, slope = nuc._decay(rho, r0, d0, m, dim)
    np.testing.assert_allclose(sol.y[0], delta, rtol=1e-7)  # the growing error of RK45: e^2mr
    np.testing.assert_allclose(sol.y[1], slope, rtol=1e-7)

    def density(r: float) -> float:
        q, p = (float(v[0]) for v in nuc._decay(np.array([r]), r0, d0, m, dim))
        return 0.5 * (p * p + m * m * q * q) * r ** (dim - 1)

    tail = quad(density, r0, np.inf, epsabs=0.0, epsrel=1e-11)[0]
    assert tail == pytest.approx(-0.5 * r0 ** (dim - 1) * start[0] * start[1], rel=1e-9)


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_bounce_profile_ends_on_the_exact_tail(dim: int) -> None:
    """The profile reaches Q_MS to within _TAIL of its height, monotonically from Q(0)."""
    b = nuc._bounce(MODEL, T100, dim)
    w = nuc._well(MODEL, T100)
    assert np.all(np.diff(b.Q) > 0.0) and np.all(np.diff(b.rho) > 0.0)
    assert 0.0 < w.Q_MS - b.Q[-1] < 2 * nuc._TAIL * (w.Q_MS - b.Q[0])


def test_nucleus_too_large_for_the_lattice_raises() -> None:
    with pytest.raises(RuntimeError, match="side"):
        nuc.lattice_nucleus(MODEL, T100, 1.0, dim=3, side=nuc.MAX_SIDE[3] + 2)


def test_lifetime_is_inverse_rate_per_volume() -> None:
    k = nuc.nucleation_rate(MODEL, T100, 0.5, dim=1, gamma=0.3)
    assert nuc.lifetime(MODEL, T100, 0.5, 1, 0.3, sites=100.0) == pytest.approx(1 / (100 * k))
