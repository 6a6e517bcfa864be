"""Compiled lowest eigenvalue of one sector of eq. A1 (``photosc.physics.pairing``), point by point.

In the phonon-major basis |n, e> (n phonons, e an electronic state of the sector, index n d + e)
the sector Hamiltonian H = (n + 1/2) - dE S^z + 2 g (Q + Q~) S^x is banded: S^z and Q S^x
couple states of one n, Q~ = (a + a^+)/sqrt(2) couples n to n + 1, so the half-bandwidth is
2 d - 1. Its lowest eigenvalue comes from shifted inverse iteration on the band:

- a shift sigma is below the ground energy E exactly when the Cholesky factorisation of
  H - sigma succeeds (Sylvester's law of inertia: no negative pivot), so each factorisation
  that succeeds is a certified lower bound on E; one that fails halves the step back towards the
  last certified bound (at first the Gershgorin bound, below every eigenvalue);
- with x the normalised iterate, rho = x.Hx >= E (Rayleigh) and r = |Hx - rho x| bounds the
  distance from rho to the spectrum, so the next shift is rho - r - TOL: the inverse-iteration
  ratio (E - sigma)/(E_1 - sigma) then shrinks with r and the iteration converges quadratically;
- it stops once r <= ``TOL`` and H - (rho - r - TOL) factorises: E is in (rho - r - TOL, rho],
  and rho is within r^2 / (E_1 - E) of E (Kato-Temple), ~1e-20 here.

The points of one call run in order, each starting from the previous eigenvector (neighbouring
Q of a table differ little), which takes ~3 factorisations per point.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from photosc._checks import FloatArray

#: Residual |Hx - rho x| (hbar*omega) at which the Rayleigh quotient rho is returned.
TOL = 1e-10
_MAX_STEPS = 500


@numba.njit(cache=True)
def _band(Q: float, dE: float, g: float, sz: FloatArray, sx: FloatArray, n_ph: int) -> FloatArray:
    """Lower band of H: ``band[i, k] = H[i, i - k]`` for k = 0 .. 2 d - 1 (0 outside H)."""
    d = sz.shape[0]
    kd = 2 * d - 1
    band = np.zeros(((n_ph + 1) * d, kd + 1))
    for n in range(n_ph + 1):
        hop = 2.0 * g * math.sqrt(n / 2.0)  # <n - 1| 2 g Q~ |n>
        for e in range(d):
            i = n * d + e
            for f in range(e + 1):  # the same n: (n + 1/2) - dE S^z + 2 g Q S^x
                band[i, e - f] = -dE * sz[e, f] + 2.0 * g * Q * sx[e, f]
            band[i, 0] += n + 0.5
            if n > 0:
                for f in range(d):  # n - 1 -> n
                    band[i, e + d - f] = hop * sx[e, f]
    return band


@numba.njit(cache=True)
def _cholesky(band: FloatArray, sigma: float, low: FloatArray) -> bool:
    """Banded Cholesky factor of H - sigma into ``low`` (same layout); False at a pivot <= 0."""
    size, width = band.shape
    for i in range(size):
        for k in range(min(i, width - 1), -1, -1):
            j = i - k
            s = band[i, k] - (sigma if k == 0 else 0.0)
            for m in range(max(0, i - width + 1), j):
                s -= low[i, i - m] * low[j, j - m]
            if k == 0:
                if not s > 0.0:
                    return False
                low[i, 0] = math.sqrt(s)
            else:
                low[i, k] = s / low[j, 0]
    return True


@numba.njit(cache=True)
def _solve(low: FloatArray, x: FloatArray) -> None:
    """x <- (L L^T)^-1 x, normalised, with L from ``_cholesky``."""
    size, width = low.shape
    for i in range(size):
        s = x[i]
        for k in range(1, min(i, width - 1) + 1):
            s -= low[i, k] * x[i - k]
        x[i] = s / low[i, 0]
    for i in range(size - 1, -1, -1):
        s = x[i]
        for k in range(1, min(size - 1 - i, width - 1) + 1):
            s -= low[i + k, k] * x[i + k]
        x[i] = s / low[i, 0]
    x /= math.sqrt(np.dot(x, x))


@numba.njit(cache=True)
def _rayleigh(band: FloatArray, x: FloatArray, hx: FloatArray) -> tuple[float, float]:
    """(rho, r) = (x.Hx, |Hx - rho x|) of the normalised x."""
    size, width = band.shape
    hx[:] = 0.0
    for i in range(size):
        hx[i] += band[i, 0] * x[i]
        for k in range(1, min(i, width - 1) + 1):
            hx[i] += band[i, k] * x[i - k]
            hx[i - k] += band[i, k] * x[i]
    rho = np.dot(x, hx)
    return rho, math.sqrt(np.sum((hx - rho * x) ** 2))


@numba.njit(cache=True)
def _gershgorin(band: FloatArray) -> float:
    """A lower bound on the spectrum: min over rows of H_ii - sum_j |H_ij|."""
    size, width = band.shape
    radius = np.zeros(size)
    for i in range(size):
        for k in range(1, min(i, width - 1) + 1):
            radius[i] += abs(band[i, k])
            radius[i - k] += abs(band[i, k])
    return np.min(band[:, 0] - radius) - 1.0


@numba.njit(cache=True)
def ground_energies(
    Q: FloatArray, dE: FloatArray, g: FloatArray, sz: FloatArray, sx: FloatArray, n_ph: int
) -> FloatArray:
    """Lowest eigenvalue of the sector (S^z, S^x) at each point (Q, dE, g), phonons truncated at
    n_ph quanta (module docstring); nan where the iteration did not converge."""
    size = (n_ph + 1) * sz.shape[0]
    out = np.full(Q.size, np.nan)
    x = np.ones(size) / math.sqrt(size)
    hx = np.empty(size)
    low = np.empty((size, 2 * sz.shape[0]))
    for p in range(Q.size):
        band = _band(Q[p], dE[p], g[p], sz, sx, n_ph)
        lo = _gershgorin(band)
        rho, r = _rayleigh(band, x, hx)
        sigma = max(rho - r - TOL, lo)
        for _ in range(_MAX_STEPS):
            if not _cholesky(band, sigma, low):
                sigma = 0.5 * (lo + sigma)
                continue
            lo = sigma
            if r <= TOL and sigma >= rho - r - TOL:
                out[p] = rho
                break
            _solve(low, x)
            rho, r = _rayleigh(band, x, hx)
            sigma = max(rho - r - TOL, lo)
    return out
