"""Thermal escape from the metastable well: Kramers' rate for eq. 6 of the paper.

Internal units: energies and T in hbar*omega, rates and frequencies in omega, gamma in omega.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from photosc._checks import checked, output

if TYPE_CHECKING:
    from photosc.model import Model


def kramers_rate_from_curvatures(
    barrier: ArrayLike,
    omega_well: ArrayLike,
    omega_barrier: ArrayLike,
    T: ArrayLike,
    gamma: ArrayLike,
    sites: ArrayLike = 1.0,
) -> Any:
    """Kramers' escape rate in the moderate-to-strong damping (spatial-diffusion) regime.

        k = (sqrt(gamma^2/4 + omega_B^2) - gamma/2) / omega_B * omega_MS / (2 pi)
            * exp(-sites * barrier / T)

    (Kramers 1940; the Markovian Grote-Hynes form; Haenggi, Talkner, Borkovec, RMP 62, 251,
    eq. 4.10). barrier: F(Q_B) - F(Q_MS) per site, in hbar*omega; omega_well, omega_barrier: the
    curvature frequencies sqrt(|F''|) at Q_MS and Q_B (M = 1), in omega; T in hbar*omega; gamma in
    omega; sites: the number of sites moving together (barrier x sites; the curvatures do not
    change because mass and stiffness both scale with it). Returns k in omega.

    Valid for barrier * sites / T >> 1 and gamma * S_B / T >~ 1, S_B the action of the well
    orbit at the barrier energy (~ 2 pi barrier / omega_MS). At weaker damping escape is
    limited by energy diffusion and this formula overestimates the rate (the Kramers turnover).
    It tends to transition-state theory omega_MS/(2 pi) exp(-barrier/T) as gamma -> 0.
    """
    barrier = checked("barrier", barrier, positive=True)
    w0 = checked("omega_well", omega_well, positive=True)
    wb = checked("omega_barrier", omega_barrier, positive=True)
    T = checked("T", T, positive=True)
    gamma = checked("gamma", gamma, nonnegative=True)
    sites = checked("sites", sites, positive=True)
    transmission = (np.sqrt(0.25 * gamma**2 + wb**2) - 0.5 * gamma) / wb
    return output(transmission * w0 / (2.0 * math.pi) * np.exp(-sites * barrier / T))


def _curvature(model: Model, T: float, Q: float) -> float:
    """-df/dQ = F''(Q) of the landscape by a 4th-order central difference of its analytic force."""
    from photosc.physics import landscape

    h = 1e-3 * max(1.0, abs(Q))
    f = np.asarray(landscape.force(Q + h * np.array([-2.0, -1.0, 1.0, 2.0]), T, model))
    return float(-(f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h))


def well_frequencies(model: Model, T: float) -> tuple[float, float]:
    """(omega_MS, omega_B): sqrt(|F''|) of the landscape F(Q, T) at Q_MS and Q_B, in omega.

    Raises ValueError if the landscape of ``model`` at T (hbar*omega) has no metastable minimum.
    """
    from photosc.physics import landscape

    T = float(checked("T", T, nonnegative=True))
    cp = landscape.critical_points(model, T)
    if not np.isfinite(cp.Q_MS):
        raise ValueError(f"the landscape has no metastable minimum at T={T!r}")
    return (
        math.sqrt(abs(_curvature(model, T, float(cp.Q_MS)))),
        math.sqrt(abs(_curvature(model, T, float(cp.Q_B)))),
    )


def kramers_rate(model: Model, T: float, gamma: float, sites: float = 1.0) -> float:
    """Kramers' rate (``kramers_rate_from_curvatures``) of escape from Q_MS over Q_B back to the
    Q = 0 basin of the adiabatic landscape F(Q, T) of ``model`` (eqs. 5-7 of the paper).

    T in hbar*omega (> 0), gamma in omega, sites as in ``dynamics.simulate``; the rate is in omega.
    Raises ValueError if there is no metastable minimum at T.
    """
    from photosc.physics import landscape

    T = float(checked("T", T, positive=True))
    w_ms, w_b = well_frequencies(model, T)
    cp = landscape.critical_points(model, T)
    barrier = float(cp.F_B) - float(cp.F_MS)
    return float(kramers_rate_from_curvatures(barrier, w_ms, w_b, T, gamma, sites))
