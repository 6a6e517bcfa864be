"""Thermal escape from the metastable well: Kramers' rate for eq. 6 of the paper.

Internal units: energies and T in hbar*omega, rates and frequencies in omega, gamma in omega.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from photosc._checks import FloatArray, broadcast, checked, output

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
    change because mass and stiffness both scale with it). Returns k in omega. The transmission
    factor is evaluated as omega_B / (sqrt(gamma^2/4 + omega_B^2) + gamma/2), the same number
    without the cancellation of the first form at gamma >> omega_B.

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
    barrier, w0, wb, T, gamma, sites = broadcast(
        barrier=barrier, omega_well=w0, omega_barrier=wb, T=T, gamma=gamma, sites=sites
    )
    # hypot: no overflow of gamma^2 at gamma ~ 1e200
    transmission = wb / (np.hypot(0.5 * gamma, wb) + 0.5 * gamma)
    return output(transmission * w0 / (2.0 * math.pi) * np.exp(-sites * barrier / T))


@dataclass(frozen=True)
class WellParameters:
    """What escape from the metastable well of F(Q, T) depends on, per site (M = 1).

    barrier = F(Q_B) - F(Q_MS) in hbar*omega; omega_well, omega_barrier = sqrt(|F''|) at Q_MS and
    Q_B in omega; action = ``orbit_action`` at the barrier energy in hbar; T in hbar*omega.
    """

    T: float
    barrier: float
    omega_well: float
    omega_barrier: float
    action: float

    def rate(self, gamma: ArrayLike, sites: ArrayLike = 1.0, turnover: bool = True) -> Any:
        """Escape rate in omega: ``kramers_rate_from_curvatures``, times the Mel'nikov-Meshkov
        ``depopulation_factor`` A(gamma * sites * action / T) if ``turnover``."""
        k = kramers_rate_from_curvatures(
            self.barrier, self.omega_well, self.omega_barrier, self.T, gamma, sites
        )
        if not turnover:
            return k
        gamma = checked("gamma", gamma, positive=True)  # A(0) = 0: no escape without friction
        delta = gamma * np.asarray(sites) * self.action / self.T
        return output(np.asarray(k) * np.asarray(depopulation_factor(delta)))


def well_parameters(model: Model, T: float) -> WellParameters:
    """``WellParameters`` of the adiabatic landscape F(Q, T) of ``model`` (eqs. 5-7 of the paper)
    at T (hbar*omega, > 0). Curvatures from ``landscape.curvature`` (analytic). Raises ValueError
    if there is no metastable minimum at T. Cached per (model, T).
    """
    from photosc.physics import landscape

    return _well_parameters(landscape._model(model), float(checked("T", T, positive=True)))


@functools.lru_cache(maxsize=256)
def _well_parameters(model: Model, T: float) -> WellParameters:
    from photosc.physics import landscape

    cp = landscape.critical_points(model, T)
    if not np.isfinite(cp.Q_MS):
        raise ValueError(f"the landscape has no metastable minimum at T={T!r} hbar*omega")
    q_b, q_ms = float(cp.Q_B), float(cp.Q_MS)
    curvatures = np.abs(np.asarray(landscape.curvature(np.array([q_ms, q_b]), T, model)))
    action = orbit_action(lambda q: landscape.free_energy(q, T, model), q_b, q_ms)
    return WellParameters(
        T=T,
        barrier=float(cp.F_B) - float(cp.F_MS),
        omega_well=math.sqrt(float(curvatures[0])),
        omega_barrier=math.sqrt(float(curvatures[1])),
        action=action,
    )


def _model_rate(
    model: Model, T: ArrayLike, gamma: ArrayLike, sites: ArrayLike, turnover: bool
) -> Any:
    """Escape rate broadcast over (T, gamma, sites): one landscape analysis per distinct T."""
    T_, gamma_, sites_ = broadcast(
        T=checked("T", T, positive=True),
        gamma=checked("gamma", gamma, nonnegative=True),
        sites=checked("sites", sites, positive=True),
    )
    out = np.empty(T_.shape)
    for t in np.unique(T_):
        at = T_ == t
        out[at] = well_parameters(model, float(t)).rate(gamma_[at], sites_[at], turnover)
    return output(out)


def kramers_rate(model: Model, T: ArrayLike, gamma: ArrayLike, sites: ArrayLike = 1.0) -> Any:
    """Kramers' rate (``kramers_rate_from_curvatures``, moderate-to-strong damping) of escape from
    Q_MS over Q_B back to the Q = 0 basin of the adiabatic landscape F(Q, T) of ``model``
    (eqs. 5-7 of the paper). T in hbar*omega (> 0), gamma in omega, sites as in
    ``dynamics.simulate``, all broadcast; the rate is in omega. Raises ValueError if there is
    no metastable minimum at some T. For weak damping use ``kramers_turnover_rate``.
    """
    return _model_rate(model, T, gamma, sites, turnover=False)


def kramers_turnover_rate(
    model: Model, T: ArrayLike, gamma: ArrayLike, sites: ArrayLike = 1.0
) -> Any:
    """Escape rate for any damping: A(delta) * ``kramers_rate`` with the Mel'nikov-Meshkov
    ``depopulation_factor`` A and delta = gamma * sites * S_B / T (S_B the ``orbit_action`` at the
    barrier energy; the coordinate of N sites feels T / N). It tends to Kramers' energy-diffusion
    rate gamma S_B N / T * omega_MS / (2 pi) * exp(-N barrier / T) at weak damping (the regime of
    a 10 ps ring-down) and to ``kramers_rate`` at moderate damping. Units as ``kramers_rate``;
    gamma > 0.
    """
    return _model_rate(model, T, gamma, sites, turnover=True)


_THETA, _THETA_W = np.polynomial.legendre.leggauss(96)


def depopulation_factor(delta: ArrayLike) -> Any:
    """Mel'nikov-Meshkov factor A(delta) bridging weak and moderate damping (Kramers turnover).

        A = exp{(1/2 pi) int_-inf^inf dl ln[1 - exp(-delta (l^2 + 1/4))] / (l^2 + 1/4)}

    (Mel'nikov and Meshkov, J. Chem. Phys. 85, 1018 (1986); Haenggi, Talkner, Borkovec, RMP 62,
    251, Sec. IV.C), evaluated as (2/pi) int_0^{pi/2} ln(1 - exp(-delta / (4 cos^2 t))) dt.
    delta = gamma * S_B / T is the energy lost per orbit at the barrier energy in units of T.
    A -> delta (Kramers' energy-diffusion limit) as delta -> 0 and A -> 1 as delta -> inf.
    """
    d = checked("delta", delta, positive=True)
    theta = 0.25 * np.pi * (_THETA + 1.0)  # Gauss-Legendre on (0, pi/2)
    x = d[..., None] / (4.0 * np.cos(theta) ** 2)
    integral = 0.25 * np.pi * np.sum(_THETA_W * np.log(-np.expm1(-x)), axis=-1)
    return output(np.exp(2.0 / np.pi * integral))


def orbit_action(F: Callable[[FloatArray], ArrayLike], Q_B: float, Q_MS: float) -> float:
    """Action S_B = closed-orbit integral of P dQ of the well orbit at the barrier energy (M = 1):
    2 int sqrt(2 (F(Q_B) - F(Q))) dQ from Q_B to the turning point beyond Q_MS, in l0^2 omega.

    F is the potential per unit mass (vectorised), Q_B the barrier top, Q_MS the well minimum.
    """
    f_b = float(np.asarray(F(np.array([Q_B])))[0])
    step = abs(Q_MS - Q_B)
    far = Q_MS + step
    while float(np.asarray(F(np.array([far])))[0]) < f_b:
        far += step
        if abs(far - Q_MS) > 1e3 * step:
            raise RuntimeError("no turning point: the well does not close above the barrier energy")
    turn = brentq(lambda q: float(np.asarray(F(np.array([q])))[0]) - f_b, Q_MS, far, xtol=1e-13)
    lo, hi = min(Q_B, turn), max(Q_B, turn)
    q = lo + (hi - lo) * _ORBIT_Q
    p = np.sqrt(np.maximum(2.0 * (f_b - np.asarray(F(q), dtype=float)), 0.0))
    return float(2.0 * (hi - lo) * np.sum(_ORBIT_W * p))


def _orbit_rule() -> tuple[FloatArray, FloatArray]:
    """200-point Gauss-Legendre rule for int_lo^hi g(Q) dQ in Q = lo + (hi - lo) (1 - cos u)/2,
    u in (0, pi), which removes the square-root zeros at both turning points: nodes as fractions
    of hi - lo, weights per unit (hi - lo) including dQ/du."""
    x, w = np.polynomial.legendre.leggauss(200)
    u = 0.5 * np.pi * (x + 1.0)
    return 0.5 * (1.0 - np.cos(u)), 0.25 * np.pi * w * np.sin(u)


_ORBIT_Q, _ORBIT_W = _orbit_rule()
