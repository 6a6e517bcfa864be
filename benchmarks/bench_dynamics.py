"""Eq. 6 ensembles: photosc's compiled BAOAB against numpy and sdeint on the same SDE, and the
K3C60 force table against the landscape force and a point-by-point quad + brentq force.

Run: PYTHONPATH=src python benchmarks/bench_dynamics.py

The SDE: dQ = P dt, dP = (f(Q) - gamma P) dt + sqrt(2 gamma T) dW with the double-well force
f = -Q (Q - 1)(Q - 2) / 2 (a tabulated force for photosc, the same as a numpy function for the
references), gamma = 0.5, T = 0.05, dt = 0.05, on one core. Issue 16: <= 5 ns per
trajectory-step on one core for >= 1e4 trajectories, against the limit of one Gaussian
random number plus one table lookup per trajectory-step (``limit_kernel``, the same generator
and lookup, measured in the same run); both cores with ``threads=2``; small ensembles paying
only for their trajectories. Times are wall clock (best of 3) and CPU time of the process.
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np
import sdeint
from scipy.integrate import quad
from scipy.optimize import brentq

from photosc import materials
from photosc.physics import landscape
from photosc.physics._random import fill_normals, stream_states
from photosc.physics.dynamics import (
    _GROUP_SIZE,
    ForceTable,
    _Disjoint,
    _table_forces,
    simulate,
)
from photosc.physics.pairing import attraction, attraction_slope
from photosc.units import temperature_from_K

GAMMA, T, DT = 0.5, 0.05, 0.05


def force(q: np.ndarray) -> np.ndarray:
    return -0.5 * q * (q - 1.0) * (q - 2.0)


def numpy_baoab(n_traj: int, n_steps: int, table: ForceTable, seed: int) -> np.ndarray:
    """The same BAOAB steps vectorised over trajectories in plain numpy (table lookup included)."""
    rng = np.random.default_rng(seed)
    c1 = math.exp(-GAMMA * DT)
    c2 = math.sqrt((1 - c1 * c1) * T)
    q = np.full(n_traj, 2.0)
    p = rng.standard_normal(n_traj) * math.sqrt(T)
    coef, lo, h = table.coefficients, table.Q_min, float(table.spacing[0])

    def f(x: np.ndarray) -> np.ndarray:
        i = np.clip(((x - lo) / h).astype(np.int64), 0, coef.shape[0] - 1)
        d = x - (lo + i * h)
        c = coef[i]
        return ((c[:, 0] * d + c[:, 1]) * d + c[:, 2]) * d + c[:, 3]

    fq = f(q)
    for _ in range(n_steps):
        p += 0.5 * DT * fq
        q += 0.5 * DT * p
        p = c1 * p + c2 * rng.standard_normal(n_traj)
        q += 0.5 * DT * p
        fq = f(q)
        p += 0.5 * DT * fq
    return q


def numpy_euler_maruyama(n_traj: int, n_steps: int, seed: int) -> np.ndarray:
    """Plain Euler-Maruyama vectorised over trajectories, analytic force."""
    rng = np.random.default_rng(seed)
    s = math.sqrt(2 * GAMMA * T * DT)
    q = np.full(n_traj, 2.0)
    p = rng.standard_normal(n_traj) * math.sqrt(T)
    for _ in range(n_steps):
        q, p = q + DT * p, p + DT * (force(q) - GAMMA * p) + s * rng.standard_normal(n_traj)
    return q


def sdeint_ito_euler(n_traj: int, n_steps: int, seed: int) -> np.ndarray:
    """sdeint.itoEuler, one trajectory at a time (its interface)."""
    rng = np.random.default_rng(seed)
    b = math.sqrt(2 * GAMMA * T)
    tspan = np.linspace(0.0, n_steps * DT, n_steps + 1)
    out = []
    for _ in range(n_traj):
        y0 = np.array([2.0, rng.standard_normal() * math.sqrt(T)])
        sol = sdeint.itoEuler(
            lambda y, t: np.array([y[1], force(y[0]) - GAMMA * y[1]]),
            lambda y, t: np.array([[0.0], [b]]),
            y0,
            tspan,
            generator=rng,
        )
        out.append(sol[-1, 0])
    return np.array(out)


def timed(fn: object, *args: object) -> float:
    t0 = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - t0


@numba.njit(cache=True, pipeline_class=_Disjoint)
def limit_step(
    s0: np.ndarray, s1: np.ndarray, s2: np.ndarray, s3: np.ndarray, z: np.ndarray,
    raw: np.ndarray, pending: np.ndarray, x: np.ndarray, q: np.ndarray, parts: tuple,
) -> None:  # fmt: skip
    """One normal and one table lookup per trajectory: q <- f(q + 0.05 z)."""
    fill_normals(s0, s1, s2, s3, z, raw, pending)
    for i in range(q.size):
        x[i] = q[i] + 0.05 * z[i]
    _table_forces(x, q, parts)


@numba.njit(cache=True)
def limit_kernel(q: np.ndarray, state: np.ndarray, n_steps: int, parts: tuple) -> None:
    """Per trajectory-step only one normal and one table lookup, ``_GROUP_SIZE`` trajectories
    at a time as simulate steps them and with its generator and lookup (``fill_normals`` on the
    transposed states (4, n), ``_table_forces``): the cost simulate cannot go below."""
    z, x = np.empty(_GROUP_SIZE), np.empty(_GROUP_SIZE)
    raw, pending = np.empty(_GROUP_SIZE, np.uint64), np.empty(_GROUP_SIZE, np.int64)
    for a in range(0, q.size, _GROUP_SIZE):
        b = min(a + _GROUP_SIZE, q.size)
        m = b - a
        s0, s1, s2, s3 = state[0, a:b], state[1, a:b], state[2, a:b], state[3, a:b]
        zg, rg, pg, xg, qg = z[:m], raw[:m], pending[:m], x[:m], q[a:b]
        for _ in range(n_steps):
            limit_step(s0, s1, s2, s3, zg, rg, pg, xg, qg, parts)


def timed_both(fn: object, *args: object, repeat: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time (this process, all threads) of ``repeat`` calls."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(*args)  # type: ignore[operator]
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def main() -> None:
    table = ForceTable.from_callable(force, -3.0, 5.0)
    n_traj, n_steps = 16_384, 2_000
    kw = dict(gamma=GAMMA, T=T, dt=DT, Q0=2.0, seed=1, record_every=100)
    for threads in (1, 2):  # JIT warm-up (or cache load) of both kernels
        simulate(table, t_end=10 * DT, n_traj=16, threads=threads, **kw)  # type: ignore[arg-type]
    work = n_traj * n_steps
    runs = {
        threads: timed_both(
            lambda th=threads: simulate(table, t_end=n_steps * DT, n_traj=n_traj, threads=th, **kw)  # type: ignore[arg-type]
        )
        for threads in (1, 2)
    }
    (w1, c1), (w2, c2) = runs[1], runs[2]
    ns_photosc = w1 / work * 1e9
    print(
        f"BENCH dynamics_baoab: photosc {w1:.2f} s for {n_traj} traj x {n_steps} steps; "
        f"{ns_photosc:.1f} ns per trajectory-step wall, {c1 / work * 1e9:.1f} ns CPU "
        f"(target <= 5)"
    )
    q = np.full(n_traj, 2.0)
    state = np.ascontiguousarray(stream_states(np.random.SeedSequence(1), n_traj).T)
    parts = table._parts()
    limit_kernel(q[:64], state, 2, parts)
    lw, lc = timed_both(limit_kernel, q, state, 200, parts)
    limit_work = n_traj * 200
    over_wall, over_cpu = w1 / work / (lw / limit_work), c1 / work / (lc / limit_work)
    print(
        f"BENCH dynamics_limit: one normal + one table lookup {lw / limit_work * 1e9:.1f} ns "
        f"wall, {lc / limit_work * 1e9:.1f} ns CPU per trajectory-step; photosc is "
        f"{over_wall:.2f}x the limit (wall), {over_cpu:.2f}x (CPU)"
    )
    print(
        f"BENCH dynamics_threads: threads=2 {w2:.2f} s wall vs threads=1 {w1:.2f} s; speed-up "
        f"{w1 / w2:.2f}x on 2 cores (CPU {c2:.2f} s vs {c1:.2f} s)"
    )
    small = timed_both(lambda: simulate(table, t_end=n_steps * DT, n_traj=1, **kw), repeat=5)  # type: ignore[arg-type]
    chunk = timed_both(lambda: simulate(table, t_end=n_steps * DT, n_traj=64, **kw), repeat=5)  # type: ignore[arg-type]
    print(
        f"BENCH dynamics_small_ensemble: 1 trajectory {small[1] * 1e3:.1f} ms CPU, 64 "
        f"trajectories {chunk[1] * 1e3:.1f} ms CPU ({chunk[1] / small[1]:.0f}x: no noise is "
        f"drawn for empty slots)"
    )
    refs = [
        (
            "numpy_baoab",
            "numpy BAOAB, same table",
            numpy_baoab,
            (n_traj, 200, table, 1),
            n_traj * 200,
        ),
        ("numpy_em", "numpy Euler-Maruyama", numpy_euler_maruyama, (n_traj, 200, 1), n_traj * 200),
        ("sdeint", "sdeint.itoEuler", sdeint_ito_euler, (4, 2_000, 1), 4 * 2_000),
    ]
    for label, name, fn, args, ref_work in refs:
        ns_ref = timed(fn, *args) / ref_work * 1e9
        print(
            f"BENCH dynamics_vs_{label}: photosc {ns_photosc:.1f} ns/traj-step; "
            f"reference {name} {ns_ref:.1f} ns/traj-step; ratio {ns_ref / ns_photosc:.1f}x"
        )


def reference_force(q: float, T: float, model: object) -> float:
    """-Q + Delta^2 U'/U^2 with Delta by brentq on the gap equation, each integral by quad."""
    m = model
    U = float(attraction(q, m.dE, m.g, m.U0))  # type: ignore[attr-defined]

    def h(d: float) -> float:
        integrand = lambda xi: math.tanh(math.hypot(xi, d) / (2 * T)) / math.hypot(xi, d)  # noqa: E731
        return quad(integrand, 0, 1, limit=200, epsabs=1e-13)[0] - 1 / (m.nu * U)  # type: ignore[attr-defined]

    d_max = 1 / math.sinh(1 / (m.nu * U))  # type: ignore[attr-defined]
    d = 0.0 if h(1e-9 * d_max) <= 0 else brentq(h, 1e-9 * d_max, d_max, xtol=1e-14)
    return -q + d**2 / U**2 * float(attraction_slope(q, m.dE, m.g))  # type: ignore[attr-defined]


def bench_force_table() -> None:
    model = materials.load("K3C60", Z=1 / 3.6)
    T = float(temperature_from_K(100.0, model.omega_meV))
    t0 = time.perf_counter()
    table = ForceTable.from_model(model, T)
    t_build = time.perf_counter() - t0
    q = np.random.default_rng(0).uniform(-2.0, 2.0, 1_000_000)
    table(q[:10])
    t_table = timed(table, q)
    t_landscape = timed(lambda: landscape.force(q[:20_000], T, model))
    q_ref = q[:100]
    t0 = time.perf_counter()
    ref = np.array([reference_force(x, T, model) for x in q_ref])
    t_ref = time.perf_counter() - t0
    err = np.max(np.abs(table(q_ref) - ref))
    ns = t_table / q.size * 1e9
    print(
        f"BENCH force_table_K3C60_100K: built in {t_build:.2f} s ({table.n_points} points, stated "
        f"error {table.max_error:.1e}, vs quad+brentq {err:.1e}); lookup {ns:.1f} ns/pt; "
        f"landscape.force {t_landscape / 20_000 * 1e9:.0f} ns/pt; "
        f"reference quad+brentq {t_ref / q_ref.size * 1e3:.2f} ms/pt; "
        f"ratio {t_ref / q_ref.size * 1e9 / ns:.0f}x per point"
    )
    # the K3C60 SDE itself: photosc (table) against numpy Euler-Maruyama calling landscape.force
    n_traj, gamma, dt = 16_384, 0.05, 0.05
    kw = dict(gamma=gamma, T=T, dt=dt, n_traj=n_traj, Q0=0.67, sites=30.0, record_every=100)
    t_ours = timed(lambda: simulate(table, t_end=1000 * dt, **kw))  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    s = math.sqrt(2 * gamma * T / 30.0 * dt)

    def numpy_em(steps: int) -> None:
        qq, pp = np.full(n_traj, 0.67), np.zeros(n_traj)
        for _ in range(steps):
            f = landscape.force(qq, T, model)
            qq, pp = qq + dt * pp, pp + dt * (f - gamma * pp) + s * rng.standard_normal(n_traj)

    t_em = timed(numpy_em, 20)
    ours, theirs = t_ours / (n_traj * 1000) * 1e9, t_em / (n_traj * 20) * 1e9
    print(
        f"BENCH dynamics_K3C60_100K: photosc {ours:.1f} ns/traj-step ({n_traj} traj); reference "
        f"numpy Euler-Maruyama with landscape.force {theirs:.0f} ns/traj-step; "
        f"ratio {theirs / ours:.0f}x"
    )


if __name__ == "__main__":
    main()
    bench_force_table()
