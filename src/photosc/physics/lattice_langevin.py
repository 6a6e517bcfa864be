"""Direct simulation of nucleation: eq. 6 of the paper on every site of a periodic lattice.

    Q_i'' + gamma Q_i' = -dF/dQ(Q_i) + kappa sum_{j nn i} (Q_j - Q_i) + eta_i(t),
    <eta_i(t) eta_j(t')> = 2 gamma T delta_ij delta(t - t'),

(M = omega = 1; the force of the adiabatic landscape from a ``dynamics.ForceTable``), integrated
with the BAOAB splitting of ``photosc.physics.dynamics`` (the same kick-drift-Ornstein-Uhlenbeck-
drift-kick order and coefficients c1 = exp(-gamma dt), c2 = sqrt((1 - c1^2) T)). Every lattice of
the ensemble gets its own ``numpy.random.SeedSequence`` child (its index in the ensemble), so
lattice k draws the same numbers whatever the ensemble size. A lattice starts uniform at Q_MS
with thermal momenta; it has escaped the first time more than half of its sites stand in the
Q = 0 basin (Q_i < Q_B). Units as in ``nucleation``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from photosc._checks import FloatArray, checked
from photosc.physics.dynamics import ForceTable, TableParts, _children, _table_force


def neighbours(side: int, dim: int) -> np.ndarray:
    """Indices (side^dim, 2 dim) of the nearest neighbours on a periodic side^dim lattice."""
    idx = np.arange(side**dim).reshape((side,) * dim)
    cols = [np.roll(idx, s, axis=a).ravel() for a in range(dim) for s in (1, -1)]
    return np.ascontiguousarray(np.stack(cols, axis=1), dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _lattice_baoab(
    q: FloatArray,
    p: FloatArray,
    nb: np.ndarray,
    rng: np.random.Generator,
    n_steps: int,
    h: float,
    c1: float,
    c2: float,
    kappa: float,
    q_b: float,
    parts: TableParts,
) -> float:
    """BAOAB steps of one lattice until more than half its sites are below q_b; returns the
    escape time (NaN if none within n_steps)."""
    bounds, inv_h, offsets, c, f_lo, s_lo, f_hi, s_hi = parts
    n, z = q.shape[0], nb.shape[1]
    half = 0.5 * h
    f = np.empty(n)
    for i in range(n):
        s = 0.0
        for k in range(z):
            s += q[nb[i, k]]
        f[i] = _table_force(q[i], bounds, inv_h, offsets, c, f_lo, s_lo, f_hi, s_hi)
        f[i] += kappa * (s - z * q[i])
    for step in range(n_steps):
        for i in range(n):
            pi = p[i] + half * f[i]
            qi = q[i] + half * pi
            pi = c1 * pi + c2 * rng.standard_normal()
            q[i] = qi + half * pi
            p[i] = pi
        below = 0
        for i in range(n):
            s = 0.0
            for k in range(z):
                s += q[nb[i, k]]
            fi = _table_force(q[i], bounds, inv_h, offsets, c, f_lo, s_lo, f_hi, s_hi)
            fi += kappa * (s - z * q[i])
            f[i] = fi
            p[i] += half * fi
            if q[i] < q_b:
                below += 1
        if 2 * below > n:
            return (step + 1) * h
    return np.nan


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
) -> LatticeEscapes:
    """Integrate eq. 6 on ``n_lattices`` periodic side^dim lattices from the uniform Q_MS (l0)
    with thermal momenta, each until more than half its sites are below Q_B (l0) or t_end.

    force: the landscape force (``ForceTable.from_model``); kappa in M omega^2, gamma in omega,
    T in hbar*omega, t_end and dt in 1/omega. Lattice k uses ``SeedSequence(seed).spawn`` child k.
    """
    if dim not in (1, 2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 1, 2 or 3, got dim={dim!r}")
    for name, value, low in (("side", side, 3), ("n_lattices", n_lattices, 1)):
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
    nb = neighbours(side, dim)
    parts = force._parts()
    c1 = math.exp(-gamma * dt)
    c2 = math.sqrt((1.0 - c1 * c1) * T)
    out = np.empty(n_lattices)
    for k, child in enumerate(children):
        rng = np.random.Generator(np.random.PCG64(child))
        q = np.full(side**dim, float(Q_MS))
        p = rng.standard_normal(side**dim) * math.sqrt(T)
        out[k] = _lattice_baoab(q, p, nb, rng, n_steps, dt, c1, c2, kappa, float(Q_B), parts)
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
