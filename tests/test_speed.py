"""The fast paths of issue 16 against the direct computations they replace."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from photosc import materials
from photosc.physics import _random, bcs
from photosc.physics.spectra import k3c60
from photosc.studies import kinetics, trapping


def test_ziggurat_normals_are_standard_normal() -> None:
    """2e6 deviates: moments within 5 standard errors, KS test, tail beyond the base layer."""
    x = _random.normals(_random.stream_states(np.random.SeedSequence(5), 1), 0, 2_000_000)
    se = 1 / math.sqrt(x.size)
    assert abs(x.mean()) < 5 * se and abs(x.var() - 1) < 5 * math.sqrt(2) * se
    assert abs(stats.kurtosis(x)) < 5 * math.sqrt(24) * se
    assert stats.kstest(x, "norm").pvalue > 1e-3
    tail = 2 * stats.norm.sf(_random._R)  # the ziggurat's separately sampled tail
    assert np.mean(np.abs(x) > _random._R) == pytest.approx(tail, rel=5 / math.sqrt(tail * x.size))


def test_streams_are_independent_of_each_other() -> None:
    state = _random.stream_states(np.random.SeedSequence(9), 2)
    a, b = (_random.normals(state, j, 100_000) for j in (0, 1))
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(a.size)


def test_gap_tables_are_rebuilt_when_the_code_changes(
    tmp_path: object, monkeypatch: object
) -> None:
    """A cached table whose code hash does not match is ignored and replaced."""
    monkeypatch.setenv("PHOTOSC_CACHE_DIR", str(tmp_path))  # type: ignore[attr-defined]
    rho, h2 = bcs._gap_tables()
    path = tmp_path / "gap_tables.npz"  # type: ignore[operator]
    np.savez(path, code_hash=np.array("stale"), rho=rho * 0, h2=h2 * 0)
    fresh_rho, _ = bcs._gap_tables.__wrapped__()
    np.testing.assert_array_equal(fresh_rho, rho)
    with np.load(path) as data:
        assert str(data["code_hash"]) == bcs._code_hash()
        np.testing.assert_array_equal(data["rho"], rho)


def test_critical_temperature_from_the_table_matches_the_full_solver() -> None:
    lam_eff = np.geomspace(1 / 300, 2.5, 2000)
    fast = bcs.critical_temperature(lam_eff, 1.0)
    full = bcs._critical_temperature(lam_eff, np.ones_like(lam_eff))
    # one Newton step from the ~1e-8 table start: quadratic convergence leaves rounding, which
    # at lam_eff = 1/300 (T_c ~ 1e-130, ln(cutoff/2T_c) ~ 300) is 300 ulp of the logarithm
    np.testing.assert_allclose(fast, full, rtol=1e-13)


def test_single_points_equal_the_batch() -> None:
    """The cached curve changes nothing: point by point = all at once, to the last bit."""
    U, nu = 0.5, 0.6
    T = 1.5 * bcs.critical_temperature(U, nu)
    n = np.geomspace(1e-8, 0.2, 40)
    d, lam = bcs.trapped_gap(n, U, T, nu)
    single = np.array([bcs.trapped_gap(x, U, T, nu) for x in n])
    np.testing.assert_allclose(single[:, 0], d, rtol=1e-15)
    np.testing.assert_allclose(single[:, 1], lam, rtol=1e-15, atol=1e-16, equal_nan=True)


@pytest.mark.slow
def test_tabulated_rate_equation_matches_the_direct_one() -> None:
    """The table (relative error <= 1e-7 in G/n and R/n, LSODA at rtol 1e-10) against
    re-solving the trapped gap at every step (LSODA at rtol 1e-7, whose own error is ~1e-6 in
    n(t) and 2e-7 in the half-life on the issue-15 case): 1e-5 relative covers the direct run's
    error with a margin."""
    model = materials.load("K3C60")
    T = 1.8 * model.Tc
    n_star = float(trapping.trapped_state(model, 3.0, T)["n_star"].squeeze())
    spectrum = k3c60(model.omega_meV)
    fast = kinetics.relaxation(model, spectrum, T, n_star, num=40)
    slow = kinetics.relaxation(model, spectrum, T, n_star, num=40, tabulate=False)
    assert fast.attrs["half_life"] == pytest.approx(slow.attrs["half_life"], rel=1e-5)
    n_direct = np.interp(fast["t"], slow["t"], slow["n"])
    np.testing.assert_allclose(fast["n"], n_direct, rtol=1e-5)


def test_help_lists_every_command_without_numpy() -> None:
    """`photosc --help` shows every command with its help line, and neither the command line
    nor the package import pulls in numpy (start-up)."""
    import subprocess
    import sys

    from photosc.cli import COMMANDS

    code = (
        "import sys; from photosc.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('numpy' in sys.modules, 'numba' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("False False")
    for name in COMMANDS:
        assert name in out
    assert "Write the full report" in out


def test_trapped_density_limit_is_where_the_branch_ends() -> None:
    U, nu = 0.5, 0.6
    T = 1.5 * bcs.critical_temperature(U, nu)
    limit = bcs.trapped_density_limit(U, T, nu)
    assert bcs.trapped_gap(limit * (1 - 1e-9), U, T, nu)[0] > 0
    assert bcs.trapped_gap(limit * (1 + 1e-9), U, T, nu)[0] == 0
    assert bcs.trapped_density_limit([U, U], T, nu).shape == (2,)
    with pytest.raises(ValueError, match="T"):
        bcs.trapped_density_limit(U, -1.0, nu)
