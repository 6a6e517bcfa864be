"""Kramers' rate against simulated escape from an analytic cubic metastable well."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from photosc.physics.dynamics import ForceTable, escape_rate, simulate
from photosc.physics.kramers import (
    depopulation_factor,
    kramers_rate,
    kramers_rate_from_curvatures,
    kramers_turnover_rate,
    orbit_action,
    well_parameters,
)

#: V(Q) = (Q - 2)^2 / 2 + (Q - 2)^3 / 3: metastable minimum at Q_MS = 2 (V'' = 1), barrier top at
#: Q_B = 1 (V'' = -1), barrier 1/6, and beyond it a downhill run towards Q = 0.
CUBIC = ForceTable.from_callable(lambda q: -(q - 2.0) - (q - 2.0) ** 2, -1.0, 5.0)


def cubic_potential(q: np.ndarray) -> np.ndarray:
    return (q - 2.0) ** 2 / 2 + (q - 2.0) ** 3 / 3


BARRIER = 1.0 / 6.0


@pytest.mark.parametrize(("ratio", "n_traj"), [(3.0, 4096), (5.0, 4096), (8.0, 4096)])
def test_simulated_escape_matches_kramers_at_moderate_damping(ratio: float, n_traj: int) -> None:
    """gamma = omega_B = 1 (moderate: gamma * S_B / T >= 19, so energy diffusion is not limiting).

    Each run is watched for 1.2/k, so ~70% of 4096 trajectories escape (~2800): the statistical
    error of the censored estimate is ~1.9%. The finite-barrier
    correction of the curvature formula (mostly the anharmonic well's partition function) is about
    -9% at barrier/T = 3 and fades as T/barrier; with 3 sigma of statistics both fit in 15%.
    """
    gamma = 1.0
    T = BARRIER / ratio
    k = kramers_rate_from_curvatures(BARRIER, 1.0, 1.0, T, gamma)
    r = simulate(
        CUBIC, gamma=gamma, T=T, t_end=1.2 / k, dt=0.1, n_traj=n_traj, Q0=2.0, seed=2,
        q_arm=1.0, q_exit=0.0, absorb=True, threads=2,
    )  # fmt: skip
    rate, err = escape_rate(r.escape_time, r.t_end)
    assert err / rate < 0.025
    assert rate / k == pytest.approx(1.0, abs=0.15)


def test_kramers_formula_limits() -> None:
    """TST as gamma -> 0, Smoluchowski omega_MS omega_B / (2 pi gamma) e^{-E/T} as gamma -> inf,
    and the Arrhenius exponent scaling with the number of sites."""
    tst = 0.8 / (2 * math.pi) * math.exp(-2.0)
    assert kramers_rate_from_curvatures(0.2, 0.8, 0.5, 0.1, 0.0) == pytest.approx(tst)
    smol = 0.8 * 0.5 / (2 * math.pi * 1e4) * math.exp(-2.0)
    assert kramers_rate_from_curvatures(0.2, 0.8, 0.5, 0.1, 1e4) == pytest.approx(smol, rel=1e-6)
    ratio = kramers_rate_from_curvatures(0.2, 0.8, 0.5, 0.1, 1.0, sites=np.array([1.0, 3.0]))
    assert ratio[1] / ratio[0] == pytest.approx(math.exp(-4.0))
    with pytest.raises(ValueError, match="T"):
        kramers_rate_from_curvatures(0.2, 0.8, 0.5, -0.1, 1.0)


def test_depopulation_factor_against_its_defining_integral_and_limits() -> None:
    """A(delta) = exp{(1/2pi) int ln[1 - exp(-delta (l^2 + 1/4))] / (l^2 + 1/4) dl} by quad;
    A -> delta (energy diffusion) for small delta, A -> 1 for large delta."""
    for d in (0.05, 0.7, 3.0, 12.0):
        integral = quad(
            lambda lam, d=d: math.log(-math.expm1(-d * (lam * lam + 0.25))) / (lam * lam + 0.25),
            -np.inf,
            np.inf,
            limit=200,
        )[0]
        assert depopulation_factor(d) == pytest.approx(math.exp(integral / (2 * math.pi)), rel=1e-8)
    assert depopulation_factor(1e-6) == pytest.approx(1e-6, rel=1e-2)
    assert depopulation_factor(60.0) == pytest.approx(1.0, abs=1e-6)


def test_orbit_action_of_known_wells() -> None:
    """Harmonic well at energy E: S = 2 pi E / omega; cubic at its barrier: S = 36/5 barrier."""
    assert orbit_action(lambda q: 0.5 * 4.0 * q**2, -1.0, 0.0) == pytest.approx(2 * math.pi)
    assert orbit_action(lambda q: (q - 2) ** 2 / 2 + (q - 2) ** 3 / 3, 1.0, 2.0) == pytest.approx(
        36 / 5 * BARRIER, rel=1e-10
    )


def test_weak_damping_needs_the_turnover_factor() -> None:
    """gamma = 0.03, barrier/T = 5: delta = gamma S_B / T = 1.08, energy diffusion limits escape.
    The moderate-damping formula overestimates the simulated rate by > 2x; with the Mel'nikov-
    Meshkov factor it agrees within 20% (~2000 escapes, 2.2% statistics; the finite-barrier
    correction is larger at weak damping, ~(T/barrier) ln(barrier/T), here about -10%)."""
    gamma, T = 0.03, BARRIER / 5.0
    k = kramers_rate_from_curvatures(BARRIER, 1.0, 1.0, T, gamma)
    k_mm = k * depopulation_factor(gamma * orbit_action(cubic_potential, 1.0, 2.0) / T)
    r = simulate(
        CUBIC, gamma=gamma, T=T, t_end=1.2 / k_mm, dt=0.1, n_traj=3072, Q0=2.0, seed=2,
        q_arm=1.0, q_exit=0.0, absorb=True, threads=2,
    )  # fmt: skip
    rate, err = escape_rate(r.escape_time, r.t_end)
    assert err / rate < 0.025
    assert rate / k < 0.5
    assert rate / k_mm == pytest.approx(1.0, abs=0.2)


# --- the model landscape (K3C60 on its Mott path) ------------------------------------------------


@pytest.mark.parametrize(("ratio", "dt"), [(3.0, 0.05), (6.0, 0.05), (8.0, 0.1)])
def test_kramers_on_the_k3c60_landscape(ratio: float, dt: float) -> None:
    """K3C60 at 1/Z = 3.6 and 100 K (barrier 0.34 T per site): with sites = ratio T / barrier and
    gamma = 1 (moderate) the simulated escape from Q_MS agrees with kramers_rate within 15%
    (2048 trajectories watched for 1.2/k, ~1400 escapes: 2.7% statistics)."""
    from photosc import materials
    from photosc.physics import landscape
    from photosc.units import temperature_from_K

    model = materials.load("K3C60", Z=1 / 3.6)
    T = float(temperature_from_K(100.0, model.omega_meV))
    params = well_parameters(model, T)
    sites = ratio * T / params.barrier
    k = kramers_rate(model, T, 1.0, sites)
    assert k == pytest.approx(params.rate(1.0, sites, turnover=False))
    cp = landscape.critical_points(model, T)
    r = simulate(
        ForceTable.from_model(model, T), gamma=1.0, T=T, t_end=1.2 / k, dt=dt, n_traj=2048,
        Q0=float(cp.Q_MS), sites=sites, seed=1, q_arm=float(cp.Q_B), q_exit=0.0, absorb=True,
        threads=2,
    )  # fmt: skip
    rate, err = escape_rate(r.escape_time, r.t_end)
    assert err / rate < 0.03
    assert rate / k == pytest.approx(1.0, abs=0.15)


def test_well_parameters_match_the_landscape() -> None:
    """Curvatures equal -df/dQ of the force by finite differences; the action exceeds that of the
    harmonic well of curvature omega_MS at the same energy only slightly (soft, anharmonic well)."""
    from photosc import materials
    from photosc.physics import landscape
    from photosc.units import temperature_from_K

    model = materials.load("K3C60", Z=1 / 3.6)
    T = float(temperature_from_K(50.0, model.omega_meV))
    p = well_parameters(model, T)
    cp = landscape.critical_points(model, T)
    for q, w in ((float(cp.Q_MS), p.omega_well), (float(cp.Q_B), p.omega_barrier)):
        h = 1e-5
        slope = (landscape.force(q + h, T, model) - landscape.force(q - h, T, model)) / (2 * h)
        assert w**2 == pytest.approx(abs(slope), rel=1e-6)
    harmonic = 2 * math.pi * p.barrier / p.omega_well
    assert harmonic < p.action < 1.5 * harmonic
    assert kramers_turnover_rate(model, T, 1e-3, 10.0) == pytest.approx(
        p.rate(1e-3, 10.0), rel=1e-12
    )
