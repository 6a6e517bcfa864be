"""The exact local pairing of eq. A1: perturbative limits, sectors, truncation, tables, and the
landscape, critical points and T_B computed with it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from photosc import materials
from photosc.model import Model
from photosc.physics import dynamics, landscape, pairing
from photosc.physics.bcs import gap_integral


def _eq5_excess(Q: np.ndarray, dE: float, g: float) -> np.ndarray:
    x = 4.0 * g**2 * np.asarray(Q) ** 2
    return g**2 * x / (dE**2 + x)


# --- perturbative limits -------------------------------------------------------------------------


@pytest.mark.parametrize("dE", [0.8, 3.0])
@pytest.mark.parametrize("x", [0.5, 2.0])
def test_schrieffer_wolff_limit_and_its_g4_correction(dE: float, x: float) -> None:
    """g -> 0 at fixed x = 2 g Q / dE: b -> eq. 5 (g^2 sin^2 2theta); the difference is O(g^4).

    Eq. 5 is exact at order g^2 (the Holstein term of the rotated coupling); the dropped S~^x
    coupling cancels at order g^2 between 2 E_1 and E_2 and enters at g^4. So (b - eq5)/g^4 must
    tend to a constant: halving g changes it by O(g^2) only, here < 1% (g^2 = 1e-2 .. 2.5e-3).
    """
    ratios = []
    for g in (0.1, 0.05, 0.025):
        Q = x * dE / (2.0 * g)
        ratios.append((pairing.exact_binding(Q, dE, g) - _eq5_excess(Q, dE, g)) / g**4)
    assert ratios[0] != pytest.approx(0.0, abs=1e-3)  # a genuine g^4 term, not zero
    assert ratios[1] == pytest.approx(ratios[2], rel=1e-2)
    assert abs(ratios[1] - ratios[2]) < abs(ratios[0] - ratios[1])  # converging like g^2


def test_g4_binding_at_rest_matches_fourth_order_perturbation_theory() -> None:
    """At <Q> = 0 eq. 5 gives no attraction; the exact b(0) starts at g^4 with the coefficient of
    ``binding_at_rest_g4`` (derived there). The next order is relative O(g^2): at g = 0.02 the
    two agree to < 1e-3 (measured 2.4e-3 at g = 0.05, 4x smaller at g = 0.025)."""
    for dE in (0.3, 0.8, 1.0, 3.0):
        g = 0.02
        exact = pairing.exact_binding(0.0, dE, g)
        assert exact == pytest.approx(pairing.binding_at_rest_g4(dE, g), rel=1e-3)
    # no resonance at dE = omega in the local quantum problem (eq. 14's (dE^2 - 1)^-2 is absent)
    near = pairing.exact_binding(0.0, np.array([0.99, 1.0, 1.01]), 0.6)
    assert np.all(np.isfinite(near)) and np.ptp(near) < 0.01


def _harmonic_born_oppenheimer(Q: np.ndarray, dE: float, g: float) -> np.ndarray:
    """dE >> omega: electrons follow Q; E_N = min over Q~ of 1/2 Q~^2 - (N/2) Delta_eff(<Q>+Q~),
    expanded to second order in Q~, plus the zero point of the softened oscillator."""
    D = np.sqrt(dE**2 + 4 * g**2 * Q**2)
    d1, d2 = 4 * g**2 * Q / D, 4 * g**2 / D * (dE / D) ** 2

    def energy(N: int) -> np.ndarray:
        soft = 1.0 - N * d2 / 2.0
        return -(N**2 * d1**2 / 8.0) / soft + 0.5 * np.sqrt(soft) - N / 2.0 * D

    return 2 * energy(1) - energy(2) - energy(0)


def test_large_splitting_is_the_born_oppenheimer_limit() -> None:
    """dE >> omega: b -> the harmonic Born-Oppenheimer binding (polaron shift plus the change of
    the zero-point energy). The error is non-adiabatic, O(omega^2/dE^2): < 1e-3 at dE = 100
    and >= 5x smaller at dE = 300 (measured 3.4e-4 and 3.7e-5)."""
    Q = np.array([0.0, 0.5, 1.0, 2.0, 5.0])
    errors = []
    for dE in (100.0, 300.0):
        b = pairing.exact_binding(Q, dE, 0.5)
        errors.append(np.max(np.abs(b / _harmonic_born_oppenheimer(Q, dE, 0.5) - 1.0)))
    assert errors[0] < 1e-3
    assert errors[1] < errors[0] / 5


# --- sectors, symmetry, truncation ---------------------------------------------------------------


def test_sectors_bookkeeping() -> None:
    """16 states = sum over (N, S) of (multiplets) x (2S + 1); E_0 = E_4 = 1/2 (a free oscillator),
    E_3 = E_1 (particle-hole); the 2-electron ground state is the spin singlet."""
    total = 0
    for N in range(5):
        for two_S in range(3):
            sz, _ = pairing.sector_operators(N, two_S)
            total += sz.shape[0] * (two_S + 1)
    assert total == 16
    assert pairing.sector_operators(2, 0)[0].shape == (3, 3)  # pseudo-spin 1: cc, dd, (cd)
    assert pairing.sector_operators(2, 2)[0].shape == (1, 1)  # the spin triplet
    E = pairing.sector_ground_energies(np.array([0.0, 0.7, 2.0]), 0.8, 0.6, 20)
    np.testing.assert_allclose(E[0], 0.5, rtol=1e-14)
    np.testing.assert_allclose(E[4], 0.5, rtol=1e-14)
    np.testing.assert_allclose(E[3], E[1], rtol=1e-12)
    triplet = pairing._sector_ground(np.array([0.7]), np.array([0.8]), np.array([0.6]), 20, 2, 2)
    assert E[2][1] < triplet[0]
    assert isinstance(pairing.sector_ground_energies(0.3, 0.8, 0.6, 10)[1], float)


def _pseudospin_ground(S: float, Q: float, dE: float, g: float, n_ph: int) -> float:
    """-dE S^z + 2 g (Q + Q~) S^x + a^+a + 1/2 built directly from spin-S matrices."""
    m = np.arange(S, -S - 1, -1)
    sz = np.diag(m)
    sp = np.diag(np.sqrt(S * (S + 1) - m[1:] * (m[1:] + 1)), 1)
    sx = 0.5 * (sp + sp.T)
    a = np.diag(np.sqrt(np.arange(1, n_ph + 1)), 1)
    X, one = (a + a.T) / np.sqrt(2), np.eye(n_ph + 1)
    H = -dE * np.kron(sz, one) + 2 * g * np.kron(sx, Q * one + X)
    H += np.kron(np.eye(m.size), np.diag(np.arange(n_ph + 1) + 0.5))
    return float(np.linalg.eigvalsh(H)[0])


def test_sectors_are_the_spin_half_and_spin_one_rabi_models() -> None:
    """Independent construction: one electron is a pseudo-spin 1/2, the 2-electron singlet a
    pseudo-spin 1 (the Rabi model with a static field 2 g <Q> S^x)."""
    Q, dE, g, n = 0.7, 0.8, 0.6, 18
    E = pairing.sector_ground_energies(Q, dE, g, n)
    assert E[1] == pytest.approx(_pseudospin_ground(0.5, Q, dE, g, n), rel=1e-12)
    assert E[2] == pytest.approx(_pseudospin_ground(1.0, Q, dE, g, n), rel=1e-12)


def _dense_sector_ground(Q: float, dE: float, g: float, n_ph: int, N: int, two_S: int) -> float:
    """The sector Hamiltonian as a dense kron product (electron-major), lowest eigenvalue."""
    sz, sx = pairing.sector_operators(N, two_S)
    a = np.diag(np.sqrt(np.arange(1.0, n_ph + 1.0)), 1)
    X, one = (a + a.T) / np.sqrt(2), np.eye(n_ph + 1)
    H = -dE * np.kron(sz, one) + 2 * g * np.kron(sx, Q * one + X)
    H += np.kron(np.eye(sz.shape[0]), np.diag(np.arange(n_ph + 1.0) + 0.5))
    return float(np.linalg.eigvalsh(H)[0])


@pytest.mark.parametrize("n_ph", [2, 9, 26])
def test_banded_ground_energies_match_dense_diagonalisation(n_ph: int) -> None:
    """The inverse iteration on the band (warm-started from the previous point) gives the dense
    lowest eigenvalue at scattered points in any order, and along a table's ordered nodes."""
    rng = np.random.default_rng(n_ph)
    Q, dE, g = rng.uniform(-5.0, 5.0, 40), rng.uniform(0.2, 4.0, 40), rng.uniform(0.0, 1.2, 40)
    nodes = 0.5 * 0.8 / 0.6 * np.sqrt(1.0 / pairing._KNOTS[1:] ** 2 - 1.0)
    Q, dE = np.concatenate([Q, nodes]), np.concatenate([dE, np.full(nodes.size, 0.8)])
    g = np.concatenate([g, np.full(nodes.size, 0.6)])
    for N, two_S in ((1, 1), (2, 0), (2, 2)):
        got = pairing._sector_ground(Q, dE, g, n_ph, N, two_S)
        dense = [_dense_sector_ground(*p, n_ph, N, two_S) for p in zip(Q, dE, g, strict=True)]
        assert np.max(np.abs(got - dense) / (1.0 + np.abs(dense))) < 1e-12


@given(Q=st.floats(0.0, 4.0), dE=st.floats(0.2, 4.0), g=st.floats(0.0, 0.9))
@settings(max_examples=15, deadline=None)
def test_binding_is_even_in_Q(Q: float, dE: float, g: float) -> None:
    both = pairing.exact_binding(np.array([Q, -Q]), dE, g)
    assert both[0] == pytest.approx(both[1], abs=1e-12)
    assert both[0] >= -1e-12  # an attraction


def test_truncation_converges_variationally() -> None:
    """Ground energies fall monotonically with n_ph (a larger Fock space contains the smaller) and
    the converged binding agrees with a far larger truncation to its stated tolerance."""
    Q, dE, g = np.array([0.0, 0.5, 2.0]), 0.8, 0.9
    energies = [pairing.sector_ground_energies(Q, dE, g, n)[2] for n in (4, 8, 12, 16, 24)]
    steps = -np.diff(energies, axis=0)
    assert np.all(steps >= -1e-13)
    assert np.all(steps[-1] < 1e-3 * steps[0])
    reference = 2 * pairing.sector_ground_energies(Q, dE, g, 60)[1]
    reference -= pairing.sector_ground_energies(Q, dE, g, 60)[2] + 0.5
    np.testing.assert_allclose(pairing.exact_binding(Q, dE, g), reference, atol=2e-10)


def test_bad_input_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="n_ph"):
        pairing.sector_ground_energies(0.0, 1.0, 0.5, 1)
    with pytest.raises(ValueError, match="n_ph_max"):
        pairing.exact_binding(0.0, 1.0, 0.5, n_ph_max=1)
    with pytest.raises(RuntimeError, match="n_ph_max"):
        pairing.exact_binding(1.0, 1.0, 2.5, n_ph_max=12)  # the polaron needs ~40 quanta
    with pytest.raises(ValueError, match="g"):
        pairing.exact_binding(0.0, 1.0, -0.1)
    with pytest.raises(ValueError, match="g"):
        pairing.attraction(0.0, 1.0, -0.1, 0.1, method="exact")
    with pytest.raises(ValueError, match="method"):
        pairing.attraction(0.0, 1.0, 0.5, 0.1, method="eliashberg")
    with pytest.raises(ValueError, match="pairing"):
        Model(dE=1.0, g=0.5, nu=1.0, U0=0.1, pairing="exact-ish")
    with pytest.raises(ValueError, match="pairing"):
        landscape.critical_points_kernel(1.0, 0.5, 1.0, 0.1, pairing="sw")


# --- the table -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("dE", "g"), [(0.8, 0.6), (0.25, 0.6), (3.0, 0.3)])
def test_table_matches_direct_diagonalisation(dE: float, g: float) -> None:
    """The spline in c = dE/Delta_eff against direct ED at points between its nodes: U to 5e-8
    (measured <= 1.3e-8, the nodes crowd where U bends, at small Q), dU/dQ to 5e-5 of its
    largest value (measured 2.6e-5 at dE = 0.25 where U bends within Q ~ 0.05, 1.4e-6 at dE = 0.8)
    and d^2U/dQ^2 against a difference of the slopes."""
    Q = np.linspace(0.0, 8.0, 397)
    b = pairing.exact_binding(Q, dE, g)
    U = pairing.attraction(Q, dE, g, 0.1, method="exact")
    np.testing.assert_allclose(U - 0.1, b - b[0], atol=5e-8)
    h = 1e-4
    fd = (pairing.exact_binding(Q[1:] + h, dE, g) - pairing.exact_binding(Q[1:] - h, dE, g)) / (
        2 * h
    )
    np.testing.assert_allclose(
        pairing.attraction_slope(Q[1:], dE, g, method="exact"), fd, atol=5e-5 * np.max(fd)
    )
    fd2 = (
        pairing.attraction_slope(Q + h, dE, g, method="exact")
        - pairing.attraction_slope(Q - h, dE, g, method="exact")
    ) / (2 * h)
    # the spline's second derivative converges as h^2 (values as h^4): to 1e-4 of its scale
    # max|U''| (measured 3.2e-5 at dE = 0.25, where U'' falls from 80 to -5 within Q = 0.04)
    scale = np.max(np.abs(fd2))
    np.testing.assert_allclose(
        pairing.attraction_curvature(Q, dE, g, method="exact"), fd2, rtol=0, atol=1e-4 * scale
    )
    assert pairing.attraction_slope(0.0, dE, g, method="exact") == 0.0
    top = 0.1 + g**2 - b[0]
    assert pairing.attraction(1e7, dE, g, 0.1, method="exact") == pytest.approx(top, abs=1e-9)
    U_in = np.array([0.05, 0.1, 0.1 + 0.5 * (top - 0.1), top + 1e-9])
    Q_back = pairing.coordinate_of_attraction(U_in, dE, g, 0.1, method="exact")
    assert Q_back[0] == 0.0 and Q_back[1] == 0.0 and Q_back[3] == math.inf
    assert pairing.attraction(Q_back[2], dE, g, 0.1, method="exact") == pytest.approx(U_in[2])


@given(dE=st.floats(0.1, 5.0), g=st.floats(0.05, 0.9), U0=st.floats(0.0, 0.5))
@settings(max_examples=8, deadline=None)
def test_exact_attraction_grows_monotonically_and_stays_below_eq5_limit(
    dE: float, g: float, U0: float
) -> None:
    """U(0) = U0, U grows with |Q| (the table refuses a non-monotone U) towards U0 + g^2 - b(0),
    below eq. 5's U0 + g^2: the Q = 0 binding is counted in U0."""
    Q = np.linspace(0.0, 6.0, 61)
    U = pairing.attraction(Q, dE, g, U0, method="exact")
    assert U[0] == U0
    assert np.all(np.diff(U) >= -1e-12)
    assert U[-1] <= U0 + g**2 - pairing.exact_binding(0.0, dE, g) + 1e-9


def test_attraction_contract_with_both_methods() -> None:
    for method in ("schrieffer-wolff", "exact"):
        assert isinstance(pairing.attraction(0.3, 0.8, 0.6, 0.1, method), float)
        U = pairing.attraction(np.linspace(-3, 3, 7)[:, None], np.array([0.5, 2.0]), 0.6, 0.1,
                               method)  # fmt: skip
        assert U.shape == (7, 2)
        np.testing.assert_allclose(U, U[::-1])  # even in Q
        assert np.all(U >= 0.1) and np.all(U <= 0.1 + 0.36)
    assert pairing.attraction(2.0, 0.8, 0.0, 0.1, "exact") == 0.1  # g = 0: no coupling


def test_oscillating_attraction_flags_the_resonance() -> None:
    with pytest.raises(ValueError, match="resonance"):
        pairing.oscillating_attraction(0.5, np.array([0.5, 1.0]), 0.6)
    # eq. E35 is half of eq. 14 (spin-sum convention, documented)
    dE, g, Q2 = 3.0, 0.6, 0.5
    e35 = 2 * g**4 * dE**2 * Q2 / (dE**2 - 1) ** 2
    assert pairing.oscillating_attraction(Q2, dE, g) == pytest.approx(2 * e35)


# --- the landscape with the exact pairing --------------------------------------------------------


def _force_zeros(model: Model, T: float) -> np.ndarray:
    """Zeros of -dF/dQ at Q > 0 by a scan and brentq: the direct, slow way."""
    Q = np.linspace(1e-3, 4.0, 801)
    f = landscape.force(Q, T, model)
    idx = np.flatnonzero(np.sign(f[:-1]) != np.sign(f[1:]))
    return np.array(
        [optimize.brentq(lambda q: landscape.force(q, T, model), Q[i], Q[i + 1]) for i in idx]
    )


@pytest.mark.parametrize("Z_inv", [2.97, 3.4, 5.0])
def test_exact_critical_points_match_a_direct_scan(Z_inv: float) -> None:
    """Q_B and Q_MS of the Delta-parametrised search against zeros of the force on a Q grid
    (brentq to 1e-12); agreement to 1e-6 l0 (the gap solver's tolerance along Q)."""
    m = materials.load("K3C60").renormalized(1 / Z_inv).replace(pairing="exact")
    cp = landscape.critical_points(m)
    zeros = _force_zeros(m, 0.0)
    expected = [cp.Q_B, cp.Q_MS] if cp.Q_B > 0 else [cp.Q_MS]
    np.testing.assert_allclose(zeros, expected, atol=1e-6)
    F = landscape.free_energy(np.array([0.0, cp.Q_MS]), 0.0, m)
    assert (cp.kind == "II") == (F[1] < F[0])
    assert landscape.curvature(cp.Q_MS, 0.0, m) > 0


@pytest.mark.slow
def test_exact_untrapping_temperature_is_the_fold() -> None:
    """Just below T_B the exact landscape has its minimum Q_MS (a force zero at Q > 0 with positive
    curvature); 1% above, the force has no zero with positive curvature. The first-order
    temperature separates F(Q_MS) < F(0) from F(Q_MS) > F(0)."""
    m = materials.load("K3C60").renormalized(1 / 3.4).replace(pairing="exact")
    T_B = landscape.untrapping_temperature(m)
    assert 0 < T_B < 1
    below, above = _force_zeros(m, 0.99 * T_B), _force_zeros(m, 1.01 * T_B)
    assert any(landscape.curvature(q, 0.99 * T_B, m) > 0 for q in below)
    assert not any(landscape.curvature(q, 1.01 * T_B, m) > 0 for q in above)
    # type II at T = 0: below the first-order temperature the distorted state is the lower one
    T1 = landscape.first_order_temperature(m)
    assert 0 < T1 < T_B
    for T, lower in ((0.99 * T1, True), (1.01 * T1, False)):
        cp = landscape.critical_points(m, T)
        assert (cp.F_MS < cp.F_0) == lower


def test_exact_pairing_reaches_force_table_and_kernels() -> None:
    """The dynamics' force table and gap onset follow model.pairing; the array kernel agrees with
    the per-model function."""
    m = materials.load("K3C60").renormalized(1 / 3.4).replace(pairing="exact")
    T = 1.2 * m.Tc
    q_c = dynamics.gap_onset(m, T)
    U_c = 1.0 / (m.nu * float(gap_integral(0.0, T, m.cutoff)))
    assert pairing.model_attraction(m, q_c) == pytest.approx(U_c, rel=1e-9)
    table = dynamics.ForceTable.from_model(m, T, Q_max=2.0)
    Q = np.linspace(-1.9, 1.9, 9)
    np.testing.assert_allclose(table(Q), landscape.force(Q, T, m), atol=1e-6)
    res = landscape.metastability_kernel(
        np.array([m.dE, m.dE * 0.8]), m.g, np.array([m.nu, m.nu / 0.8]),
        np.array([m.U0, m.U0 * 0.8]), m.cutoff, "exact",
    )  # fmt: skip
    assert res["T_B"][0] == pytest.approx(landscape.untrapping_temperature(m), rel=1e-9)
    assert res["Q_MS"][0] == pytest.approx(landscape.critical_points(m).Q_MS, rel=1e-9)


def test_model_carries_its_pairing() -> None:
    m = materials.load("K3C60").replace(pairing="exact")
    assert m.renormalized(0.3).pairing == "exact"
    assert m.as_attrs()["pairing"] == "exact"
    assert Model(dE=1.0, g=0.5, nu=1.0, U0=0.1).pairing == "schrieffer-wolff"
    assert m.lam_eff == materials.load("K3C60").lam_eff  # U(0) = U0 with either pairing
    assert pairing.model_attraction(m, 0.0) == m.U0
    with pytest.raises(ValueError, match="derivative"):
        pairing.model_attraction(m, 0.0, 3)
