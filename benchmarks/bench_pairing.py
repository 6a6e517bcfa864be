"""Speed of the exact U(Q) table (ED of one site of eq. A1) against a plain per-point reference.

Target (issue 11): <= 0.1 s per model for 200 Q points. photosc builds the table of one (dE, g)
by inverse iteration on the banded sector Hamiltonians (``_ground_kernel``) over all nodes and two
phonon truncations (the convergence check); the reference diagonalises each Q point separately
with scipy.linalg.eigh (lowest eigenvalue only) in the same sectors at the same two truncations.
Both give the same b(Q) (checked).
Run: PYTHONPATH=src python benchmarks/bench_pairing.py
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.linalg
from _timing import best_time, report

from photosc.physics import pairing

DE, G = 0.8, 0.6  # the K3C60 onset region: dE ~ 0.8 hbar*omega, g = 0.6


def reference_ground(Q: float, n_ph: int, N: int, two_S: int) -> float:
    """Lowest eigenvalue of the (N, S) sector at one Q by scipy.linalg.eigh."""
    sz, sx = pairing.sector_operators(N, two_S)
    a = np.diag(np.sqrt(np.arange(1.0, n_ph + 1.0)), 1)
    X, one = (a + a.T) / math.sqrt(2.0), np.eye(n_ph + 1)
    H = -DE * np.kron(sz, one) + 2 * G * np.kron(sx, Q * one + X)
    H += np.kron(np.eye(sz.shape[0]), np.diag(np.arange(n_ph + 1.0) + 0.5))
    return float(scipy.linalg.eigh(H, eigvals_only=True, subset_by_index=[0, 0])[0])


def reference_binding(Q: np.ndarray, truncations: tuple[int, int]) -> np.ndarray:
    """b = 2 E_1 - E_2 - E_0 point by point at both truncations (as the convergence check)."""
    values = [
        [2 * reference_ground(q, n, 1, 1) - reference_ground(q, n, 2, 0) - 0.5 for q in Q]
        for n in truncations
    ]
    return np.array(values[-1])


def main() -> None:
    n0 = int(10 + 6 * G**2)
    truncations = (n0, n0 + max(2, n0 // 6))  # the two that exact_binding needs here
    Q = 0.5 * DE / G * np.sqrt(np.maximum(1 / pairing._KNOTS[1:] ** 2 - 1, 0))

    def build() -> None:
        pairing._table_row.cache_clear()
        pairing._table_row(DE, G)

    seconds = best_time(build, repeat=5)
    cpu = time.process_time()
    build()
    cpu = time.process_time() - cpu  # the machine may be shared: CPU time of this process too
    sample = Q[::10]
    ref_seconds = best_time(lambda: reference_binding(sample, truncations), repeat=1)
    np.testing.assert_allclose(
        pairing.exact_binding(sample, DE, G), reference_binding(sample, truncations), atol=1e-9
    )
    print(
        f"  table of {Q.size} nodes: {seconds:.3f} s wall, {cpu:.3f} s CPU "
        "(target <= 0.1 s per model)"
    )
    report("exact U(Q) table", seconds, Q.size, ref_seconds, sample.size)


if __name__ == "__main__":
    main()
