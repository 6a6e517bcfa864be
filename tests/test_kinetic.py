"""Chang-Scalapino kinetics: equilibrium, detailed balance, conservation laws, the limits of
eqs. 9-11 and of Rothwarf-Taylor, agreement with physics.rates, grid convergence, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from threadpoolctl import threadpool_limits

from photosc import materials
from photosc.model import Model
from photosc.physics import bcs, kinetic, rates
from photosc.physics.spectra import Debye, Spectrum, k3c60
from photosc.units import temperature_from_K, time_from_ps

K3C60 = materials.load("K3C60")
SPECTRUM = k3c60(K3C60.omega_meV)
T30 = float(temperature_from_K(30.0, K3C60.omega_meV))
#: A model with a large gap (Delta0 = 1/sinh 2 = 0.276) and fast kinetics (strong Debye bath).
STRONG = Model.from_lam_eff(0.5, dE=3.0, g=0.5, nu=0.5)


def _kinetics(
    model: Model,
    spectrum: Spectrum,
    T: float,
    tau_esc: float = 0.0,
    points: int = 128,
    phonon_points: int = 96,
) -> kinetic.Kinetics:
    grid = kinetic.energy_grid(
        spectrum, T, model.cutoff, model.Delta0, points=points, phonon_points=phonon_points
    )
    return kinetic.Kinetics(model, spectrum, T, grid, tau_esc)


def _state(kin: kinetic.Kinetics, f: np.ndarray, dN: np.ndarray | None = None) -> np.ndarray:
    if not kin.phonons:
        return f
    return np.concatenate([f, np.zeros(kin.K) if dN is None else dN])


def test_no_drive_stays_thermal_for_a_nanosecond() -> None:
    # The thermal state is an exact fixed point of the discrete kinetics (every bracket vanishes
    # pointwise); what is left is rounding (~1e-16 per evaluation), far below 1e-8.
    t = np.linspace(0.0, float(time_from_ps(1000.0, K3C60.omega_meV)), 5)
    ds = kinetic.evolve(K3C60, SPECTRUM, T30, t, tau_esc=500.0)
    delta = ds["Delta"].values
    assert delta[0] == pytest.approx(float(bcs.gap(K3C60.U0, T30, K3C60.nu, K3C60.cutoff)), 1e-10)
    assert np.max(np.abs(delta / delta[0] - 1)) < 1e-8
    fermi = kinetic.fermi(ds["E"].values, T30)
    assert np.max(np.abs(ds["f"].values - fermi)) < 1e-12
    bose = 1 / np.expm1(ds["Omega"].values / T30)
    assert np.max(np.abs(ds["N_phonon"].values / bose - 1)) < 1e-10


@pytest.mark.parametrize("lam", [0.0, 0.03, -0.02])
def test_detailed_balance_of_every_kernel(lam: float) -> None:
    # At f = Fermi(E + lam) and N = Bose every scattering bracket vanishes (any lam: scattering
    # conserves n), the pair brackets only at lam = 0. Measured against the gross in/out flux.
    kin = _kinetics(K3C60, SPECTRUM, T30, tau_esc=100.0)
    delta = 0.05
    k = kin.kernels(delta)
    f = kinetic.fermi(k.E, T30, lam)
    terms = kin.terms(f, np.zeros(kin.K), k)
    fi, fj = f[:, None], f[None, :]
    gross_s = np.abs(k.A) * fi * (1 - fj) * np.abs(1 + k.N_bose_s)
    gross_p = k.B * fi * fj * (1 + k.N_bose_p)
    assert np.max(np.abs(terms["scattering"]) / np.sum(gross_s, 1)) < 1e-12
    rows = 4 * K3C60.nu * kin.grid.w[:, None]
    scale_s = np.sum(rows * gross_s)
    assert np.max(np.abs(terms["phonons_scattering"])) < 1e-12 * scale_s
    paired = np.sum(gross_p, 1) > 0  # states with a partner below omega_max - E
    pair_imbalance = np.max(np.abs(terms["pairs"][paired]) / np.sum(gross_p, 1)[paired])
    if lam == 0.0:
        assert pair_imbalance < 1e-12
        assert np.max(np.abs(terms["phonons_pairs"])) < 1e-12 * np.sum(rows * gross_p)
    else:  # (1 - f)^2 N / (f^2 (1 + N)) = exp(2 lam / T) != 1
        assert pair_imbalance > 0.1


def test_quasiparticle_number_changes_only_through_pairs() -> None:
    rng = np.random.default_rng(1)
    kin = _kinetics(K3C60, SPECTRUM, T30, tau_esc=100.0)
    f = rng.uniform(0.0, 0.5, kin.M)
    dN = rng.uniform(-0.1, 0.1, kin.K)
    k = kin.kernels(0.04)
    terms = kin.terms(f, dN, k)
    w = kin.grid.w
    gross = np.sum(w * np.abs(terms["pairs"]))
    # scattering moves quasi-particles between states: sum_i w_i df_i = 0 to rounding
    assert abs(np.sum(w * terms["scattering"])) < 1e-13 * np.sum(w * np.abs(terms["scattering"]))
    # and each pair event removes two quasi-particles and emits one phonon
    lost = -4 * K3C60.nu * np.sum(w * terms["pairs"])
    assert lost == pytest.approx(2 * np.sum(terms["phonons_pairs"]), rel=1e-12, abs=1e-14 * gross)
    # a change of Delta at fixed f (xi-grid) leaves n alone
    assert kin.density(f) == pytest.approx(4 * K3C60.nu * np.sum(w * f), rel=1e-15)


@settings(max_examples=20)
@given(delta=st.floats(0.0, 0.1), seed=st.integers(0, 2**32 - 1))
def test_every_process_conserves_energy(delta: float, seed: int) -> None:
    # each event exchanges one phonon of exactly E_i -+ E_j, and the hats keep sum_k W_k m_k dN_k:
    # the electron energy a process removes is the phonon energy it deposits (any f, N, Delta)
    rng = np.random.default_rng(seed)
    kin = _kinetics(K3C60, SPECTRUM, T30, tau_esc=100.0, points=96, phonon_points=48)
    f, dN = rng.uniform(0.0, 0.6, kin.M), rng.uniform(-0.2, 0.2, kin.K)
    k = kin.kernels(delta)
    terms = kin.terms(f, dN, k)
    states = 4 * K3C60.nu * kin.grid.w * k.E
    for process in ("scattering", "pairs"):
        electrons = np.sum(states * terms[process])
        phonons = np.sum(kin.grid.Omega * terms[f"phonons_{process}"])
        gross = np.sum(np.abs(states * terms[process])) + 1e-300
        assert abs(electrons + phonons) < 1e-12 * gross, process


@pytest.mark.parametrize("tau_esc", [0.0, 50.0])
def test_analytic_jacobian_matches_finite_differences(tau_esc: float) -> None:
    # central differences with step 1e-7: truncation ~1e-14 and rounding ~1e-16/1e-7 ~ 1e-9 of
    # the column scale; the analytic Jacobian (with dDelta/df) must agree to 1e-6 of it
    rng = np.random.default_rng(3)
    kin = _kinetics(K3C60, SPECTRUM, T30, tau_esc, points=96, phonon_points=48)
    _, f = kin.thermal_state(K3C60.U0)
    y = _state(kin, np.clip(f * (1 + 0.3 * rng.standard_normal(kin.M)), 0.0, 1.0))
    if kin.phonons:
        y[kin.M :] = 0.01 * rng.standard_normal(kin.K)
    J = kin.jacobian(0.0, y)
    for column in range(0, y.size, 5):
        step = np.zeros_like(y)
        step[column] = 1e-7
        fd = (kin.rhs(0.0, y + step) - kin.rhs(0.0, y - step)) / 2e-7
        assert np.max(np.abs(J[:, column] - fd)) < 1e-6 * (np.max(np.abs(fd)) + 1e-300)


def test_closed_system_conserves_energy() -> None:
    # tau_esc = inf: electron energy W(Delta, f) + phonon energy is a constant of the discrete
    # equations; the integrator (rtol 1e-7) keeps it to ~1e-8 of the energy that relaxes.
    kin = _kinetics(STRONG, Debye(3.0, 0.5), 0.1, math.inf, points=48, phonon_points=40)
    _, f_hot = kin.thermal_state(STRONG.U0)
    f0 = np.clip(f_hot * 1.6, 0.0, 0.5)
    t = np.linspace(0.0, 100.0, 4)
    ds = kinetic.evolve(
        STRONG, kin.spectrum, 0.1, t, tau_esc=math.inf, grid=kin.grid, f0=f0, rtol=1e-7, atol=1e-11
    )
    energy = ds["energy"].values
    _, f_eq = kin.thermal_state(STRONG.U0)
    d_eq = kin.gap(f_eq, STRONG.U0)
    relaxing = energy[0] - kin.energy(f_eq, np.zeros(kin.K), d_eq, STRONG.U0)
    assert abs(ds["n_qp"].values[-1] - ds["n_qp"].values[0]) > 1e-3  # pair processes ran
    assert np.max(np.abs(energy - energy[0])) < 1e-6 * abs(relaxing)


@pytest.mark.slow
def test_any_initial_distribution_relaxes_to_thermal() -> None:
    # random f0 and the phonons evolving (tau_esc = 20/omega): both reach the bath's equilibrium
    tau_esc = 20.0
    rng = np.random.default_rng(7)
    kin = _kinetics(STRONG, Debye(3.0, 0.5), 0.1, tau_esc, points=48, phonon_points=40)
    f0 = rng.uniform(0.0, 0.45, kin.M)
    ds = kinetic.evolve(
        STRONG, kin.spectrum, 0.1, [0.0, 4000.0], tau_esc=tau_esc, grid=kin.grid, f0=f0
    )
    d_eq, f_eq = kin.thermal_state(STRONG.U0)
    assert ds["Delta"].values[-1] == pytest.approx(d_eq, rel=1e-6)  # rtol 1e-6 of the solver
    assert np.max(np.abs(ds["f"].values[-1] - f_eq)) < 1e-6
    bose = 1 / np.expm1(ds["Omega"].values / 0.1)
    assert np.max(np.abs(ds["N_phonon"].values[-1] / bose - 1)) < 1e-5


def test_fast_scattering_gives_the_trapped_distribution_of_eqs_9_to_11() -> None:
    # alpha^2 F only below omega_D < 2 Delta: no pair process is allowed, n is conserved exactly
    # and scattering drives f to Fermi(E + lam) at the bath T: the (Delta, lam) of eqs. 9-11.
    T, spectrum = 0.1, Debye(3.0, 0.15)
    kin = _kinetics(STRONG, spectrum, T, points=128)
    xi = kin.grid.xi
    d_hot = float(bcs.gap(STRONG.U0, 0.12, STRONG.nu, STRONG.cutoff))
    f0 = kinetic.fermi(np.sqrt(xi**2 + d_hot**2), 0.12)
    n0 = kin.density(f0)
    ds = kinetic.evolve(STRONG, spectrum, T, [0.0, 3000.0], grid=kin.grid, f0=f0, rtol=1e-8)
    assert ds["n_qp"].values[-1] == pytest.approx(n0, rel=1e-12)  # a linear invariant of BDF
    delta = float(ds["Delta"].values[-1])
    assert 2 * delta > spectrum.omega_D
    d_tr, lam_tr = bcs.trapped_gap(n0, STRONG.U0, T, STRONG.nu, STRONG.cutoff)
    # Delta and lam agree to the grid's quadrature error of eqs. 10-11 (~1e-7 at 128 nodes)
    assert delta == pytest.approx(d_tr, rel=1e-5)
    f = ds["f"].values[-1]
    E = np.sqrt(xi**2 + delta**2)
    occupied = f > 1e-8
    lam = T * np.log(1 / f[occupied] - 1) - E[occupied]
    assert np.max(np.abs(lam - lam_tr)) < 1e-4 * T


def _slow_rate(kin: kinetic.Kinetics) -> float:
    """The slowest rate -(eigenvalue) of the linearised kinetics at the thermal state among the
    modes that carry quasi-particle number (the others move quasi-particles in energy)."""
    _, f = kin.thermal_state(kin.model.U0)
    J = kin.jacobian(0.0, _state(kin, f))
    with threadpool_limits(1):  # a 500-square eig: threads only contend on the shared cores
        values, vectors = np.linalg.eig(J)
    number = np.abs(kin.grid.w @ vectors[: kin.M])  # unit eigenvectors
    carriers = number > 0.1 * number.max()
    return float(np.min(-values[carriers].real))


@pytest.mark.slow
def test_rothwarf_taylor_phonon_bottleneck() -> None:
    # T << Delta: excess quasi-particles at the gap edge recombine into phonons just above
    # 2 Delta, which break pairs again (rate b(W) = 1/tau_B) unless they escape (c = 1/tau_esc).
    # Rothwarf-Taylor with a << b (a: the recombination rate without bottleneck): the number
    # decays at a times the escaping fraction <c/(b(W) + c)>, averaged over the spectrum of the
    # recombination phonons P(W) ~ a2F(W)(1 + N) e^{-W/T} I(W); for one energy this is the
    # factor 1/(1 + tau_esc/tau_B). I(W) = int dE rho rho (1 + D^2/EE') over E + E' = W, and
    # b(W) = 4 pi nu (int a2F / modes) I(W) (1 - 2f) (module docstring), both by QUADPACK.
    model, spectrum = STRONG, Debye(3.0, 0.8)
    T = 0.03
    free = _slow_rate(_kinetics(model, spectrum, T, 0.0, points=128))
    delta = float(bcs.gap(model.U0, T, model.nu, model.cutoff))
    f_edge = float(kinetic.fermi(delta, T))

    def pair_integral(W: float) -> float:
        half, a = W / 2, W / 2 - delta

        def g(theta: float) -> float:
            x = a * math.sin(theta)
            return (half * half - x * x + delta**2) / math.sqrt((half + delta) ** 2 - x * x)

        return quad(g, -math.pi / 2, math.pi / 2)[0]

    kappa = 4 * math.pi * model.nu * spectrum.integrate() / 3.0

    def b(W: float) -> float:
        return kappa * pair_integral(W) * (1 - 2 * f_edge)  # f ~ f(Delta) on the band, ~1e-4

    def weight(W: float) -> float:
        return float(spectrum(W)) * math.exp(-(W - 2 * delta) / T) * pair_integral(W)

    band = (2 * delta, 2 * delta + 30 * T)
    norm = quad(weight, *band)[0]
    tau_B = 1 / b(2 * delta + T)
    for ratio in (3.0, 30.0):
        c = 1 / (ratio * tau_B)
        escaping = quad(lambda W, c=c: weight(W) * c / (b(W) + c), *band)[0] / norm
        # The hats smear phonons emitted just above 2 Delta onto the node below, where they
        # cannot break pairs: a first-order error in the phonon step (8% at 96 nodes), removed by
        # Richardson extrapolation from 192 and 384 nodes; the next order leaves ~2% (the
        # 96-192-384 differences shrink by 1.9, not 2). Left out of the prediction: phonon
        # scattering on thermal quasi-particles (~f(Delta) ~ 1e-4) and O(a/b) ~ 1e-3.
        coarse, fine = (
            _slow_rate(_kinetics(model, spectrum, T, ratio * tau_B, 128, phonon_points=k))
            for k in (192, 384)
        )
        assert 2 * fine - coarse == pytest.approx(free * escaping, rel=0.03)
        assert free / fine > 0.8 * (1 + ratio)


@pytest.mark.parametrize("lam", [0.0, 0.05])
def test_initial_rates_equal_physics_rates(lam: float) -> None:
    # Kaplan's kernels of the kinetics, summed over the grid, against rates.py's own quadrature
    # (sqrt edge removed, panels at the knots): agreement to the xi-grid's quadrature error.
    kin = _kinetics(K3C60, SPECTRUM, T30, points=256)
    delta = 0.06
    E = np.sqrt(kin.grid.xi**2 + delta**2)
    f = kinetic.fermi(E, T30, lam)
    out = kin.out_rates(f, np.zeros(kin.K), delta, delta)
    expected = {
        "scattering": rates.scattering_rate(delta, T30, SPECTRUM, lam),
        "recombination": rates.recombination_rate(delta, T30, SPECTRUM, lam),
        "generation": rates.generation_rate(delta, T30, SPECTRUM, lam),
    }
    for name, value in expected.items():
        assert out[name] == pytest.approx(value, rel=2e-3), name
    # the pair totals per site: G = 4 nu sum w (1 - f) Gamma_g(E), R = 4 nu sum w f Gamma_r(E)
    per_node = [kin.out_rates(f, np.zeros(kin.K), delta, e) for e in E]
    w = 4 * K3C60.nu * kin.grid.w
    G = float(np.sum(w * (1 - f) * [r["generation"] for r in per_node]))
    R = float(np.sum(w * f * [r["recombination"] for r in per_node]))
    G_ref, R_ref = rates.pair_rates(delta, T30, SPECTRUM, K3C60.nu, lam)
    assert G == pytest.approx(G_ref, rel=2e-3)
    assert R == pytest.approx(R_ref, rel=2e-3)


def test_grid_convergence() -> None:
    # The thermal gap of the grid converges to bcs.gap (Gauss panels: spectral), and the
    # quasi-particle relaxation rate (slowest number-carrying mode) converges. Kaplan's Debye
    # alpha^2 F jumps to 0 at omega_D, so that rate converges only at first order at first
    # (observed differences 1.5e-4, 8e-5, 6e-6 of 7.5e-3): each doubling must shrink the change,
    # and the last change must be below 1e-3 of the rate.
    model, spectrum, T = STRONG, Debye(3.0, 0.5), 0.1
    exact = float(bcs.gap(model.U0, T, model.nu, model.cutoff))
    gaps, slow = [], []
    for points in (48, 96, 192, 384):
        kin = _kinetics(model, spectrum, T, points=points)
        gaps.append(kin.thermal_state(model.U0)[0])
        slow.append(_slow_rate(kin))
    errors = np.abs(np.array(gaps) - exact) / exact
    assert errors[0] < 1e-10 and np.all(errors[1:] < 1e-13)
    steps = np.abs(np.diff(slow))
    assert np.all(np.diff(steps) < 0)
    assert steps[-1] < 1e-3 * slow[-1]


class _Negative(Spectrum):
    def _evaluate(self, Omega: np.ndarray) -> np.ndarray:
        return np.where((Omega > 0) & (Omega < 0.3), -0.1 * Omega, 0.0)

    @property
    def knots(self) -> np.ndarray:
        return np.array([0.0, 0.3])

    @property
    def omega_max(self) -> float:
        return 0.3


def test_bad_input_names_the_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="tau_esc"):
        kinetic.evolve(K3C60, SPECTRUM, T30, [0.0, 1.0], tau_esc=-1.0)
    with pytest.raises(ValueError, match="points"):
        kinetic.energy_grid(SPECTRUM, T30, 1.0, 0.05, points=8)
    with pytest.raises(ValueError, match="phonon_points"):
        kinetic.energy_grid(SPECTRUM, 0.001, 1.0, 0.05, points=2048)
    with pytest.raises(ValueError, match="spectrum"):
        kinetic.energy_grid(_Negative(), T30, 1.0, 0.05)
    with pytest.raises(ValueError, match=r"^T must"):
        kinetic.evolve(K3C60, SPECTRUM, 0.0, [0.0, 1.0])
    with pytest.raises(ValueError, match="t must"):
        kinetic.evolve(K3C60, SPECTRUM, T30, [1.0, 0.0])

    def blows_up(self: kinetic.Kinetics, t: float, y: np.ndarray) -> np.ndarray:
        return y * y  # y = y0/(1 - y0 t): no solution beyond t = 1/max(y0)

    monkeypatch.setattr(kinetic.Kinetics, "rhs", blows_up)
    monkeypatch.setattr(kinetic.Kinetics, "jacobian", lambda self, t, y: np.diag(2 * y))
    f_max = float(kinetic.fermi(bcs.gap(K3C60.U0, T30, K3C60.nu, K3C60.cutoff), T30))
    with pytest.raises(RuntimeError, match=r"failed at t=\S+ 1/omega") as failure:
        kinetic.evolve(K3C60, SPECTRUM, T30, [0.0, 100.0])
    reached = float(str(failure.value).split("t=")[1].split()[0])
    assert reached == pytest.approx(1 / f_max, rel=1e-2)
