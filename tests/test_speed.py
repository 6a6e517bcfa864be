"""The fast paths of issue 16 against the direct computations they replace."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from photosc import materials
from photosc.physics import _random, bcs, dynamics
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


def test_batched_normals_are_the_sequential_draws_bit_for_bit() -> None:
    """``fill_normals`` on 64 streams, 3000 times, against 3000 ``standard_normal`` draws per
    stream: the same numbers and the same final states, misses of the fast path included (the
    tail beyond R and the wedges, whose rejections draw again)."""
    state = _random.stream_states(np.random.SeedSequence(11), 64)
    soa = np.ascontiguousarray(state.T)
    z, raw, pending = np.empty(64), np.empty(64, np.uint64), np.empty(64, np.int64)
    batched = np.empty((3000, 64))
    for k in range(3000):
        _random.fill_normals(soa[0], soa[1], soa[2], soa[3], z, raw, pending)
        batched[k] = z
    sequential = np.stack([_random.normals(state, j, 3000) for j in range(64)], axis=1)
    np.testing.assert_array_equal(batched, sequential)
    np.testing.assert_array_equal(soa.T, state)
    assert np.count_nonzero(np.abs(sequential) > _random._R) >= 5  # the tail, beyond R
    # the wedges: |z| beyond the core x[i+1] of every layer i that could have drawn it
    a = np.abs(sequential)
    wedge = a > _random._ZX[np.searchsorted(-_random._ZX[1:], -a) + 1]
    assert np.count_nonzero(wedge & (a < _random._R)) > 100


def _reference_force(table: dynamics.ForceTable, x: np.ndarray) -> np.ndarray:
    """The table lookup written out in numpy: the segment by searchsorted, the cell by floor,
    the cubic by Horner, the linear continuation outside."""
    bounds, inv_h, h, offsets, c, f_lo, s_lo, f_hi, s_hi = table._parts()
    x_in = np.clip(x, bounds[0], bounds[-1])  # the cubic is used only there
    s = np.minimum(np.searchsorted(bounds, x_in, side="right") - 1, inv_h.size - 1)
    u = (x_in - bounds[s]) * inv_h[s]
    i = np.minimum(np.floor(u).astype(np.int64), np.diff(offsets)[s] - 1)
    d = (u - i) * h[s]
    k = offsets[s] + i
    inside = ((c[k, 0] * d + c[k, 1]) * d + c[k, 2]) * d + c[k, 3]
    below = f_lo + s_lo * (x - bounds[0])
    above = f_hi + s_hi * (x - bounds[-1])
    return np.where(x < bounds[0], below, np.where(x >= bounds[-1], above, inside))


@pytest.mark.parametrize("kinks", [(), (0.7,), (-0.3, 0.7), (-0.9, -0.3, 0.2, 0.7)])
def test_branch_free_table_lookup_is_the_direct_one(kinks: tuple[float, ...]) -> None:
    """The vectorised lookups (one segment; two or three) and the point-by-point one (five), at
    random points, at every node and bound and outside the table, against the numpy lookup, and
    the scalar lookup the other kernels use: bit for bit."""
    table = dynamics.ForceTable.from_callable(
        lambda q: -q + 0.1 * np.sin(3 * q) + sum(0.3 * np.maximum(q - k, 0.0) for k in kinks),
        -1.5, 1.5, kinks=kinks, atol=1e-6,
    )  # fmt: skip
    nodes = np.concatenate(
        [np.linspace(a, b, n + 1) for a, b, n in zip(table.bounds[:-1], table.bounds[1:],
                                                       np.diff(table.offsets), strict=True)]
    )  # fmt: skip
    x = np.concatenate(
        [np.random.default_rng(3).uniform(-3.0, 3.0, 100_000), nodes, np.nextafter(nodes, -9),
         [-1e90, 1e90]]
    )  # fmt: skip
    np.testing.assert_array_equal(table(x), _reference_force(table, x))
    scalar = np.array([dynamics._table_force(v, *table._parts()) for v in x[:2000]])
    np.testing.assert_array_equal(scalar, _reference_force(table, x[:2000]))


def test_vectorised_baoab_is_the_direct_one() -> None:
    """``simulate`` against BAOAB written out in numpy over the trajectories, each drawing its
    thermal momentum and then one normal per step from its own stream (``normals``): absorbed
    trajectories, first passages, a drive and a table that Q leaves, bit for bit (the ensemble
    means to rounding: they are summed in another order)."""
    table = dynamics.ForceTable.from_callable(lambda q: -0.5 * q * (q - 1) * (q - 2), -0.5, 2.5)
    gamma, T, dt, n_steps, n_traj, chunk = 0.3, 0.07, 0.05, 600, 150, 64
    drive = dynamics.GaussianPulse(amplitude=0.4, center=5.0, fwhm=3.0)
    kw: dict[str, object] = dict(q_arm=1.5, q_exit=0.5, t_arm=1.0, absorb=True)
    r = dynamics.simulate(
        table, gamma=gamma, T=T, t_end=n_steps * dt, dt=dt, n_traj=n_traj, Q0=2.0, seed=5,
        chunk_size=chunk, drive=drive, keep=3, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    seeds = np.random.SeedSequence(5).spawn(-(-n_traj // chunk))
    state = np.concatenate(
        [_random.stream_states(s, min(chunk, n_traj - k * chunk)) for k, s in enumerate(seeds)]
    )
    z = np.stack([_random.normals(state, j, n_steps + 1) for j in range(n_traj)], axis=1)
    a = drive(np.arange(n_steps + 1) * dt)
    c1 = math.exp(-gamma * dt)
    c2 = math.sqrt((1 - c1 * c1) * T)
    q, p = np.full(n_traj, 2.0), math.sqrt(T) * z[0]
    f = _reference_force(table, q) + a[0]
    active, t_armed, t_escape = np.ones(n_traj, bool), *np.full((2, n_traj), np.nan)
    mean_q, outside = [q.mean()], 0
    for n in range(n_steps):
        pj = p + 0.5 * dt * f
        qj = q + 0.5 * dt * pj
        pj = c1 * pj + c2 * z[n + 1]
        qj = qj + 0.5 * dt * pj
        fj = _reference_force(table, qj) + a[n + 1]
        outside += np.count_nonzero((qj < table.Q_min) | (qj >= table.Q_max))
        pj = pj + 0.5 * dt * fj
        q, p, f = np.where(active, qj, q), np.where(active, pj, p), np.where(active, fj, f)
        t = (n + 1) * dt
        arm = active & np.isnan(t_armed) & (n + 1 >= round(1.0 / dt)) & (q > 1.5)
        out = active & ~np.isnan(t_armed) & ~arm & (q < 0.5) & np.isnan(t_escape)
        t_armed[arm], t_escape[out] = t, t
        active &= ~out
        mean_q.append(q.mean())
    assert np.count_nonzero(~active) > 10 and np.count_nonzero(active) > 10 and outside > 10
    np.testing.assert_array_equal(r.Q_final, q)
    np.testing.assert_array_equal(r.P_final, p)
    np.testing.assert_array_equal(r.t_armed, t_armed)
    np.testing.assert_array_equal(r.t_escape, t_escape)
    np.testing.assert_allclose(r.mean_Q[: len(mean_q)], mean_q, rtol=1e-12)


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
