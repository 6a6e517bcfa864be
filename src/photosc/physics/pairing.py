"""The Q-dependent pairing attraction of the paper (eqs. 5 and 14).

Internal units: energies in hbar*omega, Q in l0, g is g*l0/omega, so M*omega^2 = 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from photosc._checks import broadcast, checked, output


def effective_splitting(Q: ArrayLike, dE: ArrayLike, g: ArrayLike) -> Any:
    """Hybridised splitting Delta_eff = sqrt(dE^2 + 4 g^2 Q^2) (below eq. 5), in hbar*omega."""
    Q, dE, g = broadcast(
        Q=checked("Q", Q), dE=checked("dE", dE, positive=True), g=checked("g", g, nonnegative=True)
    )
    return output(np.sqrt(dE**2 + 4.0 * g**2 * Q**2))


def attraction(Q: ArrayLike, dE: ArrayLike, g: ArrayLike, U0: ArrayLike) -> Any:
    """Pairing attraction U(Q) = U0 + g^2 * 4 g^2 Q^2 / Delta_eff^2 (eq. 5 of the paper).

    Q in l0, dE and U0 in hbar*omega, g = g*l0/omega. Returns U in hbar*omega. U grows from U0
    at Q = 0 to U0 + g^2 as |Q| -> infinity.
    """
    Q, dE, g, U0 = broadcast(
        Q=checked("Q", Q),
        dE=checked("dE", dE, positive=True),
        g=checked("g", g, nonnegative=True),
        U0=checked("U0", U0, nonnegative=True),
    )
    x = 4.0 * g**2 * Q**2
    # x / (dE^2 + x) = 1 / ((dE^2 / x) + 1), 0 at x = 0 (no 0/0 when dE^2 underflows)
    with np.errstate(divide="ignore"):
        return output(U0 + g**2 / (dE**2 / x + 1.0))


def attraction_slope(Q: ArrayLike, dE: ArrayLike, g: ArrayLike) -> Any:
    """dU/dQ = 8 g^4 dE^2 Q / Delta_eff^4, the derivative of eq. 5, in hbar*omega / l0."""
    Q, dE, g = broadcast(
        Q=checked("Q", Q), dE=checked("dE", dE, positive=True), g=checked("g", g, nonnegative=True)
    )
    d_eff = np.hypot(dE, 2.0 * g * Q)  # Delta_eff without underflow of its fourth power
    return output(8.0 * g**4 * Q * (dE / d_eff) ** 2 / d_eff**2)


def oscillating_attraction(Q2: ArrayLike, dE: ArrayLike, g: ArrayLike) -> Any:
    """Attraction from an oscillating phonon, U = 4 g^4 dE^2 <Q^2> / (dE^2 - 1)^2 (eq. 14).

    Q2 = <Q^2> in l0^2, dE in hbar*omega (the factor (dE^2 - omega^2) becomes dE^2 - 1).
    Eq. E35 of Appendix E has 2 g^4 dE^2 / (...) in front of sum n_up n_down: half of eq. 14.
    The factor 2 is the spin-sum convention (whether the up-down and down-up orderings are
    counted once or twice). We follow the main text, eq. 14; multiply by 1/2 for eq. E35.
    Diverges at the resonance dE = 1, which is rejected.
    """
    Q2, dE, g = broadcast(
        Q2=checked("Q2", Q2, nonnegative=True),
        dE=checked("dE", dE, positive=True),
        g=checked("g", g, nonnegative=True),
    )
    if np.any(dE == 1.0):
        raise ValueError("dE must differ from 1 (the phonon energy): eq. 14 diverges at resonance")
    return output(4.0 * g**4 * dE**2 * Q2 / (dE**2 - 1.0) ** 2)
