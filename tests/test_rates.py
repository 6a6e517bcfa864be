"""Golden-rule rates (eqs. C3-C5): quad re-derivations, limits, Kaplan, detailed balance."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import constants
from scipy.integrate import quad
from scipy.special import expit, gamma, k0e, k1e, zeta

from photosc.physics import rates
from photosc.physics.spectra import Debye, Einstein, Spectrum, Tabulated, k3c60

SPECTRA: dict[str, Spectrum] = {
    "debye": Debye(3.0, 0.5),
    "k3c60": k3c60(),
    "peak+debye": Einstein(0.3, 0.1, 0.01) + Debye(0.5, 0.2),
}
FLAT = Tabulated(np.array([0.0, 20.0]), np.array([0.7, 0.7]))


def fermi(E: float, lam: float, T: float) -> float:
    return float(expit(-(E + lam) / T))


def bose(W: float, T: float) -> float:
    return 1.0 / math.expm1(W / T)


def edge_quad(g: Callable[[float], float], a: float, spectrum: Spectrum) -> float:
    """int_a^top dW g(W)/sqrt(W - a) with QUADPACK's algebraic weight on the first panel."""
    top = spectrum.omega_max
    if top <= a:
        return 0.0
    edges = sorted({a, top, *(k for k in spectrum.knots if a < k < top)})
    total = quad(g, edges[0], edges[1], weight="alg", wvar=(-0.5, 0), epsabs=0, epsrel=1e-12)[0]
    for lo, hi in itertools.pairwise(edges[1:]):
        total += quad(lambda W: g(W) / math.sqrt(W - a), lo, hi, epsabs=0, epsrel=1e-12)[0]
    return 2 * math.pi * total


def kaplan_recombination(E: float, d: float, T: float, sp: Spectrum, lam: float) -> float:
    """Kaplan et al.: 2pi int dW a2F rho(W-E) (1 + D^2/(E(W-E))) f(W-E) (1 + n(W)), W > E + D."""

    def g(W: float) -> float:  # times (W - E - D)^(-1/2) from the weight
        Ep = W - E
        rho_times_root = Ep / math.sqrt(Ep + d)
        return (
            sp(W) * rho_times_root * (1 + d * d / (E * Ep)) * fermi(Ep, lam, T) * (1 + bose(W, T))
        )

    return edge_quad(g, E + d, sp)


def kaplan_generation(E: float, d: float, T: float, sp: Spectrum, lam: float) -> float:
    """Same with the partner empty and a phonon absorbed: (1 - f(W-E)) n(W)."""

    def g(W: float) -> float:
        Ep = W - E
        occ = float(expit((Ep + lam) / T))
        return sp(W) * Ep / math.sqrt(Ep + d) * (1 + d * d / (E * Ep)) * occ * bose(W, T)

    return edge_quad(g, E + d, sp)


def kaplan_absorption(E: float, d: float, T: float, sp: Spectrum, lam: float) -> float:
    """Kaplan's absorption term: 2pi int_0 dW a2F rho(E+W) (1 - D^2/(E(E+W))) (1 - f(E+W)) n(W)."""

    def g(W: float) -> float:  # times W^(-1/2)
        Ep = E + W
        rho_times_root = Ep / math.sqrt(Ep + d) if d > 0 else 1.0 * math.sqrt(W)
        coherence = 1 - d * d / (E * Ep) if d > 0 else 1.0
        occ = float(expit((Ep + lam) / T))
        return sp(W) * rho_times_root * coherence * occ * bose(W, T) if W > 0 else 0.0

    return edge_quad(g, max(E - d, 0.0), sp)


CASES = [
    (d, T, lam, name)
    for name in SPECTRA
    for d in (0.02, 0.07, 0.15)
    for T in (0.01, 0.05, 0.3)
    for lam in (0.0, 0.1, -0.05)
]


@pytest.mark.parametrize(("d", "T", "lam", "name"), CASES)
def test_rates_equal_kaplans_forms_at_the_gap_edge(
    d: float, T: float, lam: float, name: str
) -> None:
    """The sqrt factors of eqs. C3-C5 are Kaplan's rho(E')(1 +- D^2/(E E')) at E = Delta."""
    sp = SPECTRA[name]
    assert rates.generation_rate(d, T, sp, lam) == pytest.approx(
        kaplan_generation(d, d, T, sp, lam), rel=2e-7, abs=1e-300
    )
    assert rates.recombination_rate(d, T, sp, lam) == pytest.approx(
        kaplan_recombination(d, d, T, sp, lam), rel=2e-7, abs=1e-300
    )
    assert rates.scattering_rate(d, T, sp, lam) == pytest.approx(
        kaplan_absorption(d, d, T, sp, lam), rel=2e-7, abs=1e-300
    )


@pytest.mark.parametrize(("d", "T", "lam"), [(0.07, 0.003, -0.2), (0.03, 2.0, 0.0)])
def test_fermi_sea_and_high_T_are_integrated_accurately(d: float, T: float, lam: float) -> None:
    sp = SPECTRA["peak+debye"]
    assert rates.recombination_rate(d, T, sp, lam) == pytest.approx(
        kaplan_recombination(d, d, T, sp, lam), rel=1e-7
    )


def test_zero_gap_recombination() -> None:
    sp, T, lam = SPECTRA["peak+debye"], 0.02, -0.1

    def g(W: float) -> float:
        return sp(W) * math.sqrt(W) * fermi(W, lam, T) * (1 + bose(W, T)) if W else 0.0

    assert rates.recombination_rate(0.0, T, sp, lam) == pytest.approx(
        edge_quad(g, 0.0, sp), rel=1e-7
    )


def test_flat_spectrum_generation_rate_has_the_bessel_closed_form() -> None:
    """int_2D dW sqrt(W/(W-2D)) e^{-W/T} = D e^{-D/T} (K0 + K1)(D/T) (W = D(1 + cosh t))."""
    d = 0.1
    T = d / np.array([20.0, 30.0, 60.0])
    z = d / T
    exact = 2 * math.pi * 0.7 * d * np.exp(-2 * z) * (k0e(z) + k1e(z))
    # the numerics keep the full Fermi and Bose factors: they differ by O(e^{-D/T}) <= 2e-9
    np.testing.assert_allclose(rates.generation_rate(d, T, FLAT), exact, rtol=5e-9)


def test_low_T_generation_rate_error_is_T_over_8_Delta() -> None:
    """Gamma_g / (2 pi^{3/2} a2F sqrt(2 D T) e^{-2D/T}) - 1 = x/8 - 3x^2/128 + O(x^3), x = T/D."""
    d = 0.1
    x = np.linspace(0.01, 0.06, 6)
    ratio = rates.generation_rate(d, x * d, FLAT) / rates.generation_rate_asymptotic(d, x * d, FLAT)
    slope, intercept = np.polyfit(x, (ratio - 1) / x, 1)
    assert intercept == pytest.approx(1 / 8, rel=2e-3)
    assert slope == pytest.approx(-3 / 128, rel=0.05)
    # and the error really is first order: halving T halves it
    assert (ratio[0] - 1) / (ratio[1] - 1) == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize(
    ("rate", "lowT", "slope"),
    [
        # Kaplan et al. (1976) low-T forms for a2F = b W^2, at E = Delta
        (
            rates.recombination_rate,
            lambda b, d, T: (
                2
                * math.pi
                * b
                * math.sqrt(math.pi)
                * (2 * d) ** 2.5
                * math.sqrt(T)
                * math.exp(-d / T)
            ),
            5 / 8,
        ),
        (
            rates.generation_rate,
            lambda b, d, T: (
                2
                * math.pi
                * b
                * math.sqrt(math.pi)
                * (2 * d) ** 2.5
                * math.sqrt(T)
                * math.exp(-2 * d / T)
            ),
            5 / 8,
        ),
        (
            rates.scattering_rate,
            lambda b, d, T: 2 * math.pi * b * gamma(3.5) * zeta(3.5) * T**3.5 / math.sqrt(2 * d),
            -7 / 8 * zeta(4.5) / zeta(3.5),
        ),
    ],
)
def test_debye_rates_approach_kaplans_low_T_limits(
    rate: Callable[..., float], lowT: Callable[[float, float, float], float], slope: float
) -> None:
    b, d = 2.0, 0.1
    sp = Debye(b, 10.0)
    x = np.array([0.01, 0.015, 0.02, 0.03])
    err = np.array([rate(d, xi * d, sp) / lowT(b, d, xi * d) - 1 for xi in x])
    first, _ = np.polyfit(x, err / x, 1)[::-1]
    assert first == pytest.approx(slope, rel=0.02)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.0, 0.3),
    st.floats(0.005, 0.5),
    st.sampled_from(sorted(SPECTRA)),
)
def test_detailed_balance_at_zero_lam(d: float, T: float, name: str) -> None:
    """(1 - f(D)) Gamma_g = f(D) Gamma_r at lam = 0: C3 balances C5 with f(D), not (1 - f(D))."""
    sp = SPECTRA[name]
    g, r = rates.generation_rate(d, T, sp), rates.recombination_rate(d, T, sp)
    fD = fermi(d, 0.0, T)
    assert (1 - fD) * g == pytest.approx(fD * r, rel=1e-10, abs=1e-300)
    # as printed, both carry (1 - f(D)): then C3 / C5 = e^{-D/T}, not 1
    if r > 1e-250:
        assert g / r == pytest.approx(math.exp(-d / T), rel=1e-10)


@pytest.mark.parametrize("lam", [0.05, -0.05])
def test_trapped_distribution_breaks_the_balance_towards_equilibrium(lam: float) -> None:
    """Too few quasi-particles (lam > 0): net generation; too many (lam < 0): net recombination."""
    sp, d, T = SPECTRA["k3c60"], 0.07, 0.05
    fD = fermi(d, lam, T)
    net = (1 - fD) * rates.generation_rate(d, T, sp, lam) - fD * rates.recombination_rate(
        d, T, sp, lam
    )
    assert np.sign(net) == np.sign(lam)


def pair_rate_reference(
    gen: bool, d: float, T: float, sp: Spectrum, nu: float, lam: float
) -> float:
    """8 pi nu int dW a2F B(W) int_D^{W-D} dE (E E' + D^2)/sqrt((E^2-D^2)(E'^2-D^2)) F(E) F(E')."""

    def inner(W: float) -> float:
        def h(E: float) -> float:  # times (E - D)^{-1/2} (W - D - E)^{-1/2}
            Ep = W - E
            F = (
                expit((E + lam) / T) * expit((Ep + lam) / T)
                if gen
                else fermi(E, lam, T) * fermi(Ep, lam, T)
            )
            return (E * Ep + d * d) / math.sqrt((E + d) * (Ep + d)) * F

        return quad(h, d, W - d, weight="alg", wvar=(-0.5, -0.5), epsabs=0, epsrel=1e-11)[0]

    B = bose if gen else (lambda W, T: 1 + bose(W, T))
    pts = [k for k in sp.knots if 2 * d < k < sp.omega_max]
    outer = quad(
        lambda W: sp(W) * B(W, T) * inner(W),
        2 * d,
        sp.omega_max,
        points=pts,
        limit=300,
        epsabs=0,
        epsrel=1e-9,
    )[0]
    return 8 * math.pi * nu * outer


@pytest.mark.parametrize(
    ("d", "T", "lam"), [(0.07, 0.05, 0.0), (0.07, 0.05, 0.1), (0.03, 0.1, 0.02)]
)
def test_pair_rates_per_site_match_a_double_quad(d: float, T: float, lam: float) -> None:
    sp, nu = SPECTRA["k3c60"], 0.6
    G = rates.pair_generation_rate(d, T, sp, nu, lam)
    R = rates.pair_recombination_rate(d, T, sp, nu, lam)
    assert G == pytest.approx(pair_rate_reference(True, d, T, sp, nu, lam), rel=1e-7)
    assert R == pytest.approx(pair_rate_reference(False, d, T, sp, nu, lam), rel=1e-7)


def test_pair_rates_balance_at_zero_lam_and_follow_rothwarf_taylor_at_low_T() -> None:
    sp, nu, d = FLAT, 0.6, 0.1
    T = np.array([0.002, 0.004])
    G = rates.pair_generation_rate(d, T, sp, nu)
    np.testing.assert_allclose(rates.pair_recombination_rate(d, T, sp, nu), G, rtol=1e-12)
    # R = (pi a2F(2D) / nu) n^2 for Boltzmann quasi-particles, n = 4 nu int dxi f(E) (eq. 11)
    lam = 0.05
    for Ti in T:
        n = 4 * nu * quad(lambda xi, Ti=Ti: fermi(math.hypot(xi, d), lam, Ti), 0, 1)[0]
        R = rates.pair_recombination_rate(d, Ti, sp, nu, lam)
        assert R == pytest.approx(math.pi * 0.7 / nu * n**2, rel=1.2 * Ti / d)


def test_per_site_generation_is_per_state_rate_times_gap_edge_states() -> None:
    """Bookkeeping: for T << Delta, G = 2 nu sqrt(2 pi Delta T) Gamma_g(Delta) per site; the factor
    is the number of gap-edge states per site, 4 nu int dE rho(E) e^{-(E - Delta)/T}."""
    d, nu, lam = 0.1, 0.6, 0.05
    for x in (0.02, 0.04):
        T = x * d
        G = rates.pair_generation_rate(d, T, FLAT, nu, lam)
        per_state = rates.generation_rate(d, T, FLAT, lam)
        ratio = G / (2 * nu * math.sqrt(2 * math.pi * d * T) * per_state)
        assert ratio == pytest.approx(1.0, abs=x)


def test_eq12_13_corrected_and_the_bound_is_64_8_not_45_9() -> None:
    sp, d, T = FLAT, 0.1, 0.004
    # tau_g = tau_0 (2D/T)^{1/2} e^{2D/T} with tau_0^{-1} = 2 pi^{3/2} a2F(2D) * 2D (an energy!)
    assert rates.generation_time_asymptotic(d, T, sp) == pytest.approx(
        rates.tau0(d, sp) * rates.activation_factor(2 * d / T), rel=1e-12
    )
    assert 1 / rates.generation_rate(d, T, sp) == pytest.approx(
        rates.generation_time_asymptotic(d, T, sp) / (1 + T / (8 * d)), rel=1e-3
    )
    # eq. 13 as printed, 2 pi^{3/2} a2F, misses the energy 2 Delta: wrong by 2D in any units
    assert rates.tau0(d, sp) * 2 * math.pi**1.5 * 0.7 == pytest.approx(1 / (2 * d))
    # sqrt(3.54) e^3.54 = 64.849 (DESIGN.md rounds it to 64.9); exact BCS 2D0/Tc = 3.5278 gives 63.9
    assert rates.activation_factor(3.54) == pytest.approx(64.849, abs=1e-3)
    assert rates.activation_factor(2 * math.pi * math.exp(-np.euler_gamma)) == pytest.approx(
        63.949, abs=1e-3
    )
    assert round(math.sqrt(3.54 / 2) * math.exp(3.54), 1) == 45.9  # the paper's number


def test_zero_temperature_limits() -> None:
    sp = SPECTRA["peak+debye"]
    assert rates.generation_rate(0.05, 0.0, sp) == 0.0
    assert rates.scattering_rate(0.05, 0.0, sp) == 0.0
    assert rates.recombination_rate(0.05, 0.0, sp) == 0.0  # no partner quasi-particles
    # a Fermi sea up to E = -lam: W from 2D to D - lam
    d, lam = 0.05, -0.2
    expected = edge_quad(lambda W: sp(W) * math.sqrt(W) if W < d - lam else 0.0, 2 * d, sp)
    assert rates.recombination_rate(d, 0.0, sp, lam) == pytest.approx(expected, rel=1e-6)


def test_broadcasting_and_scalars() -> None:
    sp = SPECTRA["k3c60"]
    d = np.linspace(0.0, 0.2, 5)[:, None]
    T = np.array([0.02, 0.1])
    for rate in (rates.generation_rate, rates.scattering_rate, rates.recombination_rate):
        out = rate(d, T, sp)
        assert out.shape == (5, 2)
        assert out[3, 1] == pytest.approx(rate(float(d[3, 0]), 0.1, sp), rel=1e-13)
        assert isinstance(rate(0.1, 0.1, sp), float)
    assert rates.pair_generation_rate(d, T, sp, 0.6).shape == (5, 2)


def test_physical_units() -> None:
    omega_meV = 90.0
    per_s = omega_meV * 1e-3 * constants.e / constants.hbar
    assert rates.rate_per_s(1.0, omega_meV) == pytest.approx(per_s, rel=1e-12)
    assert rates.time_ns(2.0, omega_meV) == pytest.approx(1e9 / (2 * per_s), rel=1e-12)
    assert rates.time_ns(0.0, omega_meV) == math.inf


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"delta": -0.1}, "delta"), ({"T": math.nan}, "T"), ({"lam": math.inf}, "lam")],
)
def test_bad_inputs_name_the_parameter(kwargs: dict[str, float], name: str) -> None:
    args = {"delta": 0.1, "T": 0.05, "lam": 0.0, **kwargs}
    with pytest.raises(ValueError, match=name):
        rates.generation_rate(args["delta"], args["T"], SPECTRA["debye"], args["lam"])


def test_a_spectrum_is_required() -> None:
    from photosc.physics import rates

    for rate in (rates.generation_rate, rates.scattering_rate, rates.recombination_rate):
        with pytest.raises(ValueError, match="spectrum"):
            rate(0.05, 0.01, None)  # type: ignore[arg-type]
