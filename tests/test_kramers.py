"""Kramers' rate against simulated escape from an analytic cubic metastable well."""

from __future__ import annotations

import math

import numpy as np
import pytest

from photosc.physics.dynamics import ForceTable, escape_rate, simulate
from photosc.physics.kramers import kramers_rate_from_curvatures

#: V(Q) = (Q - 2)^2 / 2 + (Q - 2)^3 / 3: metastable minimum at Q_MS = 2 (V'' = 1), barrier top at
#: Q_B = 1 (V'' = -1), barrier 1/6, and beyond it a downhill run towards Q = 0.
CUBIC = ForceTable.from_callable(lambda q: -(q - 2.0) - (q - 2.0) ** 2, -1.0, 5.0)
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
        q_arm=1.0, q_exit=0.0, absorb=True, workers=2,
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
