"""Independent mpmath re-derivations of the BCS integrals (slow, exact to ~1e-20)."""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 30


def _points(T: float, c: float, *extra: float) -> list:
    pts = {0.0, c, *[k * T for k in (1, 4, 16, 40, 100) if 0 < k * T < c]}
    pts |= {e for e in extra if 0 < e < c}
    return sorted(pts)


def gap_integral(delta: float, T: float, lam: float = 0.0, c: float = 1.0) -> mp.mpf:
    """int_0^c dxi tanh((E + lam)/2T)/E, straight from eq. 10."""
    E = lambda xi: mp.sqrt(xi**2 + mp.mpf(delta) ** 2)  # noqa: E731
    if T == 0:
        f = lambda xi: mp.sign(E(xi) + lam) / E(xi)  # noqa: E731
    else:
        f = lambda xi: mp.tanh((E(xi) + lam) / (2 * T)) / E(xi)  # noqa: E731
    edge = mp.sqrt(lam**2 - delta**2) if lam < -delta else -1.0
    return mp.quad(f, _points(T, c, edge))


def gap(lam_eff: float, T: float, c: float = 1.0) -> float:
    """Thermal gap by mpmath root finding on eq. 10 (lam = 0)."""
    d0 = c / mp.sinh(1 / mp.mpf(lam_eff))
    if T == 0:
        return float(d0)
    g = lambda d: gap_integral(d, T, 0.0, c) - 1 / mp.mpf(lam_eff)  # noqa: E731
    return float(mp.findroot(g, (d0 * mp.mpf("1e-12"), d0), solver="illinois", tol=1e-28))


def critical_temperature(lam_eff: float, c: float = 1.0) -> float:
    g = lambda T: mp.quad(lambda x: mp.tanh(x) / x, [0, c / (2 * T)]) - 1 / mp.mpf(lam_eff)  # noqa: E731
    guess = 1.134 * c * mp.exp(-1 / mp.mpf(lam_eff))
    return float(mp.findroot(g, (guess / 3, guess * 3), solver="illinois", tol=1e-28))


def density(delta: float, T: float, nu: float, lam: float = 0.0, c: float = 1.0) -> float:
    """4 nu int_0^c dxi f(E + lam), eq. 11."""
    f = lambda xi: 1 / (mp.exp((mp.sqrt(xi**2 + delta**2) + lam) / T) + 1)  # noqa: E731
    edge = mp.sqrt(lam**2 - delta**2) if lam < -delta else -1.0
    return float(4 * nu * mp.quad(f, _points(T, c, edge)))


def free_energy(delta: float, U: float, T: float, nu: float, c: float = 1.0) -> float:
    """Eq. 7 at Delta minus eq. 7 at Delta = 0, each term integrated as printed."""

    def eq7(d: float) -> mp.mpf:
        E = lambda xi: mp.sqrt(xi**2 + mp.mpf(d) ** 2)  # noqa: E731
        F = d**2 / mp.mpf(U) - 2 * nu * mp.quad(lambda xi: E(xi) - xi, [0, c])
        if T > 0:
            F -= 4 * nu * T * mp.quad(lambda xi: mp.log(1 + mp.exp(-E(xi) / T)), _points(T, c))
        return F

    return float(eq7(delta) - eq7(0.0))
