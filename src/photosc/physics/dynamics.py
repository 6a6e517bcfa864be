"""Driven Langevin dynamics of the Raman coordinate (eq. 6 of the paper).

Eq. 6 in internal units (M = omega = 1, time in 1/omega, Q in l0, energies in hbar*omega):

    Q'' + gamma Q' = f(Q) + z E^2(t) + eta(t),  <eta(t) eta(t')> = 2 gamma (T/sites) delta(t - t'),

with f(Q) = -dF/dQ the force of the adiabatic landscape F(Q, T) = Q^2/2 + F_SC (so f already holds
the harmonic -Q), z E^2(t) the displacive drive (``GaussianPulse``, ``FlatTopPulse``, sums of them)
and ``sites`` the number of sites whose coordinates move together (see ``simulate``). The paper
prints (1/M) dF_SC/dQ inside the operator acting on Q, which read literally would multiply it by
Q; the physics (and DESIGN's equation map) is the force -dF_SC/dQ, which is what is used here.

The force is read from a ``ForceTable`` (a cubic spline built once per (model, T) with a measured
error), and the ensemble is integrated with the BAOAB splitting of Leimkuhler and Matthews
(weak order 2) in a compiled kernel. Randomness comes from ``numpy.random.SeedSequence``: one child
per chunk of ``chunk_size`` trajectories, which seeds one stream per trajectory (``_random``), so
trajectory i gets the same numbers however the chunks are grouped, ordered or spread over threads.
"""

from __future__ import annotations

import abc
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numpy.typing import ArrayLike
from scipy.interpolate import CubicSpline

from photosc._checks import FloatArray, as_real_array, broadcast, checked, checked_scalar
from photosc.physics._random import fill_normals, standard_normal, stream_states
from photosc.units import oscillator_length_pm

if TYPE_CHECKING:
    from photosc.model import Model

#: Trajectories per chunk, the unit of seeding (one SeedSequence child each) and of the work
#: handed to a thread.
CHUNK_SIZE: int = 64
#: Steps per kernel call: how often a chunk whose trajectories are all absorbed can stop.
_BLOCK_STEPS: int = 256
#: Trajectories stepped together by the kernel (whole chunks; fewer if the threads need them).
_GROUP_SIZE: int = 256

FLOAT = np.float64


class _Disjoint(CompilerBase):
    """numba's nopython pipeline (``pipeline_class``) for a kernel whose array arguments do not
    overlap, declared so to LLVM (``noalias``): a loop that writes some arrays while it gathers
    from others (a table) can then vectorise. Only for kernels called with distinct arrays
    (arrays that are only read may overlap: the promise covers memory the kernel writes)."""

    def define_pipelines(self) -> list[Any]:
        self.state.flags.noalias = True
        return [DefaultPassBuilder.define_nopython_pipeline(self.state)]


# --- force table -------------------------------------------------------------------------------


TableParts = tuple[
    FloatArray, FloatArray, FloatArray, np.ndarray, FloatArray, float, float, float, float
]


@dataclass(frozen=True, eq=False)
class ForceTable:
    """A force f(Q) tabulated as cubic splines on uniform grids, with its measured error.

    The range is cut at ``bounds`` (Q_min, any kinks of f, Q_max) into segments; segment s has
    ``offsets[s+1] - offsets[s]`` cells of width ``spacing[s]`` and ``coefficients[offsets[s] + i]``
    holds (c3, c2, c1, c0) of f on its cell i: f = ((c3 d + c2) d + c1) d + c0, d = Q - Q_i.
    ``max_error`` is the largest |spline - force| found at every cell's quarter, mid and
    three-quarter points when the table was built; the spline error of a smooth force
    (<= 5/384 h^4 max|f''''|) peaks inside cells, so these points sample it closely (tests: the
    true maximum is within a factor 2). Outside [Q_min, Q_max] the force is continued linearly with
    the end slopes (the landscape force tends to the harmonic -Q at large |Q|).
    Units: Q in l0, f in hbar*omega/l0.
    """

    bounds: FloatArray
    offsets: np.ndarray
    coefficients: FloatArray
    max_error: float

    @property
    def Q_min(self) -> float:
        """Lower end of the table, in l0."""
        return float(self.bounds[0])

    @property
    def Q_max(self) -> float:
        """Upper end of the table, in l0."""
        return float(self.bounds[-1])

    @property
    def spacing(self) -> FloatArray:
        """Grid spacing of each segment, in l0."""
        return np.asarray(np.diff(self.bounds) / np.diff(self.offsets), dtype=FLOAT)

    @property
    def n_points(self) -> int:
        """Number of grid points (nodes shared by two segments counted twice)."""
        return int(self.coefficients.shape[0] + self.bounds.size - 1)

    @classmethod
    def from_callable(
        cls,
        force: Callable[[FloatArray], ArrayLike],
        Q_min: float,
        Q_max: float,
        *,
        kinks: ArrayLike = (),
        atol: float = 1e-7,
        n_start: int = 65,
        n_max: int = 2**18 + 1,
    ) -> ForceTable:
        """Tabulate a vectorised ``force(Q)`` on [Q_min, Q_max] to absolute error ``atol``.

        ``kinks``: positions where f is continuous but its slope jumps (there a single spline would
        need h ~ atol / jump); the table is split there. In each segment the grid is halved until
        the error at all quarter, mid and three-quarter points is <= atol (each refinement reuses
        the old checks as nodes). Raises RuntimeError if a segment needs more than ``n_max``
        points (e.g. a discontinuous force or a kink not listed).
        """
        lo = float(checked("Q_min", Q_min))
        hi = float(checked("Q_max", Q_max))
        if not hi > lo:
            raise ValueError(f"Q_max must exceed Q_min, got Q_min={lo!r}, Q_max={hi!r}")
        atol = float(checked("atol", atol, positive=True))
        if n_start < 5:
            raise ValueError(f"n_start must be >= 5, got n_start={n_start!r}")
        inner = np.unique(checked("kinks", kinks).ravel())
        bounds = np.concatenate([[lo], inner[(inner > lo) & (inner < hi)], [hi]])
        pieces = [
            _spline_segment(force, a, b, atol, n_start, n_max)
            for a, b in itertools.pairwise(bounds)
        ]
        offsets = np.concatenate([[0], np.cumsum([c.shape[0] for c, _ in pieces])])
        coefficients = np.ascontiguousarray(np.concatenate([c for c, _ in pieces]), dtype=FLOAT)
        return cls(bounds, offsets.astype(np.int64), coefficients, max(e for _, e in pieces))

    @classmethod
    def from_model(
        cls,
        model: Model,
        T: float,
        *,
        Q_max: float | None = None,
        Q_min: float | None = None,
        atol: float = 1e-7,
    ) -> ForceTable:
        """The force -dF/dQ of the adiabatic landscape F(Q, T) of ``model`` (eqs. 5-7), tabulated.

        The range is [Q_min, Q_max], by default [-Q_max, Q_max] (the landscape is even in Q);
        by default Q_max = max(3 Q_MS, 6) when a metastable minimum exists, else 6. T in
        hbar*omega. The table is split at +-Q_c where the gap opens along Q (``gap_onset``),
        where F'' jumps.
        """
        from photosc.physics import landscape

        T = float(checked("T", T, nonnegative=True))
        if Q_max is None:
            q_ms = float(landscape.critical_points(model, T).Q_MS)
            Q_max = max(3.0 * q_ms, 6.0) if np.isfinite(q_ms) else 6.0
        q_c = gap_onset(model, T)
        kinks = [-q_c, q_c] if 0.0 < q_c < math.inf else []
        lo = -float(Q_max) if Q_min is None else float(Q_min)
        return cls.from_callable(
            lambda q: landscape.force(q, T, model), lo, float(Q_max), kinks=kinks, atol=atol
        )

    def _parts(self) -> TableParts:
        c = self.coefficients
        h_last = float(self.spacing[-1])
        last = c[-1]
        f_hi = float(((last[0] * h_last + last[1]) * h_last + last[2]) * h_last + last[3])
        s_hi = float((3.0 * last[0] * h_last + 2.0 * last[1]) * h_last + last[2])
        h = np.ascontiguousarray(self.spacing)
        return (
            self.bounds,
            1.0 / h,
            h,
            self.offsets,
            c,
            float(c[0, 3]),
            float(c[0, 2]),
            f_hi,
            s_hi,
        )

    def __call__(self, Q: ArrayLike) -> Any:
        """The tabulated force at Q (l0), in hbar*omega/l0; scalar in, float out."""
        q = checked("Q", Q)
        out = _table_force_array(np.ravel(q), *self._parts())
        return float(out[0]) if q.ndim == 0 else out.reshape(q.shape)


def _spline_segment(
    force: Callable[[FloatArray], ArrayLike],
    lo: float,
    hi: float,
    atol: float,
    n_start: int,
    n_max: int,
) -> tuple[FloatArray, float]:
    """Coefficients (cells, 4) of a not-a-knot cubic spline of force on [lo, hi], and its error."""

    def evaluate(q: FloatArray) -> FloatArray:
        values = np.asarray(force(q), dtype=float)
        if values.shape != q.shape or not np.all(np.isfinite(values)):
            raise ValueError("force must return finite values of the shape of its input")
        return values

    n_cells = n_start - 1
    nodes = np.linspace(lo, hi, n_cells + 1)
    f_nodes = evaluate(nodes)
    while True:
        spline = CubicSpline(nodes, f_nodes, bc_type="not-a-knot")
        h = (hi - lo) / n_cells
        checks = lo + h * (np.arange(4 * n_cells) + 1.0) / 4.0
        checks = checks[np.arange(checks.size) % 4 != 3]  # quarter, mid, three-quarter points
        f_checks = evaluate(checks)
        error = float(np.max(np.abs(spline(checks) - f_checks)))
        if error <= atol:
            return np.asarray(spline.c.T, dtype=FLOAT), error
        if 2 * n_cells + 1 > n_max:
            raise RuntimeError(
                f"force table did not reach atol={atol:g} on [{lo:g}, {hi:g}] with "
                f"{n_cells + 1} points (error {error:.3g}); is the force discontinuous or kinked?"
            )
        merged = np.empty(2 * n_cells + 1)
        merged[0::2], merged[1::2] = nodes, checks[1::3]
        f_merged = np.empty_like(merged)
        f_merged[0::2], f_merged[1::2] = f_nodes, f_checks[1::3]
        nodes, f_nodes, n_cells = merged, f_merged, 2 * n_cells


def gap_onset(model: Model, T: float) -> float:
    """|Q| at which the self-consistent gap opens along Q at temperature T (hbar*omega), in l0.

    The gap opens where U(Q) (eq. 5, or the model's exact pairing) reaches U_c,
    1/(nu U_c) = integral_0^cutoff tanh(xi/2T)/xi (the gap equation at Delta = 0); there F''(Q)
    jumps. Returns 0 when the gap is open already at
    Q = 0 (T below T_c(U0), including T = 0) and inf when it never opens (U_c >= U(Q -> inf)).
    """
    from photosc.physics import bcs, pairing

    T = float(checked("T", T, nonnegative=True))
    if T <= model.Tc:  # U_c <= U0 (this also covers T below 1e-140, where U_c underflows)
        return 0.0
    U_c = 1.0 / (model.nu * float(bcs.gap_integral(0.0, T, model.cutoff)))
    return float(pairing.coordinate_of_attraction(U_c, model.dE, model.g, model.U0, model.pairing))


@numba.njit(cache=True, nogil=True)
def _segment_force(
    x: float, lo: float, inv_h: float, h: float, first: int, top: float, table: TableParts
) -> float:
    """The force at x of the table (``ForceTable._parts``) in the segment that starts at lo, of
    cells h = 1/inv_h wide held in rows first..first+top: the cubic of x's cell inside
    [bounds[0], bounds[-1]), the linear continuation outside. Without branches (loops over x
    vectorise): the cell index is clamped to the segment (so x outside the table, or NaN, reads
    a valid cell) and the result is selected at the end."""
    bounds, inv_hs, _, _, c, f_lo, s_lo, f_hi, s_hi = table
    u = (x - lo) * inv_h
    cell = u if u < top else top  # NaN goes to the top cell
    i = int(cell if cell > 0.0 else 0.0)
    d = (u - i) * h
    k = first + i
    inside = ((c[k, 0] * d + c[k, 1]) * d + c[k, 2]) * d + c[k, 3]
    x_lo, x_hi = float(bounds[0]), float(bounds[inv_hs.shape[0]])
    below = f_lo + s_lo * (x - x_lo)
    above = f_hi + s_hi * (x - x_hi)
    return below if x < x_lo else (above if x >= x_hi else inside)


@numba.njit(cache=True, nogil=True)
def _segment(table: TableParts, s: int) -> tuple[float, float, float, int, float]:
    """Segment s's start, 1/h, h, first row and last cell index (``_segment_force``)."""
    bounds, inv_h, h, offsets = table[0], table[1], table[2], table[3]
    top = float(offsets[s + 1] - offsets[s] - 1)
    return float(bounds[s]), float(inv_h[s]), float(h[s]), int(offsets[s]), top


@numba.njit(cache=True, nogil=True)
def _table_force(x: float, *table: Any) -> float:
    """The force at x of the table (``ForceTable._parts`` unpacked): x's segment is the number
    of inner bounds <= x."""
    bounds, inv_h = table[0], table[1]
    s = 0
    for b in range(1, inv_h.shape[0]):
        s += x >= bounds[b]
    return _segment_force(x, *_segment(table, s), table)


@numba.njit(cache=True, nogil=True, inline="always")
def _table_forces(x: FloatArray, out: FloatArray, table: TableParts) -> None:
    """out[k] = the force at x[k] of the table (``ForceTable._parts``; x, out distinct). One
    segment: a loop without branches that vectorises, the cells read by gathers, in a kernel
    compiled with ``_Disjoint`` (inlined: a call costs ~60 ns, some 40 lookups); two or three
    (split at +-Q_c by ``from_model``): ``_three_segment_forces``; more: point by point."""
    n_seg = table[1].shape[0]
    if n_seg == 1:
        lo, ih, h, first, top = _segment(table, 0)
        for k in range(x.size):
            out[k] = _segment_force(x[k], lo, ih, h, first, top, table)
    elif n_seg <= 3:
        _three_segment_forces(x, out, table)
    else:
        for k in range(x.size):
            out[k] = _table_force(x[k], *table)


@numba.njit(cache=True, nogil=True, inline="always")
def _three_segment_forces(x: FloatArray, out: FloatArray, table: TableParts) -> None:
    """``_table_forces`` of a table of two or three segments in a loop that vectorises: x's
    segment from two comparisons, its constants by selects."""
    bounds, n_seg = table[0], table[1].shape[0]
    b1, b2 = float(bounds[1]), (float(bounds[2]) if n_seg > 2 else math.inf)
    lo0, ih0, h0, first0, top0 = _segment(table, 0)
    lo1, ih1, h1, first1, top1 = _segment(table, 1)
    lo2, ih2, h2, first2, top2 = _segment(table, n_seg - 1)
    for k in range(x.size):
        xk = x[k]
        up1, up2 = xk >= b1, xk >= b2  # x in segment 2 if up2, else 1 if up1, else 0
        lo = lo2 if up2 else (lo1 if up1 else lo0)
        ih = ih2 if up2 else (ih1 if up1 else ih0)
        h = h2 if up2 else (h1 if up1 else h0)
        first = first2 if up2 else (first1 if up1 else first0)
        top = top2 if up2 else (top1 if up1 else top0)
        out[k] = _segment_force(xk, lo, ih, h, first, top, table)


@numba.njit(cache=True, nogil=True, pipeline_class=_Disjoint)
def _table_force_array(x: FloatArray, *table: Any) -> FloatArray:
    """The force at each x of the table (parts unpacked; ``_table_forces``)."""
    out = np.empty_like(x)
    _table_forces(x, out, table)
    return out


# --- pulses ------------------------------------------------------------------------------------


#: A Gaussian of unit FWHM falls below 1e-6 of its peak beyond this many FWHM from its centre.
_GAUSS_SUPPORT: float = math.sqrt(math.log(1e6) / (4.0 * math.log(2.0)))


class Pulse(abc.ABC):
    """A displacive drive z E^2(t) (eq. 6), in hbar*omega/l0 (internal acceleration l0 omega^2).

    Pulses add: ``p1 + p2`` is a ``PulseTrain``. Subclasses define ``__call__(t)`` (t in 1/omega),
    ``start_time()`` and ``end`` (outside which the drive is below 1e-6 of its peak).
    """

    @property
    @abc.abstractmethod
    def end(self) -> float:
        """Time after which the drive is negligible, in 1/omega."""

    @abc.abstractmethod
    def start_time(self) -> float:
        """Time before which the drive is negligible, in 1/omega."""

    @abc.abstractmethod
    def __call__(self, t: ArrayLike) -> Any:
        """z E^2 at times t (1/omega), in hbar*omega/l0; scalar in, float out."""

    def __add__(self, other: Pulse) -> PulseTrain:
        left = self.pulses if isinstance(self, PulseTrain) else (self,)
        right = other.pulses if isinstance(other, PulseTrain) else (other,)
        return PulseTrain((*left, *right))

    def impulse(self) -> float:
        """Integral of z E^2 dt over the pulse, the velocity kick in l0*omega it gives at rest."""
        t = np.linspace(self.start_time(), self.end, 20001)
        return float(np.trapezoid(self(t), t))


def _carrier_factor(t: FloatArray, carrier: float, phase: float) -> FloatArray:
    """cos^2(carrier t + phase) (E^2 of a field E0 cos(carrier t + phase)), or 1 without carrier."""
    if carrier == 0.0:
        return np.ones_like(t)
    return np.cos(carrier * t + phase) ** 2


def _validate_pulse(amplitude: float, carrier: float, phase: float) -> None:
    checked("amplitude", amplitude, nonnegative=True)
    checked("carrier", carrier, nonnegative=True)
    checked("phase", phase)


@dataclass(frozen=True)
class GaussianPulse(Pulse):
    """z E^2(t) = amplitude * exp(-4 ln2 (t - center)^2 / fwhm^2) * cos^2(carrier t + phase).

    amplitude: peak z E0^2 in hbar*omega/l0 (a static drive of this size displaces the bare
    oscillator by ``amplitude`` l0); center, fwhm: time of the peak and full width at half maximum
    of the E^2 envelope, in 1/omega; carrier: angular frequency of the field E(t) in omega
    (0: no carrier, E^2 is the envelope); phase in rad. With a carrier the cycle average is half.
    """

    amplitude: float
    center: float
    fwhm: float
    carrier: float = 0.0
    phase: float = 0.0

    def __post_init__(self) -> None:
        _validate_pulse(self.amplitude, self.carrier, self.phase)
        checked("fwhm", self.fwhm, positive=True)
        checked("center", self.center)

    @property
    def end(self) -> float:
        return self.center + _GAUSS_SUPPORT * self.fwhm

    def start_time(self) -> float:
        return self.center - _GAUSS_SUPPORT * self.fwhm

    def __call__(self, t: ArrayLike) -> Any:
        t = checked("t", t)
        env = np.exp(-4.0 * math.log(2.0) * ((t - self.center) / self.fwhm) ** 2)
        out = self.amplitude * env * _carrier_factor(t, self.carrier, self.phase)
        return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class FlatTopPulse(Pulse):
    """z E^2(t): 0 before ``start``, a sin^2 rise over ``rise``, a plateau of ``duration``, a
    cos^2 fall over ``rise``; times in 1/omega, amplitude (plateau z E0^2) in hbar*omega/l0,
    carrier and phase as for ``GaussianPulse``.
    """

    amplitude: float
    start: float
    duration: float
    rise: float
    carrier: float = 0.0
    phase: float = 0.0

    def __post_init__(self) -> None:
        _validate_pulse(self.amplitude, self.carrier, self.phase)
        checked("start", self.start)
        checked("duration", self.duration, nonnegative=True)
        checked("rise", self.rise, positive=True)

    @property
    def end(self) -> float:
        return self.start + self.duration + 2.0 * self.rise

    def start_time(self) -> float:
        return self.start

    def __call__(self, t: ArrayLike) -> Any:
        t = checked("t", t)
        x = t - self.start
        up = np.sin(0.5 * np.pi * np.clip(x / self.rise, 0.0, 1.0)) ** 2
        down_x = (x - self.rise - self.duration) / self.rise
        down = np.cos(0.5 * np.pi * np.clip(down_x, 0.0, 1.0)) ** 2
        out = self.amplitude * up * down * _carrier_factor(t, self.carrier, self.phase)
        return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class PulseTrain(Pulse):
    """Several pulses in sequence (or overlapping): z E^2(t) is the sum of theirs."""

    pulses: tuple[Pulse, ...]

    def __post_init__(self) -> None:
        if not self.pulses:
            raise ValueError("pulses must hold at least one pulse, got pulses=()")

    @property
    def end(self) -> float:
        return max(p.end for p in self.pulses)

    def start_time(self) -> float:
        return min(p.start_time() for p in self.pulses)

    def __call__(self, t: ArrayLike) -> Any:
        t = checked("t", t)
        out = sum((np.asarray(p(t), dtype=float) for p in self.pulses), np.zeros_like(t))
        return float(out) if out.ndim == 0 else out


def amplitude_from_displacement_pm(
    displacement_pm: ArrayLike, omega_meV: float, mass_amu: float
) -> Any:
    """Drive amplitude z E0^2 (hbar*omega/l0) whose static push would displace the bare mode by
    ``displacement_pm`` picometres: M omega^2 Q = M z E0^2, i.e. amplitude = Q / l0 with
    l0 = sqrt(hbar / (M omega)) for a mode of mass ``mass_amu`` and energy ``omega_meV``.
    """
    d = checked("displacement_pm", displacement_pm, nonnegative=True)
    m = checked_scalar("mass_amu", mass_amu, positive=True)
    w = checked_scalar("omega_meV", omega_meV, positive=True)
    out = d / oscillator_length_pm(w, m)
    return float(out) if out.ndim == 0 else out


# --- ensemble integration ----------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, pipeline_class=_Disjoint)
def _advance(
    c_lo: int,
    c_hi: int,
    first: np.ndarray,
    last: np.ndarray,
    alive: np.ndarray,
    q: FloatArray,
    p: FloatArray,
    f: FloatArray,
    state: np.ndarray,
    drive: FloatArray,
    n0: int,
    n_block: int,
    h: float,
    c1: float,
    c2: float,
    bounds: FloatArray,
    inv_h: FloatArray,
    hs: FloatArray,
    offsets: np.ndarray,
    coef: FloatArray,
    f_lo: float,
    s_lo: float,
    f_hi: float,
    s_hi: float,
    record_every: int,
    partial: FloatArray,
    keep_q: FloatArray,
    keep_p: FloatArray,
    active: np.ndarray,
    armed: np.ndarray,
    t_armed: FloatArray,
    t_escape: FloatArray,
    n_arm: int,
    q_arm: float,
    q_exit: float,
    absorb: bool,
    z: FloatArray,
    raw: np.ndarray,
    pending: np.ndarray,
    q_new: FloatArray,
    p_new: FloatArray,
    f_new: FloatArray,
) -> None:
    """Advance chunks c_lo..c_hi-1 (trajectories first[c] to last[c] - 1 each, consecutive)
    together by ``n_block`` BAOAB steps from step ``n0``, adding Q, Q^2, P^2 of each chunk with
    alive[c] at each record step to ``partial[c]`` (records counted from the segment's first).
    f holds the force (landscape + drive) at the current positions (first-same-as-last); with
    noise (c2 > 0) each trajectory draws one normal per step from its own stream (state:
    transposed, (4, n)). Each step is vectorised passes over the trajectories: the normals
    (``fill_normals``), the BAOAB update (``_baoab_step``: absorbed trajectories compute it and
    keep their old values, and draw numbers no one reads) and, if first passages are followed,
    their tests. z (zeros without noise), raw, pending, q_new, p_new, f_new: work arrays of the
    size of q (arguments, so that the compiler knows they overlap nothing)."""
    half = 0.5 * h
    k_first = n0 // record_every + 1
    track = q_arm < math.inf
    table = (bounds, inv_h, hs, offsets, coef, f_lo, s_lo, f_hi, s_hi)
    countdown = record_every - n0 % record_every  # steps to the next record
    a, b = first[c_lo], last[c_hi - 1]
    qc, pc, fc, on = q[a:b], p[a:b], f[a:b], active[a:b]
    s0, s1, s2, s3 = state[0, a:b], state[1, a:b], state[2, a:b], state[3, a:b]
    zc, rc, ic = z[a:b], raw[a:b], pending[a:b]
    qn, pn, fn = q_new[a:b], p_new[a:b], f_new[a:b]
    for s in range(n_block):
        n = n0 + s
        a_next = drive[n + 1]
        if c2 != 0.0:
            fill_normals(s0, s1, s2, s3, zc, rc, ic)
        _baoab_step(qc, pc, fc, on, zc, qn, pn, fn, half, c1, c2, a_next, table)
        if track:
            _passages(qc, on, armed[a:b], t_armed[a:b], t_escape[a:b], n + 1 >= n_arm,
                      (n + 1) * h, q_arm, q_exit, absorb)  # fmt: skip
        countdown -= 1
        if countdown == 0:
            countdown = record_every
            k = (n + 1) // record_every
            for c in range(c_lo, c_hi):
                if not alive[c]:
                    continue
                row = partial[c, k - k_first]
                for j in range(first[c], last[c]):
                    row[0] += q[j]
                    row[1] += q[j] * q[j]
                    row[2] += p[j] * p[j]
                for j in range(first[c], min(keep_q.shape[1], last[c])):
                    keep_q[k, j] = q[j]
                    keep_p[k, j] = p[j]


@numba.njit(cache=True, nogil=True, pipeline_class=_Disjoint)
def _baoab_step(
    q: FloatArray,
    p: FloatArray,
    f: FloatArray,
    active: np.ndarray,
    z: FloatArray,
    q_new: FloatArray,
    p_new: FloatArray,
    f_new: FloatArray,
    half: float,
    c1: float,
    c2: float,
    a_next: float,
    table: TableParts,
) -> None:
    """One BAOAB step of the trajectories (q, p) whose forces are f, with the normals z: kick,
    drift, Ornstein-Uhlenbeck, drift into (q_new, p_new), the forces there (+ a_next) into
    f_new, the last kick; the active trajectories keep the result. Three loops without branches
    that vectorise (they do when the arrays are this function's arguments, not views made in
    the caller's loop)."""
    for i in range(q.size):  # B, A, O, A
        pj = p[i] + half * f[i]
        qj = q[i] + half * pj
        pj = c1 * pj + c2 * z[i]
        q_new[i] = qj + half * pj
        p_new[i] = pj
    _table_forces(q_new, f_new, table)
    for i in range(q.size):  # B with the new force
        fj = f_new[i] + a_next
        q[i] = q_new[i] if active[i] else q[i]
        p[i] = p_new[i] + half * fj if active[i] else p[i]
        f[i] = fj if active[i] else f[i]


@numba.njit(cache=True, nogil=True, inline="always")
def _passages(
    q: FloatArray,
    active: np.ndarray,
    armed: np.ndarray,
    t_armed: FloatArray,
    t_escape: FloatArray,
    can_arm: bool,
    t: float,
    q_arm: float,
    q_exit: float,
    absorb: bool,
) -> None:
    """First passages at time t of the active trajectories at q: arm those beyond q_arm (if
    can_arm), mark the escape of armed ones below q_exit (and absorb them if ``absorb``)."""
    for i in range(q.size):
        if not active[i]:
            continue
        if not armed[i]:
            if can_arm and q[i] > q_arm:
                armed[i] = True
                t_armed[i] = t
        elif q[i] < q_exit and np.isnan(t_escape[i]):
            t_escape[i] = t
            if absorb:
                active[i] = False


@numba.njit(cache=True, nogil=True)
def _segment_serial(
    groups: np.ndarray, first: np.ndarray, last: np.ndarray, alive: np.ndarray, *args: Any
) -> None:
    """``_advance`` (first, last, alive, args) for each group of chunks groups[g]..groups[g+1]-1
    with a chunk alive, on the calling thread."""
    for g in range(groups.size - 1):
        if alive[groups[g] : groups[g + 1]].any():
            _advance(groups[g], groups[g + 1], first, last, alive, *args)


@numba.njit(cache=True, nogil=True, parallel=True)
def _segment_parallel(
    groups: np.ndarray, first: np.ndarray, last: np.ndarray, alive: np.ndarray, *args: Any
) -> None:
    """``_segment_serial`` with the groups spread over numba's threads."""
    for g in numba.prange(groups.size - 1):
        if alive[groups[g] : groups[g + 1]].any():
            _advance(groups[g], groups[g + 1], first, last, alive, *args)


@numba.njit(cache=True, nogil=True)
def _thermal_momenta(state: np.ndarray, T_eff: float) -> FloatArray:
    """One thermal momentum sqrt(T_eff) * N(0, 1) from each trajectory's stream (state: (4, n);
    once per run, so stream by stream: this compiles faster than ``fill_normals``)."""
    p = np.empty(state.shape[1])
    scale = math.sqrt(T_eff)
    for j in range(p.size):
        z, (state[0, j], state[1, j], state[2, j], state[3, j]) = standard_normal(
            (state[0, j], state[1, j], state[2, j], state[3, j])
        )
        p[j] = scale * z
    return p


def _writable(a: np.ndarray) -> np.ndarray:
    """C-contiguous and writeable (numba compiles a separate kernel for read-only arrays)."""
    return np.require(a, requirements=["C", "W"])


@dataclass(frozen=True, eq=False)
class EnsembleResult:
    """An ensemble of eq.-6 trajectories (times in 1/omega, Q in l0, P in l0*omega).

    t: record times; mean_Q, mean_Q2, mean_P2: ensemble averages <Q>, <Q^2>, <P^2> at t;
    Q, P: the first ``keep`` trajectories at t, shape (len(t), keep); Q_final, P_final: every
    trajectory at the end (or where it was absorbed); t_armed: when each trajectory first stood
    beyond q_arm (NaN if never); t_escape: when an armed trajectory first came back below q_exit
    (NaN if it did not); escape_time = t_escape - t_armed. ``chunk_seeds`` are the SeedSequence
    children, one per chunk of ``chunk_size`` trajectories, in chunk order.
    """

    t: FloatArray
    mean_Q: FloatArray
    mean_Q2: FloatArray
    mean_P2: FloatArray
    Q: FloatArray
    P: FloatArray
    Q_final: FloatArray
    P_final: FloatArray
    t_armed: FloatArray
    t_escape: FloatArray
    seed: np.random.SeedSequence
    chunk_seeds: list[np.random.SeedSequence]
    chunk_size: int
    dt: float
    gamma: float
    T: float
    sites: float
    q_arm: float
    q_exit: float
    drive: FloatArray = field(repr=False)

    @property
    def escape_time(self) -> FloatArray:
        """t_escape - t_armed per trajectory, NaN where there was no escape."""
        return self.t_escape - self.t_armed

    @property
    def t_end(self) -> float:
        """The last time integrated."""
        return float(self.t[-1])


def simulate(
    force: ForceTable,
    *,
    gamma: float,
    T: float,
    t_end: float,
    dt: float,
    n_traj: int,
    Q0: ArrayLike = 0.0,
    P0: ArrayLike | None = None,
    drive: Callable[[FloatArray], ArrayLike] | None = None,
    sites: float = 1.0,
    seed: int | np.random.SeedSequence | None = None,
    chunk_size: int = CHUNK_SIZE,
    chunks: Sequence[int] | None = None,
    threads: int = 1,
    record_every: int = 1,
    keep: int = 0,
    q_arm: float = np.inf,
    t_arm: float = 0.0,
    q_exit: float = -np.inf,
    absorb: bool = False,
) -> EnsembleResult:
    """Integrate eq. 6 for ``n_traj`` trajectories with BAOAB (weak order 2) at step ``dt``.

    force: the landscape force f(Q) = -dF/dQ (hbar*omega/l0) as a ``ForceTable``; gamma: damping
    in omega; T: bath temperature in hbar*omega; t_end, dt in 1/omega (t_end is rounded up to a
    whole number of steps); Q0 (l0), P0 (l0*omega): start, scalars or arrays of shape (n_traj,),
    P0=None draws thermal momenta; drive: z E^2(t) in hbar*omega/l0 (a ``Pulse`` or any vectorised
    callable), sampled once on the time grid.

    sites: the number N of sites whose Raman coordinates move together as one coarse-grained Q.
    Their free energy, mass and friction are N times those of one site while the bath noise adds
    up incoherently, so per unit mass the noise variance is 2 gamma T / N: the coordinate feels an
    effective temperature T / N, and every barrier in units of that temperature is N times
    larger. Escape over a barrier Delta F is Arrhenius-like, rate ~ exp(-N Delta F / T), so
    lifetimes grow exponentially with the size of the region that must fluctuate back together.
    sites = 1 is eq. 6 as written (each site alone, the shortest lifetimes).

    Randomness: ``seed`` spawns one SeedSequence child per chunk of ``chunk_size`` trajectories,
    and each child seeds one random stream per trajectory of its chunk (``_random``): trajectory
    i draws its thermal momentum (if P0 is None) and then its noise step by step from its own
    stream, so it is reproducible whatever ``n_traj``, ``threads`` (numba threads over chunks;
    1 runs on the calling thread, which is what a dask worker thread should use) or ``chunks``
    (the subset of chunk indices to run, for spreading one ensemble over processes) are, and no
    trajectory draws numbers for another. The result holds the trajectories of the chunks run,
    in chunk order.

    First passage: a trajectory is armed the first time it stands beyond ``q_arm`` at a time
    >= ``t_arm``; its escape time is the first later time it is below ``q_exit`` (recorded during
    the run). ``absorb`` stops integrating escaped trajectories (their Q_final is where they left).
    Averages are taken every ``record_every`` steps; ``keep`` trajectories are stored in full.
    """
    gamma = float(checked("gamma", gamma, nonnegative=True))
    T = float(checked("T", T, nonnegative=True))
    t_end = float(checked("t_end", t_end, positive=True))
    dt = float(checked("dt", dt, positive=True))
    sites = float(checked("sites", sites, positive=True))
    for name, value, low in (
        ("n_traj", n_traj, 1),
        ("chunk_size", chunk_size, 1),
        ("threads", threads, 1),
        ("record_every", record_every, 1),
        ("keep", keep, 0),
    ):
        if not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {name}={value!r}")
    if keep > min(n_traj, chunk_size):
        raise ValueError(f"keep must be <= min(n_traj, chunk_size), got keep={keep!r}")
    q_arm, q_exit = float(q_arm), float(q_exit)
    t_arm = float(checked("t_arm", t_arm, nonnegative=True))

    n_steps = max(1, math.ceil(t_end / dt - 1e-9))
    t_grid: FloatArray = np.arange(n_steps + 1, dtype=FLOAT) * dt
    drive_arr = np.zeros(n_steps + 1)
    if drive is not None:
        drive_arr = np.array(np.broadcast_to(drive(t_grid), t_grid.shape), dtype=FLOAT)
        checked("drive", drive_arr)
    n_arm = math.ceil(t_arm / dt - 1e-9)

    q0_all = np.broadcast_to(checked("Q0", Q0), (n_traj,))
    p0_all = None if P0 is None else np.broadcast_to(checked("P0", P0), (n_traj,))
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    n_chunks = -(-n_traj // chunk_size)
    children = _children(root, n_chunks)
    run = list(range(n_chunks)) if chunks is None else sorted(set(chunks))
    if any(not 0 <= k < n_chunks for k in run) or not run:
        raise ValueError(f"chunks must be indices in [0, {n_chunks}), got chunks={chunks!r}")
    if keep and run[0] != 0:
        raise ValueError("keep > 0 needs chunk 0 in chunks (the kept trajectories live there)")
    bounds, inv_h, hs, offsets, coef, f_lo, s_lo, f_hi, s_hi = force._parts()
    table = tuple(_writable(a) for a in (bounds, inv_h, hs, offsets, coef))
    table_args: tuple[Any, ...] = (*table, f_lo, s_lo, f_hi, s_hi)

    starts = np.array([k * chunk_size for k in run])
    stops = np.array([min((k + 1) * chunk_size, n_traj) for k in run])
    sizes = stops - starts
    state = np.ascontiguousarray(
        np.concatenate(
            [stream_states(children[k], int(m)) for k, m in zip(run, sizes, strict=True)]
        ).T
    )
    pick = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops, strict=True)])
    T_eff = T / sites
    q = np.array(q0_all[pick], dtype=FLOAT)
    p = _thermal_momenta(state, T_eff) if p0_all is None else np.array(p0_all[pick], FLOAT)
    f = _table_force_array(q, *table_args) + drive_arr[0]
    n_run = q.size
    offsets_run = np.concatenate([[0], np.cumsum(sizes)])
    first, last = offsets_run[:-1], offsets_run[1:]
    n_rec = n_steps // record_every + 1
    sums = np.zeros((n_rec, 3))
    sums[0] = q.sum(), (q * q).sum(), (p * p).sum()
    keep_q, keep_p = np.zeros((n_rec, keep)), np.zeros((n_rec, keep))
    keep_q[0], keep_p[0] = q[:keep], p[:keep]
    active = np.ones(n_run, dtype=np.bool_)
    armed = np.zeros(n_run, dtype=np.bool_)
    t_armed, t_escape = np.full(n_run, np.nan), np.full(n_run, np.nan)
    if n_arm == 0:
        armed[:] = q > q_arm
        t_armed[armed] = 0.0
    c1 = math.exp(-gamma * dt)
    c2 = math.sqrt(max(0.0, (1.0 - c1 * c1) * T_eff))
    segment = _segment_serial if threads == 1 else _segment_parallel
    per_group = max(1, min(_GROUP_SIZE // chunk_size, len(run) // threads))
    groups = np.append(np.arange(0, len(run), per_group), len(run))
    work = (np.zeros(n_run), np.empty(n_run, np.uint64), np.empty(n_run, np.int64),
            *np.empty((3, n_run)))  # fmt: skip
    if threads > 1:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    alive = np.ones(len(run), dtype=np.bool_)
    n0 = 0
    while n0 < n_steps and alive.any():
        n_block = min(_BLOCK_STEPS, n_steps - n0)
        k_first = n0 // record_every + 1
        n_rec_block = (n0 + n_block) // record_every - n0 // record_every
        partial = np.zeros((len(run), n_rec_block, 3))
        segment(
            groups, first, last, alive, q, p, f, state, drive_arr, n0, n_block, dt, c1, c2,
            *table_args, record_every, partial, keep_q, keep_p, active, armed, t_armed, t_escape,
            n_arm, q_arm, q_exit, absorb, *work,
        )  # fmt: skip
        sums[k_first : k_first + n_rec_block] += partial.sum(axis=0)
        alive = np.logical_or.reduceat(active, first) & alive
        n0 += n_block

    sums /= n_run
    return EnsembleResult(
        t=t_grid[::record_every],
        mean_Q=sums[:, 0],
        mean_Q2=sums[:, 1],
        mean_P2=sums[:, 2],
        Q=keep_q,
        P=keep_p,
        Q_final=q,
        P_final=p,
        t_armed=t_armed,
        t_escape=t_escape,
        seed=root,
        chunk_seeds=[children[k] for k in run],
        chunk_size=chunk_size,
        dt=dt,
        gamma=gamma,
        T=T,
        sites=sites,
        q_arm=q_arm,
        q_exit=q_exit,
        drive=drive_arr[::record_every],
    )


def _children(root: np.random.SeedSequence, n: int) -> list[np.random.SeedSequence]:
    """The first n children of ``root`` as a fresh ``root.spawn(n)`` gives them (root untouched)."""
    return [
        np.random.SeedSequence(
            root.entropy, spawn_key=(*root.spawn_key, k), pool_size=root.pool_size
        )
        for k in range(n)
    ]


def escape_rate(escape_time: ArrayLike, observed_time: ArrayLike) -> tuple[float, float]:
    """Maximum-likelihood rate of an exponential escape from censored first-passage times.

    escape_time: per trajectory, NaN if it had not escaped; observed_time: how long each was
    watched (scalar or per trajectory). Rate = (number escaped) / (total time at risk), with
    relative standard error 1/sqrt(number escaped). Returns (rate, standard error), in 1/time.
    """
    te = as_real_array("escape_time", escape_time)
    if np.any(te[np.isfinite(te)] < 0) or np.any(np.isinf(te)):
        raise ValueError("escape_time must be >= 0 (NaN for no escape), got negative or inf")
    te, obs = broadcast(
        escape_time=te, observed_time=checked("observed_time", observed_time, positive=True)
    )
    escaped = np.isfinite(te)
    n = int(escaped.sum())
    if n == 0:
        raise ValueError("escape_time holds no escapes: the rate cannot be estimated")
    exposure = float(np.sum(np.where(escaped, te, obs)))
    if not exposure > 0:  # every escape at t = 0: the maximum-likelihood rate is infinite
        raise ValueError(
            "escape_time: all escapes at t = 0 (no time at risk), the rate is unbounded"
        )
    rate = n / exposure
    return rate, rate / math.sqrt(n)
