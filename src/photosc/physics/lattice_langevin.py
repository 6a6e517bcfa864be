"""Direct simulation of nucleation: eq. 6 of the paper on every site of a periodic lattice.

    Q_i'' + gamma Q_i' = -dF/dQ(Q_i) + kappa sum_{j nn i} (Q_j - Q_i) + eta_i(t),
    <eta_i(t) eta_j(t')> = 2 gamma T delta_ij delta(t - t'),

(M = omega = 1; the force of the adiabatic landscape from a ``dynamics.ForceTable``), integrated
with the BAOAB splitting of ``photosc.physics.dynamics`` (the same kick-drift-Ornstein-Uhlenbeck-
drift-kick order and coefficients c1 = exp(-gamma dt), c2 = sqrt((1 - c1^2) T)). Every lattice of
the ensemble gets its own ``numpy.random.SeedSequence`` child (its index in the ensemble), which
seeds its own xoshiro256++ stream (``_random``), so lattice k draws the same numbers whatever the
ensemble size or the number of threads the lattices are spread over. A lattice starts uniform at
Q_MS with thermal momenta (its stream's first side^d normals); it has escaped the first time more
than half of its sites stand in the Q = 0 basin (Q_i < Q_B). Units as in ``nucleation``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from photosc._checks import FloatArray, checked
from photosc.physics._random import standard_normal, stream_states
from photosc.physics.dynamics import ForceTable, TableParts, _children, _table_force


def _box(side: int, dim: int) -> tuple[int, int, int]:
    """The lattice as a 3-d box with the unused axes (size 1) first: (1, 1, side) in d = 1."""
    return (1,) * (3 - dim) + (side,) * dim  # type: ignore[return-value]


@numba.njit(cache=True, nogil=True, inline="always")
def _wrap(i: int, n: int) -> tuple[int, int]:
    """Periodic neighbours i - 1 and i + 1 of i on a ring of n."""
    return (i - 1 if i > 0 else n - 1), (i + 1 if i < n - 1 else 0)


@numba.njit(cache=True, nogil=True)
def _force_kick(
    q: FloatArray, p: FloatArray, f: FloatArray, half: float, kappa: float, q_b: float,
    parts: TableParts,
) -> int:  # fmt: skip
    """f = table force + kappa * (lattice Laplacian of q) on the periodic box q (3-d, unused
    axes of size 1 contribute nothing), p += half * f; returns the number of sites below q_b.
    The neighbours come from the loop indices (no index arrays)."""
    bounds, inv_h, hs, offsets, c, f_lo, s_lo, f_hi, s_hi = parts
    n0, n1, n2 = q.shape
    below = 0
    for i in range(n0):
        im, ip = _wrap(i, n0)
        for j in range(n1):
            jm, jp = _wrap(j, n1)
            for k in range(n2):
                km, kp = _wrap(k, n2)
                x = q[i, j, k]
                lap = q[i, j, km] + q[i, j, kp] - 2.0 * x
                if n1 > 1:
                    lap += q[i, jm, k] + q[i, jp, k] - 2.0 * x
                if n0 > 1:
                    lap += q[im, j, k] + q[ip, j, k] - 2.0 * x
                fi = _table_force(x, bounds, inv_h, hs, offsets, c, f_lo, s_lo, f_hi, s_hi)
                fi += kappa * lap
                f[i, j, k] = fi
                p[i, j, k] += half * fi
                if x < q_b:
                    below += 1
    return below


@numba.njit(cache=True, nogil=True)
def _lattice_baoab(
    q: FloatArray,
    p: FloatArray,
    state: np.ndarray,
    n_steps: int,
    h: float,
    c1: float,
    c2: float,
    T: float,
    kappa: float,
    q_b: float,
    parts: TableParts,
) -> float:
    """One lattice (box q, p) from thermal momenta drawn from its stream ``state`` (4,) through
    BAOAB steps until more than half its sites are below q_b; returns the escape time (NaN if
    none within n_steps). Each step is two sweeps: kick-drift-noise-drift per site, then the
    force with the kick (``_force_kick``)."""
    s = (state[0], state[1], state[2], state[3])
    flat_p = p.ravel()
    scale = math.sqrt(T)
    for i in range(flat_p.size):
        z, s = standard_normal(s)
        flat_p[i] = scale * z
    half = 0.5 * h
    f = np.empty_like(q)
    _force_kick(q, p, f, 0.0, kappa, q_b, parts)
    flat_q, flat_f = q.ravel(), f.ravel()
    n = flat_q.size
    for step in range(n_steps):
        for i in range(n):
            pi = flat_p[i] + half * flat_f[i]
            z, s = standard_normal(s)
            qi = flat_q[i] + half * pi
            pi = c1 * pi + c2 * z
            flat_q[i] = qi + half * pi
            flat_p[i] = pi
        if 2 * _force_kick(q, p, f, half, kappa, q_b, parts) > n:
            return (step + 1) * h
    return np.nan


@numba.njit(cache=True, nogil=True)
def _run_serial(
    q: FloatArray, p: FloatArray, state: np.ndarray, out: FloatArray, *args: Any
) -> None:
    """``_lattice_baoab`` for every lattice k (q[k], p[k], state[k]; args: n_steps, h, c1, c2,
    T, kappa, q_b and the table's parts unpacked) on the calling thread."""
    for k in range(out.size):
        out[k] = _lattice_baoab(q[k], p[k], state[k], *args[:7], args[7:])  # type: ignore[call-arg]


@numba.njit(cache=True, nogil=True, parallel=True)
def _run_parallel(
    q: FloatArray, p: FloatArray, state: np.ndarray, out: FloatArray, *args: Any
) -> None:
    """``_run_serial`` with the lattices spread over numba's threads."""
    for k in numba.prange(out.size):
        out[k] = _lattice_baoab(q[k], p[k], state[k], *args[:7], args[7:])  # type: ignore[call-arg]


@dataclass(frozen=True, eq=False)
class LatticeEscapes:
    """Escape times (1/omega, NaN if a lattice did not escape by t_end) of an ensemble of
    lattices, with the seeds (one SeedSequence child per lattice) and the run's parameters."""

    escape_time: FloatArray
    t_end: float
    seed: np.random.SeedSequence
    lattice_seeds: list[np.random.SeedSequence]
    side: int
    dim: int
    kappa: float
    gamma: float
    T: float
    dt: float

    @property
    def site_steps(self) -> float:
        """Site-steps integrated (escaped lattices stop at their escape)."""
        t = np.where(np.isfinite(self.escape_time), self.escape_time, self.t_end)
        return float(np.sum(np.ceil(t / self.dt - 1e-9))) * self.side**self.dim


def simulate_lattices(
    force: ForceTable,
    *,
    Q_B: float,
    Q_MS: float,
    side: int,
    dim: int,
    kappa: float,
    gamma: float,
    T: float,
    t_end: float,
    dt: float,
    n_lattices: int,
    seed: int | np.random.SeedSequence | None = None,
    threads: int = 1,
) -> LatticeEscapes:
    """Integrate eq. 6 on ``n_lattices`` periodic side^dim lattices from the uniform Q_MS (l0)
    with thermal momenta, each until more than half its sites are below Q_B (l0) or t_end.

    force: the landscape force (``ForceTable.from_model``); kappa in M omega^2, gamma in omega,
    T in hbar*omega, t_end and dt in 1/omega. Lattice k uses ``SeedSequence(seed).spawn`` child k;
    ``threads`` > 1 spreads the lattices over numba's threads (same escape times).
    """
    if dim not in (1, 2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 1, 2 or 3, got dim={dim!r}")
    for name, value, low in (
        ("side", side, 3),
        ("n_lattices", n_lattices, 1),
        ("threads", threads, 1),
    ):
        if not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {name}={value!r}")
    kappa = float(checked("kappa", kappa, nonnegative=True))
    gamma = float(checked("gamma", gamma, nonnegative=True))
    T = float(checked("T", T, positive=True))
    t_end = float(checked("t_end", t_end, positive=True))
    dt = float(checked("dt", dt, positive=True))
    n_steps = max(1, math.ceil(t_end / dt - 1e-9))
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = _children(root, n_lattices)
    state = np.concatenate([stream_states(child, 1) for child in children])
    q = np.full((n_lattices, *_box(side, dim)), float(Q_MS))
    p = np.empty_like(q)
    c1 = math.exp(-gamma * dt)
    c2 = math.sqrt((1.0 - c1 * c1) * T)
    out = np.empty(n_lattices)
    run = _run_serial if threads == 1 else _run_parallel
    if threads > 1:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    run(q, p, state, out, n_steps, dt, c1, c2, T, kappa, float(Q_B), *force._parts())
    return LatticeEscapes(
        escape_time=out,
        t_end=n_steps * dt,
        seed=root,
        lattice_seeds=children,
        side=side,
        dim=dim,
        kappa=kappa,
        gamma=gamma,
        T=T,
        dt=dt,
    )


def decay_rate(escape_time: FloatArray, upper: float = 0.8, lower: float = 0.2) -> float:
    """Decay rate (1/time) from the slope of ln S(t), S the fraction of lattices not yet escaped,
    fitted between S = upper and S = lower.

    An escape is a nucleation followed by the growth of the nucleus over half the lattice, which
    takes a roughly fixed time; the survival is then exp(-k (t - t_growth)) and its log-slope is
    the nucleation rate k of the lattice, while the mean escape time is 1/k + t_growth (the
    plain maximum-likelihood rate ``dynamics.escape_rate`` would be biased low by the delay).
    NaN escape times (not escaped) count as later than every escape.
    """
    t = np.sort(np.where(np.isfinite(escape_time), escape_time, np.inf))
    survival = 1.0 - np.arange(1, t.size + 1) / t.size
    sel = (survival <= upper) & (survival >= lower) & np.isfinite(t)
    if np.count_nonzero(sel) < 10:
        raise ValueError(
            f"escape_time needs >= 10 escapes with survival in [{lower}, {upper}], "
            f"got {np.count_nonzero(sel)}"
        )
    return float(-np.polyfit(t[sel], np.log(survival[sel]), 1)[0])
