"""Nucleation on a lattice of Raman coordinates: how the metastable state Q_MS decays.

Each site i of a d-dimensional simple cubic lattice (d = 1, 2, 3, spacing a) carries its own
Raman coordinate Q_i in the adiabatic landscape F(Q, T) of ``photosc.physics.landscape``; the
coordinates of neighbouring sites are coupled by a stiffness kappa,

    E[Q] = sum_i F(Q_i, T) + (kappa / 2) sum_<ij> (Q_i - Q_j)^2,

kappa in M omega^2 (= 1 internally), so that the Raman branch disperses as
omega(k)^2 = omega^2 + 2 kappa sum_alpha (1 - cos k_alpha a). Its continuum limit is
integral d^dx / a^d [F(Q) + (kappa a^2 / 2) |grad Q|^2]. The paper (section PHOTO-INDUCED
METASTABILITY) names "macroscopic nucleation due to thermal fluctuations" as the way back from
Q_MS to Q = 0 but does not compute it; this module does.

Decay needs F(Q_MS) > F(0) (metastability I). For metastability II below the first-order
temperature the distorted state is the stable one: it does not decay, and every function here
raises ValueError there (as where there is no metastable minimum at all).

- ``critical_nucleus``: the O(d)-symmetric continuum bounce
  kappa a^2 (Q'' + (d - 1) Q'/r) = dF/dQ, Q'(0) = 0, Q -> Q_MS as r -> infinity (Coleman, Phys.
  Rev. D 15, 2929 (1977); Langer, Ann. Phys. 41, 108 (1967)). Lengths in site spacings and
  rho = r / sqrt(kappa) make kappa drop out: the bounce is found once per (model, T, d) by
  shooting on the centre value Q(0) (a compiled RK4 to the linear region around Q_MS, where the
  K_nu / I_nu solutions give a smooth miss for a regula falsi and the exact tail; the
  core where Q < 1e-7 Q_B, long for thin walls, from its exact Bessel solution), E_c =
  kappa^(d/2) E~ and radius = sqrt(kappa) rho_B.
- ``lattice_nucleus``: the saddle of E[Q] on a finite periodic lattice, by Newton's method on
  grad E = 0 (dense LAPACK up to 600 sites, sparse LU above) started from the continuum bounce
  sampled on the lattice and from a single site at the barrier Q_B; a candidate counts only if
  its Hessian has exactly one negative eigenvalue (Morse index 1). Newton converges to the
  nearest critical point quadratically; with these two starts it finds both the smooth nuclei
  of large kappa and the one-site nuclei of small kappa, where the continuum fails.
- ``lattice_side``: the side of the lattice ``lattice_nucleus`` takes (its cost), cheaply.
- ``lattice_nuclei``: the saddles of a tau(T) curve or a row of widths by parameter
  continuation (Newton from the neighbouring saddles, extrapolated), checked against
  ``lattice_nucleus``'s full search at the ends of each line and every 16th point, where a
  branch switch of the highest growth step is searched back (see its docstring).
- ``nucleation_rate``: Langer's rate per site (see its docstring for the translational modes),
  on the saddles of ``lattice_nuclei``.
- ``lifetime``: 1/(sites * rate) for a probed volume of ``sites`` sites.

Limits of the lattice saddle search (measured): reliable in d = 1, for smooth nuclei in d = 2,
and for nuclei of a few sites in d = 3. For sharp walls (decay length sqrt(kappa/F''(Q_MS)) <
1 site) and large critical clusters (d = 3, >~ 50 sites) the minimum-energy path is a staircase
of single-site growth steps that the string (at most 96 images) does not resolve; the search
therefore also polishes the highest steps of layer-by-layer growth (``_growth_steps``), which
finds the critical cluster of the staircase (K3C60 at 100 K, 1/Z = 3.6, d = 3: 157 sites and
E_c/T = 7.1 at 30 meV, 461 sites and E_c/T = 15.8 at 40 meV, the same on the default and a
4 sites smaller lattice, where the string alone returned a one-site step 12x lower at 30 meV,
and no saddle of index 1 at 40 meV). A staircase step is
flagged: ``LatticeNucleus.grows`` is False when the saddle, pushed along its unstable mode,
relaxes into a pinned cluster instead of taking the lattice to the Q = 0 basin (also at
kappa -> 0, where the sites flip independently and there is no growing nucleus).

Langer's rate in d = 2 (measured against ``lattice_langevin``, K3C60 at 1/Z = 3.6, T = 0.12,
gamma = 1). For E_c/T <~ 20 the Gaussian fluctuation term (T/2) ln(det H_0 / |det' H_s|) (the
translations excluded: 10-14 T) is comparable to E_c, and for E_c/T = 5-10 (T = 0.12-0.14)
it exceeds E_c: Langer's rate per lattice is above the attempt frequency and the simulated
escape is not activated; at T <= 0.11 and kappa < 1 the saddle is a staircase step (``grows``
False). So the issue's E_c/T = 3-8 has no d = 2 comparison in this model. Where escape is
activated (kappa = 5, E_c/T = 24.7) the simulated rate per site does not depend on dt
(0.05-0.0125) or side (24-40: 0.82-0.92 x 10^-6 omega), follows Langer's gamma dependence
(simulated / Langer 0.49, 0.52, 0.65 at gamma = 0.25, 1, 4 on 20^2 sites: the discrepancy is
static), and is 1.9-2.1 (+-0.2) times Langer's (4.5 x 10^-7 per site, converged for sides
>= 28). Two things limit the Gaussian treatment here. (i) The nucleus wall crosses the gap
onset Q_g = 0.304 l0, where F'' jumps from 1 (F = Q^2/2 below) to -3.5; ~30 wall sites lie
within 0.05 l0 of Q_g and fluctuate by ~0.1 l0. The nucleus centred on a site, a bond or a
plaquette has the same E_c within 0.01 T (it translates freely), yet their prefactors span 9x
(lambda_u from -0.09 to -0.25), and which centre is the index-1 saddle depends on the side
(the site on 20^2 sites, where simulated / Langer = 0.52; the plaquette from 28^2). The
simulation lies within that spread (tests/test_lattice_nucleation.py). (ii) With the kink
smoothed (force averaged over a Gaussian of 0.1 l0, noise T below the landscape's) the spread
vanishes, but simulated / Langer = 0.44 +- 0.04 (kappa = 5, E_c/T = 25), 0.55 +- 0.05 and
0.63 +- 0.08 (kappa = 2, E_c/T = 22.8, 24.5): the large one-loop term leaves a factor ~2 that
the next order (quartic, dumbbell and sunset terms of the on-site anharmonicity: x1.1-1.8)
does not explain. (iii) The kink is not needed for the failure: on a smooth double well with
the same curvature at both minima (tests/test_lattice_nucleation.py; kappa = 0.5, 27^2 sites)
the simulated rate is 0.024 times Langer's at E_c/T = 30.6 and 0.031 at E_c/T = 33.2 (35^2
sites), with a Gaussian term of 27.2 T: a d = 2 nucleus softens ~90 modes (its core and its
wall, F'' < 0 there), and their Gaussian treatment errs by a factor that grows with T (ln of
the ratio = -115 T at both temperatures, the order T of the next term of the loop
expansion). Where d = 2 rates are measurable by simulation (E_c/T <~ 35) that term is
of the order of E_c/T, so Langer's rate is not controlled there, with or without the kink.
d = 1 has two wall sites near Q_g (spread 1.4x), a one-loop term of 3 T, and agrees at
E_c/T = 4-6.

Internal units: energies and T in hbar*omega, Q in l0, kappa in M omega^2, lengths in site
spacings a, rates in omega, gamma in omega.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numba
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.integrate import simpson
from scipy.interpolate import PPoly
from scipy.linalg import eigh
from scipy.optimize import brentq
from scipy.sparse.linalg import LinearOperator, eigsh, splu
from scipy.special import erf, i0e, i1e, k0e, k1e
from threadpoolctl import ThreadpoolController

from photosc._checks import FloatArray, checked, output
from photosc.model import Model
from photosc.physics import landscape
from photosc.physics.dynamics import (
    ForceTable,
    TableParts,
    _table_force,
    _table_force_array,
    gap_onset,
)
from photosc.physics.lattice_langevin import _box, _force_kick

#: E_c / T below which Langer's rate (an expansion in T / E_c) is flagged as not valid.
VALID_RATIO: float = 5.0
#: Largest lattice side used for the fluctuation determinant, per dimension.
MAX_SIDE: dict[int, int] = {1: 4001, 2: 201, 3: 41}

#: Half-width of the force table of ``_well``, in units of Q_MS.
_TABLE_SPAN: float = 1.5

_DIMS = (1, 2, 3)


# --- branch width <-> stiffness ------------------------------------------------------------------


def _dim(dim: Any) -> int:
    if dim not in _DIMS or isinstance(dim, bool):
        raise ValueError(f"dim must be 1, 2 or 3, got dim={dim!r}")
    return int(dim)


def kappa_from_width(width: ArrayLike, dim: int = 3) -> Any:
    """Stiffness kappa (M omega^2) of a Raman branch of width ``width`` (in hbar*omega).

    omega(k)^2 = omega^2 + 2 kappa sum_alpha (1 - cos k_alpha a) rises from omega at k = 0 to its
    maximum omega sqrt(1 + 4 d kappa) at the zone corner k = (pi/a, ...); the width is
    omega_max - omega, so kappa = ((1 + width)^2 - 1) / (4 d) in these units.
    """
    w = checked("width", width, nonnegative=True)
    return output(((1.0 + w) ** 2 - 1.0) / (4.0 * _dim(dim)))


def width_from_kappa(kappa: ArrayLike, dim: int = 3) -> Any:
    """Branch width omega_max - omega (hbar*omega) of stiffness kappa (M omega^2), the inverse of
    ``kappa_from_width``: sqrt(1 + 4 d kappa) - 1 (zone corner minus zone centre)."""
    k = checked("kappa", kappa, nonnegative=True)
    return output(np.sqrt(1.0 + 4.0 * _dim(dim) * k) - 1.0)


# --- the landscape along Q, tabulated once per (model, T) -----------------------------------------


@dataclass(frozen=True, eq=False)
class _Well:
    """F, F', F'' along Q from one ForceTable (piecewise cubic force, split at the gap onset)."""

    T: float
    Q_B: float
    Q_MS: float
    F_MS: float
    F_0: float
    table: ForceTable
    parts: TableParts
    potential: PPoly  # F(Q) - F(Q_MS)
    curvature: PPoly  # F''(Q)

    def F(self, Q: FloatArray) -> FloatArray:
        """F(Q) - F(Q_MS) in hbar*omega, the integral of the tabulated force (the table spans
        +-_TABLE_SPAN Q_MS, beyond every nucleus and saddle between 0 and Q_MS)."""
        return np.asarray(self.potential(Q), dtype=float)

    def dF(self, Q: FloatArray) -> FloatArray:
        """dF/dQ in hbar*omega/l0 (minus the tabulated force)."""
        q = np.ascontiguousarray(Q, dtype=float)
        return -np.asarray(_table_force_array(q.ravel(), *self.parts)).reshape(q.shape)

    def d2F(self, Q: FloatArray) -> FloatArray:
        """d^2F/dQ^2 in hbar*omega/l0^2 (slope of the tabulated force)."""
        return np.asarray(self.curvature(Q), dtype=float)


def _metastable(model: Model, T: float) -> landscape.CriticalPoints:
    """Critical points at T, or ValueError if Q_MS is not a metastable (decaying) state."""
    if not isinstance(model, Model):
        raise ValueError(f"model must be a photosc.model.Model, got model={model!r}")
    cp = landscape.critical_points(model, T)
    if cp.kind == "none":
        raise ValueError(f"T={T!r} hbar*omega: the landscape has no metastable minimum Q_MS")
    if cp.kind == "II" or not float(cp.Q_B) > 0.0:
        raise ValueError(
            f"T={T!r} hbar*omega: Q_MS is the stable state (metastability II, F(Q_MS) < F(0)), "
            "it does not decay; nucleation of Q_MS inside Q = 0 is not computed"
        )
    return cp


@lru_cache(maxsize=64)
def _well(model: Model, T: float) -> _Well:
    """The force table of the landscape at T (atol 1e-9) on [-Q_c / 2, _TABLE_SPAN Q_MS] with F
    and F'' as piecewise polynomials (antiderivative and derivative of the same cubic pieces).
    The span covers every configuration of a nucleus (0 <= Q <= Q_MS, plus Newton's trust steps
    of 0.1 Q_MS); ForceTable's default +-max(3 Q_MS, 6) costs 3-10x more landscape evaluations.
    Below the gap onset Q_c (``dynamics.gap_onset``, > 0 for metastability I) the state is
    normal and the force is exactly -Q, so the table's linear continuation below -Q_c / 2 is
    exact down to -Q_c; tabulating the Q < -Q_c side too cost a third more (measured)."""
    cp = _metastable(model, T)
    q_c = gap_onset(model, T)
    table = ForceTable.from_model(
        model, T, Q_max=_TABLE_SPAN * float(cp.Q_MS), Q_min=-0.5 * q_c, atol=1e-9
    )
    return _tabulated_well(table, T, float(cp.Q_B), float(cp.Q_MS), float(cp.F_MS), float(cp.F_0))


def _tabulated_well(
    table: ForceTable, T: float, Q_B: float, Q_MS: float, F_MS: float, F_0: float
) -> _Well:
    """The _Well of any tabulated force -dF/dQ (l0, hbar*omega) with its barrier top Q_B,
    metastable minimum Q_MS and F(Q_MS), F(0); ``_well`` passes the landscape's, tests a
    textbook double well."""
    breaks = [
        lo + h * np.arange(n)
        for lo, h, n in zip(table.bounds[:-1], table.spacing, np.diff(table.offsets), strict=True)
    ]
    x = np.concatenate([*breaks, table.bounds[-1:]])
    force = PPoly(table.coefficients.T.copy(), x, extrapolate=True)
    potential = force.antiderivative()  # = -F + const
    shift = float(potential(Q_MS))
    minus_F = PPoly(potential.c, potential.x)
    minus_F.c[-1] -= shift
    F = PPoly(-minus_F.c, minus_F.x)
    return _Well(
        T=T,
        Q_B=Q_B,
        Q_MS=Q_MS,
        F_MS=F_MS,
        F_0=F_0,
        table=table,
        parts=table._parts(),
        potential=F,
        curvature=PPoly(-force.derivative().c, x),
    )


# --- the continuum bounce -------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, inline="always")
def _slope(q: float, parts: TableParts, c0: float, q_lin: float) -> float:
    """dF/dQ from the force table; c0 Q (c0 = F''(0)) for |Q| < q_lin."""
    if abs(q) < q_lin:
        return c0 * q
    bounds, inv_h, hs, offsets, c, f_lo, s_lo, f_hi, s_hi = parts
    return -_table_force(q, bounds, inv_h, hs, offsets, c, f_lo, s_lo, f_hi, s_hi)


@numba.njit(cache=True, nogil=True)
def _shoot(
    r0: float,
    q0: float,
    p0: float,
    dim: int,
    h: float,
    n_max: int,
    q_stop: float,
    parts: TableParts,
    c0: float,
    q_lin: float,
    rho: FloatArray,
    qs: FloatArray,
    ps: FloatArray,
) -> tuple[int, int]:
    """RK4 of Q'' = F'(Q) - (d-1) Q'/rho from (rho, Q, Q') = (r0, q0, p0), recorded into
    rho/qs/ps.

    Returns (+1: Q reached q_stop; -1: Q' < 0 before q_stop; 0 undecided, n).
    From r0 = 0 (p0 = 0) the first step uses the series Q = q0 + F'(q0) rho^2 / (2 d) (regular
    at rho = 0); r0 > 0 continues the exact solution of the linear region (``_linear_start``).
    Below q_lin the force is the linear -c0 Q (c0 = F''(0)): the spline's rounding (~1e-17) would
    otherwise fix the thin-wall starts Q(0) ~ e^-R that the root finder needs.
    """
    rho[0], qs[0], ps[0] = r0, q0, p0
    r, q, p, first = r0, q0, p0, 1
    if r0 == 0.0:
        a0 = _slope(q0, parts, c0, q_lin)
        r, q, p, first = h, q0 + a0 * h * h / (2.0 * dim), a0 * h / dim, 2
        rho[1], qs[1], ps[1] = r, q, p
    fr = float(dim - 1)
    for n in range(first, n_max):
        k1q = p
        k1p = _slope(q, parts, c0, q_lin) - fr * p / r
        qa, pa, ra = q + 0.5 * h * k1q, p + 0.5 * h * k1p, r + 0.5 * h
        k2q = pa
        k2p = _slope(qa, parts, c0, q_lin) - fr * pa / ra
        qb, pb = q + 0.5 * h * k2q, p + 0.5 * h * k2p
        k3q = pb
        k3p = _slope(qb, parts, c0, q_lin) - fr * pb / ra
        qc, pc, rc = q + h * k3q, p + h * k3p, r + h
        k4q = pc
        k4p = _slope(qc, parts, c0, q_lin) - fr * pc / rc
        q += h * (k1q + 2.0 * k2q + 2.0 * k3q + k4q) / 6.0
        p += h * (k1p + 2.0 * k2p + 2.0 * k3p + k4p) / 6.0
        r = rc
        rho[n], qs[n], ps[n] = r, q, p
        if q >= q_stop:
            return 1, n + 1
        if p < 0.0:
            return -1, n + 1
    return 0, n_max


def _scaled_bessel(dim: int, x: FloatArray) -> tuple[Any, Any, Any, Any]:
    """e^-x I_nu(x), e^-x I_(nu+1)(x), e^x K_nu(x), e^x K_(nu+1)(x) for nu = d/2 - 1, x > 0.
    d = 1, 3 (nu = -1/2, 1/2): the elementary half-integer forms (A&S 10.2.13-17), I_(3/2) by
    its series x^2/3 + x^4/30 + x^6/840 + x^8/45360 (times sqrt(2/(pi x))) below x = 0.1 where
    cosh x - sinh x / x cancels; d = 2: Cephes' i0e, i1e, k0e, k1e (AMOS' ive is 10-50x slower)."""
    if dim == 2:
        return i0e(x), i1e(x), k0e(x), k1e(x)
    x = np.asarray(x, dtype=float)
    root = np.sqrt(2.0 / (np.pi * x))
    cosh, sinh = 0.5 * (1.0 + np.exp(-2.0 * x)), -0.5 * np.expm1(-2.0 * x)  # times e^-x
    k_half = np.sqrt(0.5 * np.pi / x)
    if dim == 1:
        return root * cosh, root * sinh, k_half, k_half
    small = x * x * (1 / 3 + x * x * (1 / 30 + x * x * (1 / 840 + x * x / 45360))) * np.exp(-x)
    i_3half = np.where(x < 0.1, small, cosh - sinh / x)
    return root * sinh, root * i_3half, k_half, k_half * (1.0 + 1.0 / x)


def _linear_profile(x: FloatArray, dim: int) -> tuple[FloatArray, FloatArray]:
    """ln Q/Q(0) and Q'/(m_0 Q) at x = m_0 rho of the regular solution of the linear region's
    bounce equation Q'' + (d-1) Q'/rho = c0 Q, c0 = m_0^2: Q = Q(0) Gamma(nu+1) (2/x)^nu
    I_nu(x), Q' = m_0 Q(0) Gamma(nu+1) (2/x)^nu I_(nu+1)(x), nu = d/2 - 1 (Abramowitz & Stegun
    9.6.1 and 9.6.28; d = 3: sinh(x)/x). x > 0; scaled Bessel functions, no overflow."""
    nu = dim / 2.0 - 1.0
    i_nu, i_next, _, _ = _scaled_bessel(dim, x)
    log_q = math.lgamma(nu + 1.0) + nu * np.log(2.0 / x) + np.log(i_nu) + x
    return log_q, i_next / i_nu


def _linear_start(q0: float, dim: int, c0: float, q_lin: float) -> tuple[float, float, float]:
    """(rho, Q, Q') where the bounce started at Q(0) = q0 < q_lin reaches q_lin: up to there the
    force is exactly c0 Q (``_slope``) and the solution is ``_linear_profile``'s, so the
    shooting need not integrate it (a thin wall of radius R spends ~R / step RK4 steps there).
    Newton on ln Q/Q(0) = ln(q_lin / q0): its slope is the profile's Q'/(m_0 Q) (A&S 9.6.28) and
    it is convex (that ratio grows with x), so from x = target + 1 it converges monotonically."""
    m0, target = math.sqrt(c0), math.log(q_lin / q0)
    x = target + 1.0
    for _ in range(60):
        log_q, ratio = (float(v) for v in _linear_profile(np.array(x), dim))
        step = (log_q - target) / ratio
        x -= step
        if abs(step) <= 1e-13 + 1e-15 * x:  # ln Q/Q(0) rounds to ~1e-16: x to ~1e-14
            break
    return x / m0, q_lin, m0 * q_lin * ratio


def _growing(rho: FloatArray, delta: FloatArray, slope: FloatArray, m: float, dim: int) -> Any:
    """The growing part B g(rho) of delta = Q - Q_MS, given (delta, delta') at rho, where the
    bounce equation is linear around Q_MS: delta'' + (d-1) delta'/rho = m^2 delta, m^2 =
    F''(Q_MS), solved by f = rho^-nu K_nu(m rho) and g = rho^-nu I_nu(m rho), nu = d/2 - 1
    (A&S 9.6.1). Their Wronskian f g' - f' g = rho^(1-d) (A&S 9.6.15) gives B = rho^(d-1)
    (f delta' - f' delta), so B g = rho I_nu(x) (K_nu(x) delta' + m K_(nu+1)(x) delta), x = m rho
    (f' = -m rho^-nu K_(nu+1), A&S 9.6.28); scaled Bessel functions, no overflow. The bounce
    is the start whose B is 0; for large x, B g -> (delta' + m delta) / (2 m)."""
    i_nu, _, k_nu, k_next = _scaled_bessel(dim, m * rho)
    return rho * i_nu * (k_nu * slope + m * k_next * delta)


def _decay(rho: FloatArray, r0: float, delta0: float, m: float, dim: int) -> tuple[Any, Any]:
    """(delta, delta') at rho >= r0 of the decaying solution delta = A rho^-nu K_nu(m rho) of
    the linear region around Q_MS through delta(r0) = delta0 (``_growing``'s f; A&S 9.6.28 for
    delta' = -m delta K_(nu+1)/K_nu)."""
    nu, x, x0 = dim / 2.0 - 1.0, m * rho, m * r0
    _, _, k_nu, k_next = _scaled_bessel(dim, x)
    k_0 = _scaled_bessel(dim, np.array(x0))[2]
    delta = delta0 * (r0 / rho) ** nu * k_nu / k_0 * np.exp(x0 - x)
    return delta, -m * delta * k_next / k_nu


@dataclass(frozen=True)
class _Bounce:
    """The bounce at kappa = 1 (lengths rho = r / sqrt(kappa)); energy E~ and radius rho_B."""

    rho: FloatArray
    Q: FloatArray
    energy: float
    radius: float


def _sphere(dim: int) -> float:
    """Surface of the unit sphere in d dimensions (2 for d = 1: both sides)."""
    return 2.0 * math.pi ** (dim / 2) / math.gamma(dim / 2)


#: RK4 step of the shooting in units of 1/sqrt(max |F''|) on [0, Q_MS].
_STEP: float = 0.04
#: Most shots of the regula falsi once bracketed (it needs 4-12 at the 50 T of the benchmark).
_MAX_SHOTS: int = 40
#: The shot stops where Q - Q_MS = -_LINEAR (Q_MS - Q_B): there F'' differs from F''(Q_MS) by
#: F''' delta, and the term F''' delta^2 / 2 left out of ``_growing`` shifts B g at the root by
#: ~F''' delta^2 / (12 m^2) (the particular solution for the forcing e^(-2 m rho)), ~1e-4 delta.
_LINEAR: float = 1e-3
#: Largest |B g| / |delta| at the stop accepted as the bounce: the growing part that the exact
#: tail drops is then < 1e-10 (Q_MS - Q_B); 1e-9 is reached at all 50 T, d = 1-3 (measured).
_MISS_TOL: float = 1e-7
#: The profile's exact tail ends where |Q - Q_MS| < _TAIL (Q_MS - Q(0)).
_TAIL: float = 1e-9


def _thin_wall(model: Model, T: float, dim: int) -> _Bounce:
    """The thin-wall bounce (Coleman, Phys. Rev. D 15, 2929 (1977), sec. 3) for d >= 2: a planar
    wall of tension sigma at radius R = (d - 1) sigma / dF, dF = F(Q_MS) - F(0), with
    E = S_d R^(d-1) sigma / d (the wall's energy less the volume's gain at that R). sigma is
    half the d = 1 bounce energy (two walls; ``_bounce`` at d = 1, which has no friction and
    always brackets) and the profile is that bounce's wall moved out to R. Its error is first
    order in dF (measured against the shooting, K3C60 at 1/Z = 3.6, d = 3: E 11 % high at
    R = 184, 3.8 % at R = 615); it is used only where the shooting cannot start (R >~ 700)."""
    w = _well(model, T)
    wall = _bounce(model, T, 1)
    sigma = 0.5 * wall.energy
    R = (dim - 1) * sigma / (w.F_MS - w.F_0)
    energy = _sphere(dim) * R ** (dim - 1) * sigma / dim
    rho = np.concatenate([[0.0], R - wall.radius + wall.rho])
    return _Bounce(rho=rho, Q=np.concatenate([wall.Q[:1], wall.Q]), energy=energy, radius=R)


@lru_cache(maxsize=256)
def _bounce(model: Model, T: float, dim: int) -> _Bounce:
    """Shooting on Q(0), s = ln(Q_t / Q(0)) with F(Q_t) = F(Q_MS): a start above Q_t has too
    little energy and turns back before Q_MS, one close to the Q = 0 minimum overshoots. Each
    shot stops in the linear region around Q_MS, at Q - Q_MS = -_LINEAR (Q_MS - Q_B); its miss
    is the energy it keeps: Q'^2/2 - (F - F_MS) where it turned back (< 0), or at the stop
    -2 m^2 (A f)(B g) from its decaying and growing parts (``_growing``, interpolated to that Q
    between the two steps around it; for d = 1 the same conserved Q'^2/2 - m^2 delta^2/2).
    The miss is smooth in s: a regula falsi finds its root (10-17 shots with the bracket) and
    stops where |B g| <= _MISS_TOL |delta| (RuntimeError if not within _MAX_SHOTS). Beyond the
    stop the profile is the exact decay (``_decay``), its energy S_d r^(d-1) |delta delta'| / 2
    in closed form ((r^(d-1) delta delta')' = r^(d-1) (delta'^2 + m^2 delta^2) on the linear
    equation).
    Against the bisection on the sign of shots integrated ~25 decay lengths past the wall (the
    previous method) at 50 T in 0.087-0.145, d = 1, 2, 3: E within 2e-9, radius within 5e-8.
    Starts below q_lin = 1e-7 Q_B (thin walls) begin where the exact solution of the linear core
    reaches q_lin (``_linear_start``; it equals the RK4 there to 4e-9; the bounce then differs
    from an RK4 from rho = 0 by its own step error, <= 1e-5 in E and 1e-3 in the radius at the
    thinnest wall, T = 0.087 in K3C60 at 1/Z = 3.6). For d = 1 (no friction) the result
    is Q(0) = Q_t up to the integration error; for d > 1 the friction (d-1)/rho needs
    Q(0) < Q_t. The bracket widens from s = 1 by 4x (thin walls need up to s_max); a wall
    thinner still (radius >~ 700 / sqrt(F''(0)), next to the first-order temperature) is the
    thin-wall limit (``_thin_wall``)."""
    w = _well(model, T)
    q_t = brentq(lambda q: float(w.F(np.array(q))), 0.0, w.Q_B, xtol=1e-16, rtol=1e-15)
    m_ms = math.sqrt(float(w.d2F(np.array(w.Q_MS))))
    top = max(1.0, float(np.max(np.abs(w.d2F(np.linspace(0.0, w.Q_MS, 257))))))
    c0 = float(w.d2F(np.array(0.0)))  # exactly 1: Q = 0 is normal, F = Q^2 / 2 up to Q_c
    m_0 = math.sqrt(c0)
    h = _STEP / math.sqrt(top)
    s_max = 700.0  # Q(0) >= Q_t e^-700 (> 1e-304, a normal float): thin walls up to radius ~ 700
    n_max = math.ceil((s_max / m_0 + 60.0 / m_ms + 10.0) / h)
    rho, qs, ps = np.empty(n_max), np.empty(n_max), np.empty(n_max)
    eps = _LINEAR * (w.Q_MS - w.Q_B)
    q_lin = 1e-7 * w.Q_B
    last = [math.nan, 0, math.nan]  # Q(0), n and B g / eps of the last shot

    def miss(s: float) -> float:
        q0 = q_t * math.exp(-s)
        r0, q_0, p0 = _linear_start(q0, dim, c0, q_lin) if q0 < q_lin else (0.0, q0, 0.0)
        hit, n = _shoot(r0, q_0, p0, dim, h, n_max, w.Q_MS - eps, w.parts, c0, q_lin, rho, qs, ps)
        if hit != 1:  # turned back: the energy left where Q' changed sign
            last[:] = q0, n, -1.0
            return float(0.5 * ps[n - 1] ** 2 - w.F(qs[n - 1]))
        k = slice(n - 2, n)
        bg = _growing(rho[k], qs[k] - w.Q_MS, ps[k], m_ms, dim)
        t = (w.Q_MS - eps - qs[n - 2]) / (qs[n - 1] - qs[n - 2])
        grow = float(bg[0] + t * (bg[1] - bg[0]))
        last[:] = q0, n, grow / eps
        return 2.0 * m_ms**2 * (eps + grow) * grow

    lo, hi = -1e-3, 1.0  # s < 0 has too little energy: undershoot
    while (miss_lo := miss(lo)) >= 0.0:  # a small dF turns back within _LINEAR of Q_MS: widen
        if q_t * math.exp(-4.0 * lo) >= w.Q_B:
            raise RuntimeError(f"bounce at T={T!r}, d={dim}: shooting does not bracket Q(0)")
        lo *= 4.0
    while (miss_hi := miss(hi)) <= 0.0:  # widen: a start near 0 waits ~s/m_0 to roll
        if hi >= s_max:  # radius beyond ~s_max / m_0: Q(0) is no longer a float
            if dim == 1:  # no friction: every start below Q_t overshoots, unless it fails
                raise RuntimeError(f"bounce at T={T!r}, d=1: shooting does not bracket Q(0)")
            return _thin_wall(model, T, dim)
        lo, miss_lo, hi = hi, miss_hi, min(4.0 * hi, s_max)
    side = 0  # which end the last shot replaced (-1 lo, +1 hi)
    for _ in range(_MAX_SHOTS):
        s = (lo * miss_hi - hi * miss_lo) / (miss_hi - miss_lo)
        if not lo < s < hi:  # the bracket is down to adjacent floats
            break
        value = miss(s)
        # Anderson & Bjorck (BIT 13, 253 (1973)): the end kept twice in a row is scaled by
        # 1 - f(new) / f(replaced), or halved (Illinois) where that is not positive
        if value < 0.0:
            scale = 1.0 - value / miss_lo if side < 0 else 1.0
            lo, miss_lo, side = s, value, -1
            miss_hi *= scale if scale > 0.0 else 0.5
        else:
            scale = 1.0 - value / miss_hi if side > 0 else 1.0
            hi, miss_hi, side = s, value, 1
            miss_lo *= scale if scale > 0.0 else 0.5
        if abs(last[2]) <= _MISS_TOL:
            break
    if not abs(last[2]) <= _MISS_TOL:
        raise RuntimeError(
            f"bounce at T={T!r}, d={dim} did not converge: the growing part at the matching "
            f"point is {abs(last[2]):.2g} of Q - Q_MS there"
        )
    q0 = float(last[0])
    n = int(last[1])
    delta = qs[n - 1] - w.Q_MS
    bg = float(_growing(rho[n - 1 : n], np.array([delta]), ps[n - 1 : n], m_ms, dim)[0])
    r, q, p = rho[:n].copy(), qs[:n].copy(), ps[:n].copy()
    r_end = r[-1]
    if r[0] > 0.0:  # the linear region, on the shooting's step
        x = m_0 * np.arange(1, math.ceil(r[0] / h)) * h
        log_q, ratio = _linear_profile(x, dim)
        lin_q = q0 * np.exp(log_q)
        r = np.concatenate([[0.0], x / m_0, r])
        q = np.concatenate([[q0], lin_q, q])
        p = np.concatenate([[0.0], m_0 * lin_q * ratio, p])
    density = (0.5 * p**2 + w.F(q)) * r ** (dim - 1)
    d_tail = delta - bg  # the decaying part at the matching point
    _, p_end = _decay(np.array(r_end), r_end, d_tail, m_ms, dim)
    tail = -0.5 * r_end ** (dim - 1) * d_tail * float(p_end)
    energy = _sphere(dim) * (float(simpson(density, x=r)) + tail)
    radius = float(np.interp(w.Q_B, q, r))
    steps = math.ceil(math.log(abs(d_tail) / (_TAIL * (w.Q_MS - q0))) / (m_ms * h)) + 1
    r_tail = r_end + h * np.arange(1, steps)
    q_tail = w.Q_MS + _decay(r_tail, r_end, d_tail, m_ms, dim)[0]
    r, q = np.concatenate([r, r_tail]), np.concatenate([q, q_tail])
    return _Bounce(rho=r, Q=q, energy=energy, radius=radius)


@dataclass(frozen=True)
class Nucleus:
    """The critical nucleus of the continuum (``critical_nucleus``).

    energy: E_c in hbar*omega; radius: where the profile crosses the barrier top Q_B, in site
    spacings; r (site spacings) and Q (l0): the profile Q(r), from the centre Q(0) (on the Q = 0
    side of the barrier) to Q_MS; valid: E_c / T >= VALID_RATIO (Langer's expansion holds) and
    radius >= 1 (the continuum holds). For broadcast T or kappa, energy/radius/valid are arrays
    and r, Q object arrays holding one profile per point.
    """

    T: Any
    kappa: Any
    dim: int
    energy: Any
    radius: Any
    r: Any
    Q: Any
    valid: Any


def _T_kappa(T: ArrayLike, kappa: ArrayLike) -> tuple[FloatArray, FloatArray]:
    T_, k_ = np.broadcast_arrays(
        checked("T", T, positive=True), checked("kappa", kappa, nonnegative=True)
    )
    return np.asarray(T_, dtype=float), np.asarray(k_, dtype=float)


def critical_nucleus(model: Model, T: ArrayLike, kappa: ArrayLike, dim: int = 3) -> Nucleus:
    """The O(d) bounce of E[Q] in the continuum (module docstring): the critical nucleus.

    kappa a^2 (Q'' + (d - 1) Q'/r) = dF/dQ with Q'(0) = 0, Q(inf) = Q_MS (Coleman 1977); its
    energy E_c = S_d int r^(d-1) [kappa Q'^2 / 2 + F(Q) - F(Q_MS)] dr (S_d the unit sphere's
    surface). T (hbar*omega, > 0) and kappa (M omega^2, >= 0) broadcast; E_c = kappa^(d/2) E~(T)
    and radius = sqrt(kappa) rho_B(T) exactly. ValueError at a T without metastability I;
    RuntimeError if the shooting does not converge.
    """
    d = _dim(dim)
    T_, k_ = _T_kappa(T, kappa)
    energy, radius = np.empty(T_.shape), np.empty(T_.shape)
    rs = np.empty(T_.shape, dtype=object)
    qs = np.empty(T_.shape, dtype=object)
    for t in np.unique(T_):
        b = _bounce(model, float(t), d)
        at = np.flatnonzero(T_.ravel() == t)
        for i in at:
            kap = float(k_.flat[i])
            energy.flat[i] = kap ** (d / 2) * b.energy
            radius.flat[i] = math.sqrt(kap) * b.radius
            rs.flat[i], qs.flat[i] = math.sqrt(kap) * b.rho, b.Q
    valid = (energy >= VALID_RATIO * T_) & (radius >= 1.0)
    scalar = T_.ndim == 0
    return Nucleus(
        T=output(T_),
        kappa=output(k_),
        dim=d,
        energy=output(energy),
        radius=output(radius),
        r=rs.item() if scalar else rs,
        Q=qs.item() if scalar else qs,
        valid=bool(valid) if scalar else valid,
    )


# --- the lattice saddle ---------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _laplacian(side: int, dim: int) -> sp.csr_matrix:
    """sum_<ij> (Q_i - Q_j)^2 = Q^T K Q on a periodic side^d lattice: K = 2d I - adjacency."""
    ring = sp.diags([1.0, 1.0, 1.0, 1.0], [-1, 1, side - 1, -(side - 1)], shape=(side, side))
    eye = sp.identity(side, format="csr")
    adj = sp.csr_matrix((side**dim, side**dim))
    for axis in range(dim):
        term = sp.identity(1, format="csr")
        for b in range(dim):
            term = sp.kron(term, ring if b == axis else eye, format="csr")
        adj = adj + term
    return (2.0 * dim * sp.identity(side**dim, format="csr") - adj).tocsr()


@dataclass(frozen=True, eq=False)
class LatticeNucleus:
    """Critical nucleus on a periodic side^d lattice (``lattice_nucleus``).

    Q: the saddle configuration (l0), shape (side,)*d, centred on site (side//2, ...);
    energy: E[Q_saddle] - E[uniform Q_MS] in hbar*omega; eigenvalues: the d + 1 lowest Hessian
    eigenvalues (omega^2; the first is the unstable lambda_u < 0, the next d belong to the
    translations); log_det_ratio: ln(det H_0 / |det H_s|), H_0 the Hessian of the uniform Q_MS;
    translation_norm: sum_i (dQ_i/dX)^2 per direction (l0^2 per site spacing^2), from centred
    differences; uniform: the saddle is the uniform state Q_i = Q_B (nucleus larger than the
    lattice); grows: pushed along its unstable mode towards Q = 0, the saddle descends (steepest
    descent) until more than half the lattice is in the Q = 0 basin, the escape of the direct
    simulation (``_grows``). False means it ends in a pinned cluster instead: the saddle is one
    growth step of a staircase (small kappa, sharp walls), not the critical nucleus of the
    lattice's escape, and a higher step may follow.
    """

    Q: FloatArray
    energy: float
    eigenvalues: FloatArray
    log_det_ratio: float
    translation_norm: float
    uniform: bool
    grows: bool
    side: int
    dim: int
    kappa: float
    T: float

    @property
    def langer_valid(self) -> bool:
        """Whether Langer's rate applies to this saddle: E_c / T >= VALID_RATIO (the expansion in
        T / E_c), the saddle grows into the Q = 0 phase (``grows``: it is the lattice's critical
        nucleus, not a step of a staircase), and E_c exceeds the Gaussian fluctuation term
        (T/2) ln(det H_0 / |det H_s|). In d = 2 the wall's soft capillary modes make that term
        12-19 T (measured), larger than E_c for E_c/T <~ 10: the rate is then above the attempt
        frequency and escape is not activated (tests/test_lattice_nucleation.py). For the
        sharp-wall clusters of d = 3 the term is their vibrational entropy, (T/2)
        ln(F''(Q_MS)/F''(0)) per cluster site (K3C60 at 100 K, 1/Z = 3.6: 0.0166 hbar*omega,
        above dF = 0.0102): at 30 and 40 meV (157 and 461 sites) it is 2.6 and 7.0 hbar*omega
        against E_c = 0.67 and 1.50, so the softer Q = 0 phase wins in free energy long before
        the energy barrier is met. In d = 2 the test is necessary, not sufficient: a smooth
        double well at E_c/T = 30.6 with a term of 27.2 T passes it, and its simulated rate is
        0.024 times Langer's (module docstring)."""
        return bool(
            self.energy >= VALID_RATIO * self.T
            and self.grows
            and self.energy > 0.5 * self.T * self.log_det_ratio
        )


def _energy_terms(w: _Well, K: sp.csr_matrix, kappa: float, q: FloatArray) -> tuple[Any, ...]:
    """grad E and the Hessian diag(F''(Q)) + kappa K (CSR; its diagonal is set in place: K
    holds every diagonal entry, so no sparse addition rebuilds the structure)."""
    grad = w.dF(q) + kappa * (K @ q)
    H = K * kappa
    H.setdiag(H.diagonal() + w.d2F(q))
    return grad, H


#: Largest lattice (sites) on which the saddle search follows eigenvectors (dense Hessian).
_DENSE_SITES = 600
#: Decay length sqrt(kappa / F''(Q_MS)) of a wall (sites) below which the search skips the
#: strings: a flipped site then moves its neighbours by ~ (kappa / F'') Q_MS < 1 % of Q_MS, the
#: growth steps' abrupt starts are saddles to Newton, and the strings, most of the search's
#: cost, never settle on such a staircase (their images are no converged path, so their
#: saddles are no path's highest). Measured, K3C60 at 1/Z = 3.6 with and without strings:
#: the same saddles at 100 K for d = 3, 1-20 meV (0.04-0.17 site) and d = 2, 5 meV (0.10), and
#: along 42-50 T of 0.087-0.145 for d = 3 at 1 and 5 meV, d = 2 at 2.5 meV, d = 1 at 1 meV; at
#: d = 3, 2.5 meV, T = 0.0906 a string's 4-site step lay 0.6 % above the growth path's highest
#: (E_c/T = 0.4, outside Langer). At d = 2, 10 meV (0.14, strings kept) a string found a
#: saddle 6 % higher than the growth steps.
_SHARP_WALL: float = 0.1


#: Jacobi sweeps replace the sparse LU of a Newton step where the Hessian is diagonally
#: dominant by this factor (sum_j!=i |H_ij| <= _JACOBI_DOMINANCE |H_ii| on every row).
_JACOBI_DOMINANCE: float = 0.5


def _newton_step(H: sp.csr_matrix, grad: FloatArray) -> FloatArray:
    """Newton's step -H^-1 grad E: dense LU up to _DENSE_SITES sites; above, Jacobi iteration
    x += (b - H x) / diag(H) if H is diagonally dominant (weak coupling, 12 kappa << |F''|: the
    error shrinks by the dominance ratio per sweep, so 8-50 sparse products reach a residual of
    1e-15 |b|, where one sparse LU of 15^3 sites takes ~80 ms), else a sparse LU (minimum degree
    ordering of H^T + H, which keeps the lattice's fill-in low)."""
    if grad.size <= _DENSE_SITES:
        return np.linalg.solve(H.toarray(), -grad)
    diag = H.diagonal()
    off = np.asarray(abs(H).sum(axis=1)).ravel() - np.abs(diag)
    if np.all(off <= _JACOBI_DOMINANCE * np.abs(diag)):
        step = -grad / diag
        for _ in range(100):  # 0.5^50 ~ 1e-15: converged well within 100 sweeps
            residual = -grad - H @ step
            if float(np.max(np.abs(residual))) <= 1e-15 * float(np.max(np.abs(grad))):
                return step
            step += residual / diag
    return splu(H.tocsc(), permc_spec="MMD_AT_PLUS_A").solve(-grad)


def _saddle_step(H: sp.csr_matrix, grad: FloatArray, trust: float) -> tuple[FloatArray, bool]:
    """(step, whether H is positive definite) of eigenvector following towards an index-1
    saddle (Cerjan and Miller, J. Chem. Phys. 75, 2800 (1981), in its simplest form): in the
    Hessian's eigenbasis uphill along the lowest mode and downhill along the others, each by
    g_i / |lambda_i| (Newton's step where the curvatures already have the saddle's signs), the
    whole step cut to ``trust``. Dense (``_index_one`` limits the lattices it is used on). With
    lambda_1 > 0 only the lowest mode can differ from Newton: the step is -H^-1 g + 2 (g_0 /
    lambda_0) v_0 if lambda_0 > 0, from the two lowest eigenpairs and one solve instead of the
    whole eigenbasis."""
    A = H.toarray()
    lam, vec = eigh(A, subset_by_index=[0, 1], driver="evr", check_finite=False)
    if lam[1] >= 1e-8 and abs(lam[0]) >= 1e-8:
        step = np.linalg.solve(A, -grad)
        if lam[0] > 0.0:
            step += (2.0 * float(vec[:, 0] @ grad) / lam[0]) * vec[:, 0]
    else:  # more than one negative (or a vanishing) curvature: the whole eigenbasis
        lam, vec = np.linalg.eigh(A)
        g = vec.T @ grad
        sign = np.where(np.arange(lam.size) == 0, 1.0, -1.0)
        step = vec @ (sign * g / np.maximum(np.abs(lam), 1e-8))
    convex = bool(lam[0] > 0.0)
    size = float(np.max(np.abs(step)))
    return (step if size <= trust else step * (trust / size)), convex


#: Steps of eigenvector following before it counts as not converging. Measured on the report's
#: and the benchmarks' saddles (K3C60, d = 1, 2, 3, 1-30 meV): the 51 runs that converge take
#: at most 13 steps; the 9 that do not stall at max |grad E| = 1e-4 to 1e-1 (the lowest mode
#: switching among near-degenerate one-site modes) and still did at 100 steps, ~5.5 ms each.
_FOLLOW_STEPS: int = 40
#: Consecutive steps of eigenvector following on a positive definite Hessian after which it
#: counts as stalled. Ten steps of the trust radius 0.1 Q_MS carry a site from Q_MS past the
#: barrier, so a climb that stays convex longer is wandering among the near-degenerate one-site
#: modes (the stall above). Measured (d = 3 and d = 1 1 meV tau(T) curves, the report's
#: nucleation section): the 28 runs that converge have at most 3 convex steps, all leading; the 6
#: that do not were convex at all 40 steps (~6 ms each on 7^3 sites).
_FOLLOW_CONVEX: int = 10


def _newton_saddle(
    w: _Well, K: sp.csr_matrix, kappa: float, q: FloatArray, follow: bool, tol: float = 1e-11
) -> FloatArray | None:
    """Newton (``follow`` False: 30 steps) or eigenvector following (``_saddle_step``,
    _FOLLOW_STEPS steps) until max |grad E| < tol; None if it does not converge (or meets a
    singular Hessian, or following stalls: more than _FOLLOW_CONVEX convex steps in a row)."""
    trust = 0.1 * w.Q_MS
    convex = 0
    for _ in range(_FOLLOW_STEPS if follow else 30):
        grad, H = _energy_terms(w, K, kappa, q)
        if float(np.max(np.abs(grad))) < tol:
            return q
        if not float(np.max(np.abs(grad))) <= 10.0 * float(np.max(np.abs(w.dF(q)))) + 1.0:
            return None  # diverging
        try:
            if follow:
                step, pd = _saddle_step(H, grad, trust)
                convex = convex + 1 if pd else 0
                if convex > _FOLLOW_CONVEX:
                    return None
            else:
                step = _newton_step(H, grad)
        except (np.linalg.LinAlgError, RuntimeError):  # singular: Newton's step does not exist
            return None
        q = q + step
    return None


#: A certified saddle: (E - E_MS, configuration, lowest d + 1 eigenvalues, unstable mode).
_Saddle = tuple[float, FloatArray, FloatArray, FloatArray]


def _index_one(
    w: _Well,
    K: sp.csr_matrix,
    kappa: float,
    guess: FloatArray,
    dim: int,
    follow_sites: int = _DENSE_SITES,
) -> _Saddle | None:
    """(E - E_MS, saddle, lowest d + 1 eigenvalues, unstable mode) if Newton, or else
    eigenvector following (on lattices of at most ``follow_sites`` sites), from guess ends at a
    saddle of index 1; None otherwise."""
    for eigen in (False, True) if guess.size <= follow_sites else (False,):
        q = _newton_saddle(w, K, kappa, guess, eigen)
        if q is None:
            continue
        H = _energy_terms(w, K, kappa, q)[1].tocsr()
        vals, vecs = _lowest_modes(H, min(dim + 1, q.size))
        if vals[0] < 0.0 and (vals.size < 2 or vals[1] > 1e-9 * abs(vals[0])):
            return float(np.sum(w.F(q)) + 0.5 * kappa * q @ (K @ q)), q, vals, vecs[:, 0]
    return None


#: The string counts as relaxed once an iteration moves no image by more than this (l0). The
#: images are then within this over the contraction per iteration of the end point (measured:
#: 3e-12 at dt = 0.2, 3e-11 at dt = 0.05), far inside the basin where Newton polishes the tops
#: to the same saddles (the d = 3 1 meV curve: bitwise the same).
_STRING_TOL: float = 1e-12


@numba.njit(cache=True, nogil=True)
def _relax_string(
    path: FloatArray, last: int, n_iter: int, dt: float, kappa: float, parts: TableParts
) -> int:
    """Up to n_iter iterations of the string method on path (image, then the periodic box of
    ``lattice_langevin._box``), in place: images 1 to last - 1 step by dt (-grad E) (the force
    of ``_force_kick``), then all images are moved back to equal arc length along the piecewise
    linear string (linear interpolation between neighbouring images). Every 10th iteration it
    stops if no image moved by more than _STRING_TOL (measured: the strings of sharp walls hop
    among pinned clusters and never settle, smooth ones settle in ~80). Returns the iterations
    done."""
    n_images = path.shape[0]
    n = path[0].size
    p, f = np.zeros_like(path[0]), np.empty_like(path[0])
    flat_f = f.ravel()
    seg, alpha = np.empty(n_images - 1), np.empty(n_images)
    new, old = np.empty_like(path), np.empty_like(path)
    done = 0
    while done < n_iter:
        q, out = path.reshape((n_images, n)), new.reshape((n_images, n))
        probe = done % 10 == 9
        if probe:
            old[:] = path
        alpha[0] = 0.0
        for m in range(1, n_images):  # step image m, then the length of segment m - 1
            if m < last:
                _force_kick(path[m], p, f, 0.0, kappa, 0.0, parts)
            acc = 0.0
            for i in range(n):
                if m < last:
                    q[m, i] += dt * flat_f[i]
                acc += (q[m, i] - q[m - 1, i]) ** 2
            seg[m - 1] = math.sqrt(acc)
            alpha[m] = alpha[m - 1] + seg[m - 1]
        j = 0
        for m in range(n_images):
            target = alpha[-1] if m == n_images - 1 else m * (alpha[-1] / (n_images - 1))
            while j < n_images - 2 and alpha[j + 1] <= target:
                j += 1
            frac = (target - alpha[j]) / (seg[j] if seg[j] > 0.0 else 1.0)
            for i in range(n):
                out[m, i] = (1.0 - frac) * q[j, i] + frac * q[j + 1, i]
        path, new = new, path
        done += 1
        if probe and np.max(np.abs(path - old)) <= _STRING_TOL:
            break
    if done % 2:
        new[:] = path
    return done


def _string_tops(
    w: _Well,
    K: sp.csr_matrix,
    kappa: float,
    dist: FloatArray,
    radius: float,
    dim: int,
    free_end: bool,
    n_images: int = 24,
    n_iter: int = 400,
) -> list[FloatArray]:
    """The three highest images of a relaxed string from the uniform Q_MS to a supercritical
    nucleus (simplified string method: E, Ren and Vanden-Eijnden, J. Chem. Phys. 126, 164103
    (2007)); highest first. The uniform end is fixed, the far end fixed or (``free_end``)
    descending to a minimum (a pinned cluster or the Q = 0 basin); the images start as compact
    clusters of v
    sites at the Q = 0 minimum (the sites nearest the centre, one of them partly moved) with v
    from 0 to twice the sites of the continuum nucleus plus a shell, so the string follows the
    cluster growth through any pinned intermediate minima of a discrete lattice."""
    order = np.argsort(dist, kind="stable")
    v_max = min(dist.size - 1.0, max(3.0, 2.0 * np.sum(dist <= radius + 1.5)))
    n_images = int(np.clip(4.0 * v_max + 1.0, n_images, 4 * n_images))
    v = np.linspace(0.0, v_max, n_images)
    rank = np.empty(dist.size)
    rank[order] = np.arange(dist.size)
    moved = np.clip(v[:, None] - rank[None, :], 0.0, 1.0)
    path = w.Q_MS * (1.0 - moved)  # (image, site); Q = 0 is the Q = 0 minimum (type I)
    top = float(np.max(np.abs(w.d2F(np.linspace(0.0, w.Q_MS, 129))))) + 4.0 * dim * kappa
    dt = 1.0 / top  # explicit Euler is stable below 2 / (largest Hessian eigenvalue)
    last = n_images if free_end else n_images - 1
    box = path.reshape((n_images, *_box(round(dist.size ** (1.0 / dim)), dim)))
    _relax_string(box, last, n_iter, dt, kappa, w.parts)
    energy = np.sum(w.F(path), axis=1) + 0.5 * kappa * np.sum(path * (K @ path.T).T, axis=1)
    return [path[k] for k in np.argsort(energy)[::-1][:3]]


def _centred(side: int, dim: int) -> tuple[list[np.ndarray], FloatArray]:
    """The site coordinates relative to the lattice's centre site (side // 2 on each axis) and
    the sites' distances from it (flattened, C order)."""
    centre = list(np.meshgrid(*([np.arange(side) - side // 2] * dim), indexing="ij"))
    return centre, np.sqrt(sum(x.astype(float) ** 2 for x in centre)).ravel()


@lru_cache(maxsize=16)
def _growth_order(side: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(sites, in-cluster neighbours of each when added) of the layer-by-layer growth of a
    cluster from the lattice's centre: each new site is the outside site with the most
    neighbours in the cluster (nearest the centre on ties, then the lowest index). On a lattice
    with sharp walls this is the low-temperature growth path of a lattice gas, filling a face of
    the cluster before starting the next (the quasi-cubic critical droplet of Ising nucleation:
    Neves and Schonmann, Commun. Math. Phys. 137, 209 (1991); Ben Arous and Cerf, Electron.
    J. Probab. 1, 10 (1996))."""
    K = _laplacian(side, dim)
    neighbours = K.indices.reshape(K.shape[0], 2 * dim + 1)  # each row: the site and its 2d
    dist = _centred(side, dim)[1]
    inside = np.zeros(dist.size, dtype=int)  # in-cluster neighbours of each site
    key = -dist  # argmax picks the most neighbours, then the nearest, then the lowest index
    order, counts = np.empty(dist.size, dtype=int), np.empty(dist.size, dtype=int)
    for n in range(dist.size):
        site = int(np.argmax(inside * (4.0 * dist.max() + 4.0) + key))
        order[n], counts[n] = site, inside[site]
        key[site] = -np.inf
        inside[neighbours[site]] += 1
    return order, counts


def _growth_steps(w: _Well, kappa: float, side: int, dim: int, n_top: int = 6) -> list[FloatArray]:
    """Starts for the steps of ``_growth_order``'s path with the highest abrupt energy: the n
    first sites at the Q = 0 minimum, the (n+1)-th at the barrier Q_B, all others at Q_MS.
    Their energy E(n) = -n dF + (F(Q_B) - F(Q_MS)) + (kappa/2) [(b_n - c_n) Q_MS^2 + c_n Q_B^2
    + (2d - c_n) (Q_MS - Q_B)^2] (b_n cluster bonds to outside sites, c_n of them to the new
    site) rises with the cluster's surface and falls with its volume; on a staircase (sharp
    walls) the critical nucleus is the highest step, near the top local maxima of E(n), which
    begin new layers. The first step (n = 0: one site at Q_B) and the n_top highest local
    maxima up to half the lattice are returned."""
    order, counts = _growth_order(side, dim)
    half = order.size // 2
    c = counts[:half].astype(float)
    bonds = np.concatenate([[0.0], np.cumsum(2 * dim - 2 * c)])[:half]  # b_n before adding
    dF, barrier = w.F_MS - w.F_0, float(w.F(np.array(w.Q_B)))
    energy = (
        -np.arange(half) * dF
        + barrier
        + 0.5
        * kappa
        * ((bonds - c) * w.Q_MS**2 + c * w.Q_B**2 + (2 * dim - c) * (w.Q_MS - w.Q_B) ** 2)
    )
    peaks = [n for n in range(half) if energy[n] >= energy[max(n - 1, 0)] and
             energy[n] >= energy[min(n + 1, half - 1)]]  # fmt: skip
    starts = []
    for n in [0, *(n for n in sorted(peaks, key=lambda n: -energy[n])[:n_top] if n > 0)]:
        q = np.full(order.size, w.Q_MS)
        q[order[:n]] = 0.0
        q[order[n]] = w.Q_B
        starts.append(q)
    return starts


@numba.njit(cache=True, nogil=True)
def _descend(
    q: FloatArray, dt: float, kappa: float, q_b: float, parts: TableParts, n_max: int
) -> bool:
    """Steepest descent q += dt (-grad E) on the periodic box q (``lattice_langevin._box``):
    True once more than half the sites are below q_b; False at a minimum (max |grad E| < 1e-8)
    or after n_max steps."""
    p, f = np.zeros_like(q), np.empty_like(q)
    flat_q, flat_f = q.ravel(), f.ravel()
    for _ in range(n_max):
        if 2 * _force_kick(q, p, f, 0.0, kappa, q_b, parts) > flat_q.size:
            return True
        if np.max(np.abs(flat_f)) < 1e-8:
            return False
        flat_q += dt * flat_f
    return False


def _grows(w: _Well, vec: FloatArray, kappa: float, q: FloatArray, side: int, dim: int) -> bool:
    """Whether the saddle q, displaced by 0.02 l0 (largest site) along its unstable mode vec
    towards Q = 0, descends to the escape of the lattice (``_descend``, at most 10^5 steps of the
    explicit-Euler limit 1 / (largest Hessian eigenvalue))."""
    vec = vec * (-0.02 / float(np.max(np.abs(vec)))) * math.copysign(1.0, float(np.sum(vec)))
    top = float(np.max(np.abs(w.d2F(np.linspace(0.0, w.Q_MS, 129))))) + 4.0 * dim * kappa
    start = (q + vec).reshape(_box(side, dim))
    return bool(_descend(start, 1.0 / top, kappa, w.Q_B, w.parts, 100_000))


def _lowest_modes(H: sp.csr_matrix, k: int) -> tuple[FloatArray, FloatArray]:
    """The k lowest eigenvalues (ascending) and eigenvectors (columns) of the Hessian: dense
    LAPACK (eigh of the index subset 0..k-1) up to _DENSE_SITES sites; above, shift-invert
    Lanczos (ARPACK; a fixed random start vector: reproducible; scipy's 20 Lanczos vectors:
    with 2k + 2 the near-degenerate one-site modes of small kappa took 8x longer) on H - sigma,
    sigma below the spectrum by Gershgorin's bound min_i (H_ii - sum_j!=i |H_ij|) - 1e-3 (the
    shifted matrix is positive definite and the k lowest are its k largest inverse eigenvalues),
    factorised once by a sparse LU."""
    n = H.shape[0]
    if n <= _DENSE_SITES:
        return eigh(H.toarray(), subset_by_index=[0, k - 1], driver="evr", check_finite=False)
    diag = H.diagonal()
    sigma = float(np.min(diag + np.abs(diag) - abs(H).sum(axis=1).A1)) - 1e-3
    lu = splu((H - sigma * sp.identity(n, format="csr")).tocsc(), permc_spec="MMD_AT_PLUS_A")
    op = LinearOperator((n, n), matvec=lu.solve, dtype=float)
    v0 = np.random.default_rng(0).uniform(0.5, 1.5, n)
    vals, vecs = eigsh(H, k=k, sigma=sigma, which="LM", OPinv=op, v0=v0)
    order = np.argsort(vals)
    return vals[order], vecs[:, order]


def _log_abs_det(H: sp.csr_matrix) -> float:
    """ln |det H|: dense LU up to _DENSE_SITES sites, else sparse LU (sum of ln |U_ii|)."""
    if H.shape[0] <= _DENSE_SITES:
        return float(np.linalg.slogdet(H.toarray())[1])
    lu = splu(H.tocsc(), permc_spec="MMD_AT_PLUS_A")
    return float(np.sum(np.log(np.abs(lu.U.diagonal()))))


def _log_det_uniform(c: float, kappa: float, side: int, dim: int) -> float:
    """ln det of c + kappa K on the periodic lattice, from its Fourier eigenvalues."""
    k = 2.0 - 2.0 * np.cos(2.0 * np.pi * np.arange(side) / side)
    grid = np.zeros((side,) * dim)
    for axis in range(dim):
        shape = [1] * dim
        shape[axis] = side
        grid = grid + k.reshape(shape)
    return float(np.sum(np.log(c + kappa * grid)))


def _step_radius(w: _Well, kappa: float, dim: int) -> float:
    """Bound (sites) on the lattice's critical cluster for walls sharper than a site: half the
    edge (d - 1) sigma_step / dF of the critical cube of classical nucleation theory (Becker and
    Doering, Ann. Phys. 416, 719 (1935); the cube, aligned with the lattice's axes, is the shape
    of a nearest-neighbour lattice's sharp wall, and a periodic box of that edge plus the walls
    holds it), with the lattice's wall tension bounded by that of the abrupt step between the
    two minima, sigma_step = (kappa / 2) Q_MS^2 per bond (one wall configuration, so the lowest
    is at most it), dF = F(Q_MS) - F(0) > 0 (metastability I). No bound in d = 1, where the
    tension gives no critical size (the 1-d nucleus is a pair of walls, its size set by their
    tails). Measured (K3C60, 1/Z = 3.6, d = 3, 1 meV, T = 0.087: bound 1.3 sites, continuum
    14.7): the saddle (a 21-site growth step) on the 9^3 sites of ``lattice_side`` is the one on
    37^3, E_c to 2e-13 and ln det H_0 / |det H_s| to 3e-12."""
    if dim == 1:
        return math.inf
    return (dim - 1) * 0.5 * kappa * w.Q_MS**2 / (w.F_MS - w.F_0)


def _radius(model: Model, T: float, kappa: float, dim: int) -> float:
    """The nucleus radius in sites: the continuum bounce's sqrt(kappa) rho_B, or the sharp-wall
    bound ``_step_radius`` where that is smaller (small kappa: the continuum tension
    int sqrt(2 kappa (F - F_MS)) dQ ~ sqrt(kappa) exceeds the lattice's, ~ kappa; K3C60,
    1/Z = 3.6, 1 meV at T = 0.087: 17 sites against 1.3)."""
    R = math.sqrt(kappa) * _bounce(model, T, dim).radius
    return min(R, _step_radius(_well(model, T), kappa, dim))


def lattice_side(model: Model, T: float, kappa: float, dim: int = 3) -> int:
    """The odd side of the periodic lattice ``lattice_nucleus`` takes by default: it holds the
    nucleus (``_radius``) and 10 decay lengths sqrt(kappa / F''(Q_MS)) of its tail. Cheap (the
    continuum bounce, cached per (model, T, dim)), so that callers can tell a saddle's cost
    before its search (it grows as side^d; above ``MAX_SIDE`` the search raises). T in
    hbar*omega, kappa in M omega^2; ValueError where Q_MS does not decay."""
    dim = _dim(dim)
    T = float(checked("T", T, positive=True))
    kappa = float(checked("kappa", kappa, nonnegative=True))
    w = _well(model, T)
    xi = math.sqrt(kappa / float(w.d2F(np.array(w.Q_MS))))
    side = 2 * math.ceil(_radius(model, T, kappa, dim) + 10.0 * xi + 2.0) + 1
    return max(side, 7)


def _symmetric_guesses(
    w: _Well, bounce: _Bounce, kappa: float, centre: list[np.ndarray]
) -> list[FloatArray]:
    """The continuum bounce centred on a site, a bond, a plaquette and a cube, and uniform Q_B."""
    d = len(centre)
    guesses = []
    for k in range(d + 1) if kappa > 0 else ():
        shift = [0.5 if axis < k else 0.0 for axis in range(d)]
        dist = np.sqrt(sum((x - s) ** 2 for x, s in zip(centre, shift, strict=True))).ravel()
        guesses.append(np.interp(dist / math.sqrt(kappa), bounce.rho, bounce.Q, right=w.Q_MS))
    return [*guesses, np.full(centre[0].size, w.Q_B)]


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """The loaded BLAS libraries, found once (threadpoolctl's scan of them takes 1-10 ms)."""
    return ThreadpoolController()


def _checked_lattice(
    model: Model, T: float, kappa: float, dim: int, side: int | None
) -> tuple[float, float, int, int]:
    """(T, kappa, dim, side) checked; side defaults to ``lattice_side``."""
    d = _dim(dim)
    T = float(checked("T", T, positive=True))
    kappa = float(checked("kappa", kappa, nonnegative=True))
    side = lattice_side(model, T, kappa, d) if side is None else int(side)
    if side < 3:
        raise ValueError(f"side must be >= 3, got side={side!r}")
    if side > MAX_SIDE[d]:
        raise RuntimeError(
            f"the nucleus needs a lattice of side {side} > {MAX_SIDE[d]} in d={d} "
            f"(kappa={kappa:g}): too large for the lattice determinant; use critical_nucleus"
        )
    return T, kappa, d, side


#: Largest lattice (sites) on which ``_search`` follows eigenvectors as its last resort, where
#: Newton from every start ends at saddles of higher index or at pinned clusters (d = 2, smooth
#: walls across the gap onset: K3C60 at 1/Z = 3.6, T = 0.12, kappa = 0.8-1.2 on 27^2-31^2
#: sites, the string tops followed to growth steps in 4-15 s; no saddle at all before).
_FOLLOW_SITES = 2000


def _search(model: Model, w: _Well, K: sp.csr_matrix, kappa: float, side: int, d: int) -> _Saddle:
    """The full saddle search of ``lattice_nucleus`` (strings unless the walls are sharper than
    _SHARP_WALL, and growth steps, then symmetric starts; on lattices above _DENSE_SITES, last,
    the thorough strings with eigenvector following up to _FOLLOW_SITES)."""
    centre, dist = _centred(side, d)
    bounce = _bounce(model, w.T, d)
    radius = bounce.radius * math.sqrt(kappa)
    sharp = kappa < _SHARP_WALL**2 * float(w.d2F(np.array(w.Q_MS)))

    def tops(thorough: bool) -> list[FloatArray]:
        """String tops (both ends, 400 iterations if thorough, else a fixed end and 120) and
        the growth steps (one site at Q_B and the highest)."""
        strings = () if sharp else (False, True) if thorough else (False,)
        n_iter = 400 if thorough else 120
        found = [
            g
            for free in strings
            for g in _string_tops(w, K, kappa, dist, radius, d, free, n_iter=n_iter)
        ]
        return [*found, *_growth_steps(w, kappa, side, d)]

    small = dist.size <= _DENSE_SITES  # large lattices: one string, fewer iterations
    found = [c for c in (_index_one(w, K, kappa, g, d) for g in tops(small)) if c is not None]
    if found:  # the highest saddle met along the growth path
        return max(found, key=lambda c: c[0])
    # none from the string: the lowest of the bounces centred on symmetric points
    guesses = _symmetric_guesses(w, bounce, kappa, centre)
    found = [c for c in (_index_one(w, K, kappa, g, d) for g in guesses) if c is not None]
    if found:
        return min(found, key=lambda c: c[0])
    if not small:  # last resort: thorough strings, their tops followed (dense)
        followed = (_index_one(w, K, kappa, g, d, _FOLLOW_SITES) for g in tops(True))
        found = [c for c in followed if c is not None]
    if not found:
        raise RuntimeError(f"no lattice saddle of index 1 at T={w.T!r}, kappa={kappa!r}, d={d}")
    return max(found, key=lambda c: c[0])


def _nucleus(
    w: _Well, K: sp.csr_matrix, kappa: float, saddle: _Saddle, side: int, d: int
) -> LatticeNucleus:
    """The LatticeNucleus of a certified saddle: determinants, translation norm, ``grows``.
    H_0 is taken at the minimum of the tabulated F (one Newton step from the landscape's Q_MS,
    1.5e-12 l0 away at T = 0.088), where the saddle's tail lies: at Q_MS itself ln F'' differs
    by ~4e-12 per site, a bias of ln det H_0 / det H_s that grows with the sites (1.3e-8 on
    15^3, measured)."""
    E, q, vals, vec = saddle
    H = _energy_terms(w, K, kappa, q)[1].tocsr()
    q_ms = np.array([w.Q_MS])
    log_ratio = _log_det_uniform(float(w.d2F(q_ms - w.dF(q_ms) / w.d2F(q_ms))[0]), kappa, side, d)
    log_ratio -= _log_abs_det(H)
    field = q.reshape((side,) * d)
    norm = np.mean(
        [np.sum(((np.roll(field, -1, a) - np.roll(field, 1, a)) / 2) ** 2) for a in range(d)]
    )
    return LatticeNucleus(
        Q=field,
        energy=E,
        eigenvalues=vals,
        log_det_ratio=log_ratio,
        translation_norm=float(norm),
        uniform=bool(np.ptp(q) < 1e-9),
        grows=_grows(w, vec, kappa, q, side, d),
        side=side,
        dim=d,
        kappa=kappa,
        T=w.T,
    )


@lru_cache(maxsize=256)
def lattice_nucleus(
    model: Model, T: float, kappa: float, dim: int = 3, side: int | None = None
) -> LatticeNucleus:
    """The critical nucleus of E[Q] on a periodic side^d lattice (saddle of Morse index 1).

    Strings of configurations from the uniform Q_MS through growing compact clusters are relaxed
    (``_string_tops``, with a fixed and a free far end) and Newton on grad E = 0 polishes their
    three highest images, the first growth step (one site at Q_B) and the highest steps of
    layer-by-layer growth (``_growth_steps``); of the
    results with exactly one negative Hessian eigenvalue the highest is the critical nucleus.
    The string follows the minimum-energy path of cluster growth, so on a discrete lattice
    (small kappa, pinned intermediate clusters) the highest of the successive growth saddles is
    found, and for large kappa the smooth bounce. If no image polishes into a saddle, Newton
    starts from the bounce centred on the symmetric points of the lattice and the uniform Q_B
    (the lowest saddle found is taken); if none has index 1 either, on lattices above
    _DENSE_SITES the tops of both strings (400 iterations) are followed by eigenvectors,
    densely up to _FOLLOW_SITES sites (the highest is taken). If the nucleus is larger than the
    lattice, the saddle is the uniform state at Q_B (coherent crossing of all sites, the
    kappa -> inf limit).
    ``side`` defaults to the nucleus radius plus 10 tail decay lengths (``lattice_side``). T in
    hbar*omega, kappa in M omega^2. RuntimeError if no saddle of index 1 is found.
    ``lattice_nuclei`` finds a family of them (a tau(T) curve) by continuation instead.

    Runs on one BLAS thread: its dense eigensolves of a few hundred sites lose to threading, and
    on a loaded 2-core machine OpenBLAS's two spinning threads made them 80x slower (measured:
    eigh of 343 x 343 in 2.6 s against 0.03 s on one thread).
    """
    T, kappa, d, side = _checked_lattice(model, T, kappa, dim, side)
    w = _well(model, T)
    with _blas().limit(limits=1, user_api="blas"):  # see the docstring
        K = _laplacian(side, d)
        return _nucleus(w, K, kappa, _search(model, w, K, kappa, side, d), side, d)


# --- continuation: a family of saddles along T or kappa -------------------------------------------

#: Every _CHECK_EVERY-th continued saddle is compared with the full search (branch check).
_CHECK_EVERY: int = 16
#: Largest move of a site (in units of Q_MS - Q_B) from the predicted start to Newton's saddle
#: for it to count as the same branch: a site that joins or leaves the cluster moves by ~Q_MS,
#: a smooth change of T or kappa by O(step^2) after the linear extrapolation.
_SAME_BRANCH: float = 0.25
#: Relative energy difference above which a continued and a searched saddle are different
#: saddles (Newton's max |grad E| < 1e-11 fixes a saddle's energy to ~1e-20).
_SAME_ENERGY: float = 1e-8

#: (continuation parameter T or kappa, saddle there, its well).
_Step = tuple[float, LatticeNucleus, _Well]


def _embed(step: _Step, side: int) -> FloatArray:
    """Reduced deviation (Q - Q_MS) / (Q_MS - Q_B) of a saddle (so that the one-site saddle's
    centre stays at Q_B and its tail at Q_MS when the landscape changes), centred (cropped, or
    padded with 0) on a side^d lattice."""
    _, nucleus, w = step
    d, old = nucleus.dim, nucleus.side
    n = min(old, side)
    src = tuple(slice((old - n) // 2, (old - n) // 2 + n) for _ in range(d))
    dst = tuple(slice((side - n) // 2, (side - n) // 2 + n) for _ in range(d))
    out = np.zeros((side,) * d)
    out[dst] = (nucleus.Q[src] - w.Q_MS) / (w.Q_MS - w.Q_B)
    return out.ravel()


def _continued(
    model: Model, T: float, kappa: float, d: int, path: list[_Step], x: float
) -> LatticeNucleus | None:
    """The saddle at (T, kappa) by Newton (no eigenvector following) from the last saddles of
    ``path`` (one: its reduced deviation ``_embed``; two: linearly extrapolated to the parameter
    x), on this point's lattice and landscape. None unless Newton converges to a saddle of index
    1 within _SAME_BRANCH of the start that grows (and is uniform) as the last."""
    T, kappa, d, side = _checked_lattice(model, T, kappa, d, None)
    w = _well(model, T)
    dev = _embed(path[-1], side)
    if len(path) > 1:
        x0, x1 = path[-2][0], path[-1][0]
        dev += (dev - _embed(path[-2], side)) * ((x - x1) / (x1 - x0))
    guess = w.Q_MS + (w.Q_MS - w.Q_B) * dev
    with _blas().limit(limits=1, user_api="blas"):  # see lattice_nucleus
        K = _laplacian(side, d)
        saddle = _index_one(w, K, kappa, guess, d, follow_sites=0)
        if saddle is None or np.max(np.abs(saddle[1] - guess)) > _SAME_BRANCH * (w.Q_MS - w.Q_B):
            return None
        nucleus = _nucleus(w, K, kappa, saddle, side, d)
    last = path[-1][1]
    return nucleus if (nucleus.grows, nucleus.uniform) == (last.grows, last.uniform) else None


def _same(a: LatticeNucleus, b: LatticeNucleus) -> bool:
    """Whether two saddles at one (T, kappa) are the same (energy within _SAME_ENERGY)."""
    return abs(a.energy - b.energy) <= _SAME_ENERGY * max(abs(a.energy), abs(b.energy), 1e-300)


@lru_cache(maxsize=32)
def _family(
    model: Model, keys: tuple[tuple[float, float], ...], d: int
) -> dict[tuple[float, float], LatticeNucleus]:
    """The saddles at the (T, kappa) keys by continuation (``lattice_nuclei``)."""
    order = sorted(keys, key=lambda key: (key[1], -key[0]))
    done: dict[tuple[float, float], LatticeNucleus] = {}
    # the ends of the lines continued along: each kappa's T (if more than one), and at each T
    # the first points of the kappas (reached along kappa, if more than one)
    ends = {i for i, key in enumerate(order) if i + 1 == len(order) or order[i + 1][1] != key[1]}
    firsts = [i for i in range(len(order)) if i == 0 or order[i - 1][1] != order[i][1]]
    ends = {i for i in ends if i not in firsts} | {
        max(j for j in firsts if order[j][0] == order[i][0]) for i in firsts
    }
    since_check, last_full = 0, -1
    for i, (T, kap) in enumerate(order):
        along_T = [t for t, k in order[:i] if k == kap][-2:]
        along_kappa = [k for t, k in order[:i] if t == T][-2:]
        if along_T:
            path, x = [(t, done[t, kap], _well(model, t)) for t in along_T], T
        else:
            path, x = [(k, done[T, k], _well(model, T)) for k in along_kappa], kap
        nucleus = _continued(model, T, kap, d, path, x) if path else None
        if nucleus is None or since_check + 1 >= _CHECK_EVERY or i in ends:
            full = lattice_nucleus(model, T, kap, d)
            if nucleus is not None and not _same(full, nucleus):
                # a branch switch since the last full search: search back to where they agree
                for j in range(i - 1, last_full, -1):
                    searched = lattice_nucleus(model, *order[j], d)
                    if _same(searched, done[order[j]]):
                        break
                    done[order[j]] = searched
            nucleus, since_check, last_full = full, 0, i
        else:
            since_check += 1
        done[T, kap] = nucleus
    return done


def lattice_nuclei(model: Model, T: ArrayLike, kappa: ArrayLike, dim: int = 3) -> np.ndarray:
    """``lattice_nucleus`` at broadcast T and kappa (object array of LatticeNucleus, their shape)
    by parameter continuation: a tau(T) curve is a one-parameter family of saddles.

    The points are taken along decreasing T at each kappa (from T_B, where the nucleus is
    smallest and the full search cheapest, towards the first-order temperature, where it
    grows), the first T of each kappa from the same T at the smaller kappas. Each saddle is
    Newton's from its neighbours' (linear extrapolation in T or kappa of the last two,
    ``_continued``), accepted if it is a saddle of index 1 near the prediction that grows as
    its neighbour; otherwise, at every _CHECK_EVERY-th point and at the end of each line
    continued along (the last T of a kappa, the last kappa at a T), the full search of
    ``lattice_nucleus`` runs there. Continuation follows one branch, while the full search
    takes the highest saddle on the growth path; where the highest saddle switches branch
    (e.g. the pinned cluster gains a site) the two differ and the check finds it: the points
    since the last full search are then searched back to where continuation and search agree.
    A switch that reverses between two checks goes unseen. Measured (K3C60, 1/Z = 3.6, d = 1,
    30 meV): below T = 0.11 the highest growth step is the 2-site, then the 3-site cluster,
    while the 1-site branch continues 2-30% lower; the search's is the critical nucleus (the
    path must cross the highest step), and the check at the curve's end restores it
    (tests/test_nucleation_continuation.py). Cached per set of points (same points, same
    saddles)."""
    d = _dim(dim)
    T_, k_ = _T_kappa(T, kappa)
    keys = tuple(
        sorted({(float(t), float(k)) for t, k in zip(T_.ravel(), k_.ravel(), strict=True)})
    )
    family = _family(model, keys, d)
    out = np.empty(T_.shape, dtype=object)
    for i in range(out.size):
        out.flat[i] = family[float(T_.flat[i]), float(k_.flat[i])]
    return out


# --- the rate -------------------------------------------------------------------------------------


def growth_rate(lambda_u: ArrayLike, gamma: ArrayLike) -> Any:
    """Growth rate lambda_+ = -gamma/2 + sqrt(gamma^2/4 + |lambda_u|) (omega) of the unstable mode
    of the saddle under eq. 6's dynamics Q'' + gamma Q' = -dE/dQ (M = 1): the positive root of
    lambda^2 + gamma lambda + lambda_u = 0, lambda_u < 0 the Hessian eigenvalue (omega^2)."""
    lam = checked("lambda_u", lambda_u)
    gamma = checked("gamma", gamma, nonnegative=True)
    return output(-0.5 * gamma + np.sqrt(0.25 * gamma**2 + np.abs(lam)))


def _log_rate(nuc: LatticeNucleus, gamma: float, radius: float) -> float:
    """ln of the Langer rate (``nucleation_rate``) per site, or of the whole lattice if the
    saddle is uniform (then it has no translations); radius: ``_radius`` (sites)."""
    lam = nuc.eigenvalues
    log_k = math.log(float(growth_rate(lam[0], gamma)) / (2.0 * math.pi))
    log_k += 0.5 * nuc.log_det_ratio - nuc.energy / nuc.T
    weight = min(max(radius - 1.0, 0.0), 1.0)  # translations exist for nuclei wider than a site
    if not nuc.uniform and weight > 0.0:
        norm = nuc.translation_norm
        for lz in lam[1 : nuc.dim + 1]:
            # ln J_z, written so that J_z / sqrt(lambda_z) stays finite as lambda_z -> 0
            x = math.sqrt(max(float(lz), 0.0) * norm / (8.0 * nuc.T))
            shape = 1.0 if x < 1e-8 else erf(x) * math.sqrt(math.pi) / (2.0 * x)
            log_j = 0.5 * math.log(abs(float(lz)) * norm / (2.0 * math.pi * nuc.T))
            log_k += weight * (log_j + math.log(shape))
    return log_k


def nucleation_rate(
    model: Model, T: ArrayLike, kappa: ArrayLike, dim: int = 3, gamma: ArrayLike = 1.0
) -> Any:
    """Langer's nucleation rate per site (omega) out of the uniform metastable state Q_MS.

        k = lambda_+ / (2 pi) * sqrt(det H_0 / |det H_s|) * prod_z J_z * exp(-E_c / T)

    (Langer, Ann. Phys. 54, 258 (1969); Haenggi, Talkner, Borkovec, RMP 62, 251, eq. 4.22 with the
    zero modes of Sec. IV.F): E_c, H_s from ``lattice_nuclei`` (Hessian of E[Q] at the saddle),
    H_0 at the uniform Q_MS, lambda_+ = ``growth_rate`` of the unstable mode under eq. 6's
    damping gamma (omega). Translations: on the lattice the d modes that move the nucleus have
    small eigenvalues lambda_z > 0 (lattice pinning). Their Gaussian factor sqrt(2 pi T /
    lambda_z) is replaced by the integral over the nucleus position X within one lattice cell
    (one saddle per site), along which Q changes as dQ/dX with sum_i (dQ_i/dX)^2 = N
    (``translation_norm``; in the continuum N = E_c / kappa by Derrick's virial relation):
    J_z = int_{-1/2}^{1/2} dX N^(1/2) exp(-lambda_z N X^2 / 2T) / sqrt(2 pi T / lambda_z)
    = erf(sqrt(lambda_z N / 8T)). Free translation (lambda_z N << T) gives
    J_z sqrt(1/lambda_z) -> sqrt(N / (2 pi T)) = sqrt(E_c / (2 pi T kappa)), the collective-
    coordinate Jacobian; strong pinning gives J_z -> 1, a plain Gaussian mode. A nucleus no
    wider than a site has no translation mode at all (at kappa = 0 the "translations" are the
    neighbours' own vibrations, and the sites are separate saddles): ln J_z is weighted by
    clip(R - 1, 0, 1), R the nucleus radius in sites (``_radius``: the continuum's, at most the
    lattice's thin-wall radius; an interpolation, not derived; it changes the rate by less than
    J_z itself). With the continuum radius alone, one-site steps of sharp walls (K3C60, 100 K,
    1/Z = 3.59, 5 meV: R = 1.55 against 0.31) took band-bottom modes of the Q_MS sea for
    translations, and the rate came out 5.9x below that of 1 meV (now 1 % above it).

    If the nucleus is larger than the lattice chosen for it (only for an explicit small lattice,
    see ``lattice_rate``) the rate is that of the whole lattice. Valid for E_c/T >> 1
    (``critical_nucleus(...).valid``) and gamma not << lambda_+ (no energy-diffusion
    limitation, as for Kramers). T (hbar*omega, > 0), kappa (M omega^2, >= 0), gamma broadcast.
    """
    d = _dim(dim)
    T_, k_, g_ = np.broadcast_arrays(
        checked("T", T, positive=True),
        checked("kappa", kappa, nonnegative=True),
        checked("gamma", gamma, nonnegative=True),
    )
    nuclei = lattice_nuclei(model, T_, k_, d)
    out = np.empty(T_.shape)
    for i in range(out.size):
        nucleus = nuclei.flat[i]
        radius = _radius(model, nucleus.T, nucleus.kappa, d)
        out.flat[i] = math.exp(_log_rate(nucleus, float(g_.flat[i]), radius))
    return output(out)


def lattice_rate(
    model: Model, T: float, kappa: float, dim: int, side: int, gamma: float = 1.0
) -> float:
    """Langer's total escape rate (omega) of one periodic side^d lattice: side^d times the rate
    per site for a localised nucleus, the rate of the uniform saddle (no translations) if the
    nucleus does not fit. As kappa -> inf on N sites this is the coherent N-site Kramers rate."""
    nuc = lattice_nucleus(model, T, kappa, dim, side)
    g = float(checked("gamma", gamma, nonnegative=True))
    copies = 1 if nuc.uniform else side**nuc.dim
    radius = _radius(model, nuc.T, nuc.kappa, nuc.dim)
    return copies * math.exp(_log_rate(nuc, g, radius))


def lifetime(
    model: Model,
    T: ArrayLike,
    kappa: ArrayLike,
    dim: int = 3,
    gamma: ArrayLike = 1.0,
    sites: ArrayLike = 1.0,
) -> Any:
    """Lifetime 1 / (sites * k) (1/omega) of the metastable state in a volume of ``sites`` sites,
    k the ``nucleation_rate`` per site: the mean wait for the first critical nucleus there.

    It is the lifetime of the volume when a nucleus, once formed, sweeps it faster than the wait
    (true for the small lattices of the direct simulation; for a macroscopic volume with finite
    wall speed the transformed fraction follows Kolmogorov-Johnson-Mehl-Avrami kinetics instead,
    not computed here). sites = 1 is the local lifetime of one site.
    """
    n = checked("sites", sites, positive=True)
    return output(1.0 / (n * np.asarray(nucleation_rate(model, T, kappa, dim, gamma))))
