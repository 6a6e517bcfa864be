"""Compiled random numbers for the Langevin kernels: one independent stream per trajectory.

Each stream is a xoshiro256++ generator (Blackman and Vigna, "Scrambled linear pseudorandom
number generators", ACM TOMS 47, 36 (2021)) whose 256-bit state comes from a
``numpy.random.SeedSequence`` (``stream_states``), so a trajectory's numbers depend only on its
seed and never on how trajectories are spread over threads. Normal deviates come from the
ziggurat method of Marsaglia and Tsang (J. Stat. Softw. 5(8), 2000) with 256 layers; a single
64-bit draw gives the layer (8 bits), the sign (1 bit) and a 53-bit uniform, and ~99% of
draws cost one draw, one multiply and one comparison.

Kernels that take one number from each of many streams at a time (an ensemble step) keep the
states transposed, (4, n), and call ``fill_normals`` on a chunk's four contiguous rows: it
gives each stream the numbers ``standard_normal`` would, in vectorised passes.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from photosc._checks import FloatArray

_U64 = np.uint64
_M53 = 1.0 / 9007199254740992.0  # 2^-53

#: Ziggurat with 256 layers of area _V under exp(-x^2/2); the base layer holds [0, _R] and
#: the tail beyond _R (Marsaglia and Tsang 2000, Table 1).
_LAYERS = 256
_R = 3.6541528853610088
_V = 4.92867323399e-3


def _ziggurat_tables() -> tuple[FloatArray, FloatArray, FloatArray]:
    """Layer widths x (x[0] = V/f(R), x[1] = R, ..., x[256] = 0), acceptance ratios
    x[i+1]/x[i] and f(x[i]) for f(x) = exp(-x^2/2)."""
    x = np.empty(_LAYERS + 1)
    x[0], x[1] = _V / math.exp(-0.5 * _R * _R), _R
    for i in range(1, _LAYERS - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(math.exp(-0.5 * x[i] ** 2) + _V / x[i]))
    x[_LAYERS] = 0.0
    return x, x[1:] / x[:-1], np.exp(-0.5 * x**2)


_ZX, _ZK, _ZF = _ziggurat_tables()


def stream_states(seed: np.random.SeedSequence, n: int) -> np.ndarray:
    """The xoshiro256++ states (n, 4) of n streams drawn from ``seed`` (all-zero is excluded)."""
    state = seed.generate_state(4 * n, np.uint64).reshape(n, 4)
    state[~state.any(axis=1), 0] = 1
    return state


#: A stream's state (s0, s1, s2, s3), carried in registers through a kernel's inner loop.
State = tuple[np.uint64, np.uint64, np.uint64, np.uint64]


@numba.njit(cache=True, nogil=True, inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << _U64(k)) | (x >> _U64(64 - k))


@numba.njit(cache=True, nogil=True, inline="always")
def next_u64(s: State) -> tuple[np.uint64, State]:
    """The next 64-bit output of the xoshiro256++ state s, and the advanced state."""
    s0, s1, s2, s3 = s
    result = _rotl(s0 + s3, 23) + s0
    t = s1 << _U64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, (s0, s1, s2, s3)


@numba.njit(cache=True, nogil=True, inline="always")
def _uniform_open(s: State) -> tuple[float, State]:
    """A uniform deviate in (0, 1]."""
    u, s = next_u64(s)
    return (float(np.int64(u >> _U64(11))) + 1.0) * _M53, s


@numba.njit(cache=True, nogil=True, inline="always")
def _split(u: np.uint64) -> tuple[int, bool, float, float]:
    """A 64-bit draw as (layer, sign, 53-bit uniform in [0, 1), x = uniform * width)."""
    layer = int(np.int64(u & _U64(255)))
    negative = bool(np.int64((u >> _U64(8)) & _U64(1)) == 1)
    uniform = float(np.int64(u >> _U64(11))) * _M53
    return layer, negative, uniform, uniform * _ZX[layer]


@numba.njit(cache=True, nogil=True)
def _tail(s: State, negative: bool) -> tuple[float, State]:
    """A deviate beyond R (sign given), by Marsaglia's exponential rejection (Marsaglia and Tsang
    2000, section 2)."""
    while True:
        a, s = _uniform_open(s)
        b, s = _uniform_open(s)
        a, b = -math.log(a) / _R, -math.log(b)
        if b + b > a * a:
            return (-(_R + a) if negative else _R + a), s


@numba.njit(cache=True, nogil=True, inline="always")
def _slow_round(s: State, u: np.uint64) -> tuple[bool, float, State, np.uint64]:
    """One round of the full ziggurat on the draw u (s: the state after it): done, with the
    deviate and the state after it, if u passes the fast test, falls in the tail (layer 0) or
    passes the wedge test with a fresh uniform; otherwise not done, with the next draw to try
    and the state after that. Apart from the rare tail, the outcomes are selects (every round
    computes the wedge's exp), so rounds of several streams overlap in the processor."""
    layer, negative, uniform, x = _split(u)
    fast = uniform < _ZK[layer]
    if not fast and layer == 0:
        z, s = _tail(s, negative)
        return True, z, s, u
    v, s_v = _uniform_open(s)
    wedge = _ZF[layer] + v * (_ZF[layer + 1] - _ZF[layer]) < math.exp(-0.5 * x * x)
    u_next, s_next = next_u64(s_v)
    s_out = s if fast else (s_v if wedge else s_next)
    return fast or wedge, (-x if negative else x), s_out, u_next


@numba.njit(cache=True, nogil=True)
def _normal_slow(s: State, u: np.uint64) -> tuple[float, State]:
    """The full ziggurat from a draw u that missed the fast path (s: the state after it):
    rounds (``_slow_round``) until one is done."""
    while True:
        done, z, s, u = _slow_round(s, u)
        if done:
            return z, s


@numba.njit(cache=True, nogil=True, inline="always")
def standard_normal(s: State) -> tuple[float, State]:
    """A standard normal deviate from state s (ziggurat, 256 layers), and the advanced state."""
    u, s = next_u64(s)
    layer, negative, uniform, x = _split(u)
    if uniform < _ZK[layer]:
        return (-x if negative else x), s
    return _normal_slow(s, u)


@numba.njit(cache=True, nogil=True, inline="always")
def load(state: np.ndarray, j: int) -> State:
    """Stream j of the state array (n, 4)."""
    return state[j, 0], state[j, 1], state[j, 2], state[j, 3]


@numba.njit(cache=True, nogil=True, inline="always")
def store(state: np.ndarray, j: int, s: State) -> None:
    """Write s back as stream j of the state array (n, 4)."""
    state[j, 0], state[j, 1], state[j, 2], state[j, 3] = s


@numba.njit(cache=True, nogil=True)
def normals(state: np.ndarray, j: int, n: int) -> FloatArray:
    """n standard normal deviates from stream j of ``state`` (advancing it)."""
    out = np.empty(n)
    s = load(state, j)
    for k in range(n):
        out[k], s = standard_normal(s)
    store(state, j, s)
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def fill_normals(
    s0: np.ndarray,
    s1: np.ndarray,
    s2: np.ndarray,
    s3: np.ndarray,
    z: FloatArray,
    raw: np.ndarray,
    pending: np.ndarray,
) -> None:
    """z[i] = the next ``standard_normal`` of stream i, whose state is (s0[i], s1[i], s2[i],
    s3[i]) (advanced in place); raw (uint64) and pending (int64) are scratch of the size of z.

    Passes over the streams: all advance by one draw (vectorised: the streams are independent),
    the ziggurat's fast path on each draw (vectorised; NaN marks a miss) and, only if some
    missed, rounds of the full ziggurat (``_slow_round``) over the misses still pending, from
    their advanced states: what ``standard_normal`` does after its first draw, so every stream
    gets the same numbers.
    """
    for i in range(z.size):
        raw[i], (s0[i], s1[i], s2[i], s3[i]) = next_u64((s0[i], s1[i], s2[i], s3[i]))
    misses = 0
    for i in range(z.size):
        layer, negative, uniform, x = _split(raw[i])
        hit = uniform < _ZK[layer]
        z[i] = (-x if negative else x) if hit else math.nan
        misses += not hit
    if misses == 0:
        return
    n = 0
    for i in range(z.size):  # the misses, compacted without branches
        pending[n] = i
        n += math.isnan(z[i])
    while n > 0:
        left = 0
        for k in range(n):
            i = pending[k]
            done, z[i], (s0[i], s1[i], s2[i], s3[i]), raw[i] = _slow_round(
                (s0[i], s1[i], s2[i], s3[i]), raw[i]
            )
            pending[left] = i
            left += not done
        n = left
