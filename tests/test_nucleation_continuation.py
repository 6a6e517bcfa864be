"""Continuation of lattice saddles along T and kappa (``nucleation.lattice_nuclei``) against the
independent full search (``nucleation.lattice_nucleus``) at every point."""

from __future__ import annotations

import numpy as np
import pytest

from photosc import materials
from photosc.physics import nucleation as nuc

#: K3C60 on its Mott path at 1/Z = 3.6 (metastability I at 100 K), the benchmark's T grid.
MODEL = materials.load("K3C60", Z=1 / 3.6)
TEMPS = np.linspace(0.087, 0.145, 50)


def _agree(a: nuc.LatticeNucleus, b: nuc.LatticeNucleus) -> None:
    """Same saddle to Newton's tolerance (max |grad E| < 1e-11): energy to rounding, the
    log-determinant (two LUs of a few hundred sites) to 1e-9, the same lattice and verdict."""
    assert (a.side, a.grows, a.uniform) == (b.side, b.grows, b.uniform)
    assert a.energy == pytest.approx(b.energy, rel=1e-12)
    assert a.log_det_ratio == pytest.approx(b.log_det_ratio, abs=1e-9)
    np.testing.assert_allclose(a.Q, b.Q, atol=1e-9)


@pytest.mark.parametrize(
    ("dim", "width_meV", "temps"),
    [(3, 1.0, TEMPS[30::4]), (3, 10.0, TEMPS[36::4]), (2, 10.0, TEMPS[20::5])],
)
def test_continuation_is_the_searched_saddle_on_one_branch(
    dim: int, width_meV: float, temps: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the periodic checks (only the first and the last T are searched), continuation
    lands on the search's saddle at every T where both follow the one-site branch."""
    monkeypatch.setattr(nuc, "_CHECK_EVERY", 10**6)
    kappa = float(nuc.kappa_from_width(width_meV / MODEL.omega_meV, dim))
    family = nuc.lattice_nuclei(MODEL, temps, kappa, dim)
    for T, nucleus in zip(temps, family, strict=True):
        _agree(nucleus, nuc.lattice_nucleus(MODEL, float(T), kappa, dim))


def test_a_branch_switch_is_found_and_searched_back() -> None:
    """d = 1, 30 meV: above T = 0.11 the critical nucleus is the one-site step, below it the
    2-site and then the 3-site step of the growth staircase is higher. Continued from the top
    the one-site branch goes on lower (``_continued`` still converges on it); the check at the
    curve's end finds the difference and the points back to the switch are searched, so the
    whole curve is the search's."""
    temps = TEMPS[::3]
    kappa = float(nuc.kappa_from_width(30.0 / MODEL.omega_meV, 1))
    family = nuc.lattice_nuclei(MODEL, temps, kappa, 1)
    for T, nucleus in zip(temps, family, strict=True):
        _agree(nucleus, nuc.lattice_nucleus(MODEL, float(T), kappa, 1))
    low, high = nuc.lattice_nucleus(MODEL, float(temps[0]), kappa, 1), family[-1]
    q_b = nuc._well(MODEL, float(temps[0])).Q_B
    assert np.sum(low.Q < q_b) == 3 and np.sum(high.Q < nuc._well(MODEL, float(temps[-1])).Q_B) == 1
    path = [
        (float(t), n, nuc._well(MODEL, float(t)))
        for t, n in zip(temps[:-3:-1], family[:-3:-1], strict=True)
    ]
    one_site = nuc._continued(MODEL, float(temps[-3]), kappa, 1, path, float(temps[-3]))
    assert one_site is not None and nuc._same(one_site, family[-3])
    assert one_site.energy < low.energy


def test_continuation_along_kappa_and_its_cache() -> None:
    """Along kappa at fixed T (d = 1, the one-site saddle at kappa = 0 to the smooth growing
    nucleus at kappa = 10) every point is the searched one; the same points give the same
    (cached) saddles, and nucleation_rate is built on them."""
    T, kappas = 0.0947119051060344, np.array([0.0, 0.5, 2.0, 10.0])
    family = nuc.lattice_nuclei(MODEL, T, kappas, 1)
    for kappa, nucleus in zip(kappas, family, strict=True):
        _agree(nucleus, nuc.lattice_nucleus(MODEL, T, float(kappa), 1))
    assert family[-1].grows and not family[0].grows
    again = nuc.lattice_nuclei(MODEL, np.full(4, T), kappas[::-1], 1)
    assert all(a is b for a, b in zip(again, family[::-1], strict=True))
    rate = nuc.nucleation_rate(MODEL, T, kappas, 1)
    assert rate[2] == pytest.approx(
        nuc.lattice_rate(MODEL, T, 2.0, 1, family[2].side) / family[2].side
    )


@pytest.mark.parametrize("kappa", [0.002, 0.2])
def test_sparse_newton_step_equals_the_lu_solve(kappa: float) -> None:
    """On 11^3 sites (sparse path) around a one-site saddle: Jacobi sweeps where the Hessian is
    diagonally dominant (kappa = 0.002), the sparse LU where it is not (kappa = 0.2), both the
    exact solve to rounding (a residual of 1e-15 |grad| over a condition number ~10)."""
    from scipy.sparse.linalg import splu

    T = float(TEMPS[30])
    w = nuc._well(MODEL, T)
    side = 11
    K = nuc._laplacian(side, 3)
    q = np.full(side**3, w.Q_MS)
    q[side**3 // 2] = 0.9 * w.Q_B
    grad, H = nuc._energy_terms(w, K, kappa, q)
    exact = splu(H.tocsc()).solve(-grad)
    np.testing.assert_allclose(nuc._newton_step(H.tocsr(), grad), exact, rtol=0, atol=1e-13)
