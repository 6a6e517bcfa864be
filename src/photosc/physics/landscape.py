"""Adiabatic free-energy landscape of the displaced Raman coordinate (section PHOTO-INDUCED
METASTABILITY of the paper): F(Q, T), its critical points, the untrapping temperature T_B and the
first-order temperature of metastability II.

Internal units: energies and T in hbar*omega (k_B = 1), Q in l0, so M*omega^2 = 1.

Method. At a critical point Q > 0 the elastic force Q balances the superconducting pull
(Delta^2/U^2) dU/dQ. With eq. 5, their ratio is

    r = (Delta^2 U'/U^2) / Q = 2 sqrt(2) Delta (U_max - U) / (dE U),   U_max = U0 + g^2,

and on the self-consistent branch 1/U = nu I(Delta, T) (the gap equation), so along the landscape

    r(Delta, T) = (2 sqrt(2) / dE) * Delta * (nu U_max I(Delta, T) - 1),

an explicit function of (Delta, T): no gap equation is solved inside the iterations. Delta grows
monotonically with Q on the superconducting branch, so Delta parametrises Q there (Q follows from
U by inverting eq. 5); r is concave in Delta (checked in the tests), hence at a given T there are
either no critical points Q > 0 or a maximum Q_B (r crosses 1 upwards) and a minimum Q_MS (r
crosses 1 downwards). The largest r over the branch, R(T), decreases with T, and T_B solves
R(T_B) = 1: the fold where Q_B and Q_MS merge.

Eq. 8. Solving r = 1 for Q gives, exactly and at any T,
Q_c^2 = (2 sqrt(2) g^2 dE Delta(Q_c) - U0 dE^2) / (4 g^2 (g^2 + U0)); with U0 = 0 this is
Q_c^2 = dE Delta(Q_c) / (sqrt(2) g^2), eq. 8 of the paper without its stray factor omega (no
weak-coupling approximation is involved: Delta is the self-consistent gap).

If r already exceeds 1 at Q = 0 (the undistorted state is unstable, 1 - r(0)^2 is its
curvature), Q_B is reported as 0, the barrier is F(0) - F(Q_MS), and the kind is II.

Exact pairing (``Model.pairing == "exact"``, kernels' ``pairing="exact"``). For any U(Q) that grows
monotonically with |Q| the same parametrisation holds with r = nu Delta I(Delta, T) k(U),
k(U) = sqrt(U'(Q)/Q) at the Q where U(Q) = U; for eq. 5 k = 2 sqrt(2) (U_max - U) / dE, which gives
the r above. With the exact U(Q) of ``photosc.physics.pairing`` k comes from its table, the search
for the largest r is confined to the branch (U >= U0), and the shape of r is not known in closed
form: the tests compare the critical points with a direct scan of the force on a Q grid.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from photosc._checks import MAX_GAP, FloatArray, broadcast, checked, output
from photosc.model import MIN_LAM_EFF, PAIRINGS, Model
from photosc.physics import bcs
from photosc.physics._solve import newton_bracketed
from photosc.physics.pairing import ExactTables, exact_tables, model_attraction

#: Names of the kinds of metastability, indexed by the integer code used in arrays.
KINDS: tuple[str, str, str] = ("none", "I", "II")

_RTOL = 1e-13
_FD_STEP = 1e-6


# --- the landscape at given (Q, T) ---------------------------------------------------------------


def _model(model: Model) -> Model:
    if not isinstance(model, Model):
        raise ValueError(f"model must be a photosc.model.Model, got model={model!r}")
    return model


def _self_consistent(Q: ArrayLike, T: ArrayLike, m: Model) -> tuple[FloatArray, ...]:
    Q = checked("Q", Q)
    T = checked("T", T, nonnegative=True)
    U = np.asarray(model_attraction(m, Q), dtype=float)
    delta = np.asarray(bcs.gap(U, T, m.nu, m.cutoff), dtype=float)
    return Q, T, U, delta


def free_energy(Q: ArrayLike, T: ArrayLike, model: Model) -> Any:
    """Adiabatic free energy F(Q, T) = Q^2/2 + F_SC(Delta(Q, T); U(Q), T), in hbar*omega per site.

    F_SC is eq. 7 of the paper relative to the normal state, at the self-consistent gap for the
    attraction U(Q) of eq. 5 (or the exact pairing, per ``model.pairing``). At T = 0 this is the
    paper's E(Q) = Q^2/2 - nu (coth(1/(nu U)) - 1) (cutoff = 1; the paper prints it without the
    constant -1). Q in l0, T in hbar*omega/k_B.
    """
    m = _model(model)
    Q, T, U, delta = _self_consistent(Q, T, m)
    return output(0.5 * Q**2 + bcs.free_energy(delta, U, T, m.nu, m.cutoff))


def force(Q: ArrayLike, T: ArrayLike, model: Model) -> Any:
    """Force -dF/dQ = -Q + (Delta^2/U^2) dU/dQ on the Raman coordinate, in hbar*omega/l0.

    By the envelope theorem dF_SC/dU = -Delta^2/U^2 at the self-consistent gap (the term of
    eq. 6 of the paper). Q in l0, T in hbar*omega/k_B.
    """
    m = _model(model)
    Q, T, U, delta = _self_consistent(Q, T, m)
    return output(-Q + delta**2 / U**2 * model_attraction(m, Q, 1))


def curvature(Q: ArrayLike, T: ArrayLike, model: Model) -> Any:
    """Curvature d^2F/dQ^2 of the adiabatic landscape (eqs. 5 or A1, and 7), in hbar*omega/l0^2.

    d^2F/dQ^2 = 1 - d/dQ[Delta^2 U'/U^2], with dDelta/dQ = -U'/(nu U^2 dI/dDelta) from the gap
    equation 1/(nu U) = I(Delta, T). Where Delta = 0 (normal state) it is 1; at the onset of
    superconductivity along Q the landscape has a kink and the value is the normal-side one.
    """
    m = _model(model)
    Q, T, U, delta = _self_consistent(Q, T, m)
    dU = np.asarray(model_attraction(m, Q, 1), dtype=float)
    d2U = np.asarray(model_attraction(m, Q, 2), dtype=float)
    sc = delta > 0
    dI = np.asarray(bcs.gap_integral_ddelta(np.where(sc, delta, 1.0), T, m.cutoff), dtype=float)
    d_delta2 = np.where(sc, -2.0 * delta * dU / (m.nu * U**2 * dI), 0.0)  # d(Delta^2)/dQ
    pull = d_delta2 * dU / U**2 + delta**2 * (d2U / U**2 - 2.0 * dU**2 / U**3)
    return output(1.0 - pull)


def free_energy_map(Q: ArrayLike, delta: ArrayLike, T: ArrayLike, model: Model) -> Any:
    """F(Q, Delta) = Q^2/2 + F_SC(Delta; U(Q), T) with Delta a free variable (Fig. 3 of the paper).

    Eq. 7 relative to the normal state; Q in l0, delta and T in hbar*omega. Its stationary points
    in Delta are the self-consistent gaps, so its minima are the minima of ``free_energy``.
    """
    m = _model(model)
    Q = checked("Q", Q)
    delta = checked("delta", delta, nonnegative=True, at_most=MAX_GAP)
    T = checked("T", T, nonnegative=True)
    U = model_attraction(m, Q)
    return output(0.5 * Q**2 + bcs.free_energy(delta, U, T, m.nu, m.cutoff))


# --- critical points on the Delta parametrisation -----------------------------------------------


def _newton(
    fun: Any, lo: FloatArray, hi: FloatArray, x0: FloatArray, what: str, rtol: float = _RTOL
) -> FloatArray:
    """Roots of fun on [lo, hi] with fun(lo) > 0 >= fun(hi): safeguarded Newton on whole arrays.

    ``fun(x, idx)`` returns (f, df/dx) at the points ``idx`` of the flattened problem.
    """
    return newton_bracketed(fun, lo, hi, x0, rtol=rtol, atol=1e-300, what=what)


@dataclass(frozen=True)
class _Params:
    """Flattened, broadcast model parameters of many landscapes."""

    dE: FloatArray
    g: FloatArray
    nu: FloatArray
    U0: FloatArray
    cutoff: FloatArray

    @property
    def U_max(self) -> FloatArray:
        return self.U0 + self.g**2

    @property
    def gap_top(self) -> FloatArray:
        """Delta(U_max, T = 0), above the whole superconducting branch at any T."""
        return self.cutoff / np.sinh(1.0 / (self.nu * self.U_max))

    def __getitem__(self, idx: Any) -> _Params:
        return _Params(self.dE[idx], self.g[idx], self.nu[idx], self.U0[idx], self.cutoff[idx])

    def integral_and_slope(self, delta: FloatArray, T: FloatArray) -> tuple[FloatArray, ...]:
        """Gap integral I(Delta, T) at lam = 0 and dI/dDelta, in one pass (flat arrays).

        T = 0: I = asinh(cutoff/Delta) exactly. T > 0 (Delta = 0 allowed): the thermal
        quadrature of photosc.physics.bcs, the one behind bcs.gap_integral at lam = 0.
        """
        return bcs.thermal_gap_integral(delta, T, self.cutoff)

    def integral(self, delta: FloatArray, T: FloatArray) -> FloatArray:
        return self.integral_and_slope(delta, T)[0]

    def ratio(self, delta: FloatArray, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        """r(Delta, T) (module docstring) and dr/dDelta."""
        c, a = 2.0 * np.sqrt(2.0) / self.dE, self.nu * self.U_max
        gi, dgi = self.integral_and_slope(delta, T)
        return c * delta * (a * gi - 1.0), c * (a * gi - 1.0 + a * delta * dgi)

    def ratio_slope(self, delta: FloatArray, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        """dr/dDelta and d^2r/dDelta^2 (the latter by a forward difference of dI/dDelta)."""
        c, a = 2.0 * np.sqrt(2.0) / self.dE, self.nu * self.U_max
        gi, dgi = self.integral_and_slope(delta, T)
        h = _FD_STEP * delta
        d2gi = (self.integral_and_slope(delta + h, T)[1] - dgi) / h
        return c * (a * gi - 1.0 + a * delta * dgi), c * a * (2.0 * dgi + delta * d2gi)

    def ratio_T_slope(
        self, delta: FloatArray, T: FloatArray, at_rest: np.ndarray
    ) -> tuple[FloatArray, FloatArray]:
        """r(Delta, T) and its T-derivative (I_T by a forward difference), for T > 0.

        At an interior maximum of r the derivative is dr/dT at fixed Delta (envelope); where
        the maximum sits at Q = 0 (``at_rest``) Delta = Delta(U0, T) moves with T along the
        gap equation, dDelta/dT = -I_T / I_Delta, which adds dr/dDelta dDelta/dT.
        """
        c, a = 2.0 * np.sqrt(2.0) / self.dE, self.nu * self.U_max
        gi, dgi = self.integral_and_slope(delta, T)
        h = _FD_STEP * T
        gi_T = (self.integral(delta, T + h) - gi) / h
        dr_dT = c * a * delta * gi_T
        dr_dD = c * (a * gi - 1.0 + a * delta * dgi)
        dr_dT = np.where(at_rest, dr_dT - dr_dD * gi_T / dgi, dr_dT)
        return c * delta * (a * gi - 1.0), dr_dT

    def attraction_of(self, delta: FloatArray, T: FloatArray) -> FloatArray:
        """U = 1/(nu I(Delta, T)) on the self-consistent branch, clipped to [U0, U_max]."""
        return np.clip(1.0 / (self.nu * self.integral(delta, T)), self.U0, self.U_max)

    def coordinate_of(self, U: FloatArray) -> FloatArray:
        """Q >= 0 with U(Q) = U, inverting eq. 5 (``pairing.coordinate_of_attraction``)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            Q = np.sqrt(self.dE**2 * (U - self.U0) / (self.U_max - U)) / (2.0 * self.g)
        return np.where(U > self.U0, Q, 0.0)

    def gap_at_rest(self, T: FloatArray) -> FloatArray:
        """Equilibrium gap Delta(U0, T) of the undistorted lattice (0 if U0 = 0)."""
        U0 = np.where(self.U0 > 0, self.U0, 1.0)
        return np.where(self.U0 > 0, bcs.gap(U0, T, self.nu, self.cutoff), 0.0)

    def condensation(self, delta: FloatArray, U: FloatArray, T: FloatArray) -> FloatArray:
        """F_SC(Delta; U, T) relative to the normal state (eq. 7); 0 where U = 0."""
        safe = np.where(U > 0, U, 1.0)
        F = np.asarray(bcs.free_energy(delta, safe, T, self.nu, self.cutoff), dtype=float)
        return np.where(U > 0, F, 0.0)

    def branch_floor(self, T: FloatArray) -> FloatArray:
        """Lower end of the search for the largest r: just above Delta = 0 (eq. 5's r extends
        smoothly below the branch, U < U0, so no need to stop at Delta(U0, T))."""
        return np.where(T > 0, 0.0, 1e-300 * self.cutoff)

    def rises_at(self, delta: FloatArray, T: FloatArray) -> np.ndarray:
        """Where r still rises at ``branch_floor`` (always, for eq. 5: r is concave, r(0) = 0)."""
        return np.ones(delta.shape, dtype=bool)


@dataclass(frozen=True)
class _ExactParams(_Params):
    """_Params with the exact U(Q) of eq. A1: table ``which`` of ``tables`` for each point."""

    tables: ExactTables
    which: np.ndarray

    def __getitem__(self, idx: Any) -> _ExactParams:
        b = super().__getitem__(idx)
        return _ExactParams(b.dE, b.g, b.nu, b.U0, b.cutoff, self.tables, self.which[idx])

    @property
    def U_max(self) -> FloatArray:
        return self.U0 + self.g**2 * self.tables.phi_inf[self.which]

    def _pull(self, U: FloatArray) -> tuple[FloatArray, FloatArray]:
        """k(U) = sqrt(U'/Q) and dk/dU (module docstring) from the table (c = dE/Delta_eff)."""
        c = self.tables.node_of(U - self.U0, self.which)
        _, dphi, d2phi = self.tables.phi(c, self.which)
        psi, dpsi = np.maximum(-dphi, 1e-300), -d2phi
        k = 2.0 * self.g**2 / self.dE * c**1.5 * np.sqrt(psi)
        dk = -2.0 / self.dE * (1.5 * np.sqrt(c / psi) + c**1.5 * dpsi / (2.0 * psi**1.5))
        return k, np.where(self.g > 0, dk, 0.0)

    def ratio(self, delta: FloatArray, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        gi, dgi = self.integral_and_slope(delta, T)
        k, dk = self._pull(np.clip(1.0 / (self.nu * gi), self.U0, self.U_max))
        return self.nu * delta * gi * k, self.nu * k * (gi + delta * dgi) - delta * dk * dgi / gi

    def ratio_slope(self, delta: FloatArray, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        h = _FD_STEP * delta
        dr = self.ratio(delta, T)[1]
        return dr, (self.ratio(delta + h, T)[1] - dr) / h

    def ratio_T_slope(
        self, delta: FloatArray, T: FloatArray, at_rest: np.ndarray
    ) -> tuple[FloatArray, FloatArray]:
        gi, dgi = self.integral_and_slope(delta, T)
        h = _FD_STEP * T
        gi_T = (self.integral(delta, T + h) - gi) / h
        U = np.clip(1.0 / (self.nu * gi), self.U0, self.U_max)
        k, dk = self._pull(U)
        dr_dD = self.nu * k * (gi + delta * dgi) - delta * dk * dgi / gi
        dr_dT = self.nu * delta * gi_T * (k - U * dk)
        dr_dT = np.where(at_rest, dr_dT - dr_dD * gi_T / dgi, dr_dT)
        return self.nu * delta * gi * k, dr_dT

    def coordinate_of(self, U: FloatArray) -> FloatArray:
        c = self.tables.node_of(U - self.U0, self.which)
        with np.errstate(divide="ignore", invalid="ignore"):
            Q = 0.5 * self.dE / self.g * np.sqrt(1.0 / c**2 - 1.0)
        return np.where(U > self.U0, Q, 0.0)

    def branch_floor(self, T: FloatArray) -> FloatArray:
        """The exact k(U) is tabulated on the branch only: the search starts at Delta(U0, T)."""
        return np.maximum(super().branch_floor(T), self.gap_at_rest(T))

    def rises_at(self, delta: FloatArray, T: FloatArray) -> np.ndarray:
        return np.asarray(self.ratio(delta, T)[1] > 0)


def _broadcast_params(
    dE: ArrayLike,
    g: ArrayLike,
    nu: ArrayLike,
    U0: ArrayLike,
    cutoff: ArrayLike,
    *rest: FloatArray,
    pairing: str = "schrieffer-wolff",
) -> tuple[tuple[int, ...], _Params, list[FloatArray]]:
    arrays: list[FloatArray] = [
        checked("dE", dE, positive=True),
        checked("g", g, nonnegative=True),
        checked("nu", nu, positive=True),
        checked("U0", U0, nonnegative=True),
        checked("cutoff", cutoff, positive=True),
        *rest,
    ]
    if np.any(arrays[1] ** 2 + arrays[3] <= 0):
        raise ValueError("U0 + g^2 must be > 0 (no attraction at any Q), got U0 = g = 0")
    if pairing not in PAIRINGS:
        raise ValueError(f"pairing must be one of {PAIRINGS}, got pairing={pairing!r}")
    names = ("dE", "g", "nu", "U0", "cutoff", "T")[: len(arrays)]
    bc = broadcast(**dict(zip(names, arrays, strict=True)))
    g, nu, U0 = bc[1], bc[2], bc[3]
    for what, lam in (("nu*U0", nu * U0), ("nu*(U0 + g^2)", nu * (U0 + g**2))):
        weak = (lam < MIN_LAM_EFF) & ((U0 > 0) | (what != "nu*U0"))
        if np.any(weak):
            raise ValueError(
                f"{what} must be >= 1/300 (gaps below 1e-130; nu*U0 = 0 is allowed), got "
                f"{what}={float(lam[weak].flat[0])!r}"
            )
    flat = [np.array(v, dtype=float).ravel() for v in bc]
    if pairing == "exact":
        tables, which = exact_tables(flat[0], flat[1])
        p = _ExactParams(flat[0], flat[1], flat[2], flat[3], flat[4], tables, which)
        return bc[0].shape, p, flat[5:]
    return bc[0].shape, _Params(*flat[:5]), flat[5:]


def _max_ratio(
    p: _Params, T: FloatArray, guess: FloatArray | None = None
) -> tuple[FloatArray, np.ndarray]:
    """Position Delta* of the largest r(Delta, T) on the superconducting branch (flattened).

    r is concave in Delta, so Delta* is the root of dr/dDelta on (0, Delta(U_max, 0)) unless
    that root lies below the branch (U < U0); then the branch starts at its maximum, Q = 0, and
    Delta* = Delta(U0, T). Points without superconductivity at U_max
    (T >= T_c(U_max)) or with g = 0 get Delta* = 0. Returns Delta* and where it is at Q = 0.
    """
    a = p.nu * p.U_max
    hot = np.where(T > 0, T, 1.0)
    slope_at_zero = a * p.integral(0.0 * T, hot) - 1.0
    # ~(<= 0): the thermal quadrature at Delta = 0 underflows to nan for T < ~1e-150, where
    # I(0, T) ~ ln(cutoff/T) is huge and the slope certainly positive
    sc = ((T == 0) | ~(slope_at_zero <= 0)) & (p.g > 0)
    if guess is None:
        guess = 2.0 * p.cutoff * np.exp(-1.0 - 1.0 / a)  # weak-coupling T = 0 estimate
    star = np.zeros_like(T)
    at_rest = np.zeros(star.shape, dtype=bool)
    idx = np.flatnonzero(sc)
    if idx.size:
        bottom = p[idx].branch_floor(T[idx])
        rising = p[idx].rises_at(bottom, T[idx])
        star[idx], at_rest[idx[~rising]] = bottom, True  # falling from the start: max at Q = 0
        up = idx[rising]
        q, Ts = p[up], T[up]
        star[up] = _newton(
            lambda x, i: q[i].ratio_slope(x, Ts[i]),
            bottom[rising],
            q.gap_top,
            guess[up],
            "argmax of r",
            rtol=1e-8,
        )
    below = np.flatnonzero(sc & (p.U0 > 0))
    below = below[p.nu[below] * p.U0[below] * p[below].integral(star[below], T[below]) > 1.0]
    star[below] = p[below].gap_at_rest(T[below])
    at_rest[below] = True
    return star, at_rest


def _minimum_gap(
    p: _Params, T: FloatArray, star: FloatArray, guess: FloatArray | None = None
) -> FloatArray:
    """Delta_MS, where r falls through 1 above its maximum at Delta* (Delta* if r(Delta*) <= 1).

    r is concave, so Newton converges monotonically from the far end of the bracket (the
    default start) and, after one step, from anywhere inside it (a ``guess``).
    """
    out = star.copy()
    idx = np.flatnonzero(star > 0)
    idx = idx[p[idx].ratio(star[idx], T[idx])[0] > 1.0]
    if idx.size:
        q, Ts = p[idx], T[idx]

        def excess(x: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
            r, dr = q[i].ratio(x, Ts[i])
            return r - 1.0, dr

        start = q.gap_top if guess is None else guess[idx]
        out[idx] = _newton(excess, star[idx], q.gap_top, start, "Q_MS")
    return out


@dataclass(frozen=True)
class _Extrema:
    """Critical points at temperatures T (flattened arrays; nan where they do not exist)."""

    delta_rest: FloatArray
    delta_star: FloatArray
    ratio_max: FloatArray
    delta_B: FloatArray
    delta_MS: FloatArray

    def __getitem__(self, idx: Any) -> _Extrema:
        return _Extrema(*(getattr(self, f.name)[idx] for f in fields(self)))


def _extrema(p: _Params, T: FloatArray) -> _Extrema:
    star = _max_ratio(p, T)[0]
    r_star = np.where(star > 0, p.ratio(np.where(star > 0, star, 1.0), T)[0], 0.0)
    rest = p.gap_at_rest(T)
    meta = r_star > 1.0
    delta_MS = np.where(meta, _minimum_gap(p, T, np.where(meta, star, 0.0)), np.nan)
    delta_B = np.full_like(T, np.nan)
    r_rest = np.where(rest > 0, p.ratio(np.where(rest > 0, rest, 1.0), T)[0], 0.0)
    delta_B[meta & (r_rest >= 1.0)] = rest[meta & (r_rest >= 1.0)]  # Q = 0 itself is unstable
    idx = np.flatnonzero(meta & (r_rest < 1.0))
    if idx.size:
        q, Ts = p[idx], T[idx]

        def deficit(x: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
            r, dr = q[i].ratio(x, Ts[i])
            return 1.0 - r, -dr

        start = np.maximum(rest[idx], 1e-3 * star[idx])
        delta_B[idx] = _newton(deficit, rest[idx], star[idx], start, "Q_B")
    return _Extrema(rest, star, r_star, delta_B, delta_MS)


@dataclass(frozen=True)
class CriticalPoints:
    """Critical points of the landscape F(Q, T) at temperature T (floats, or arrays over models).

    Q_B (local maximum, the barrier; 0 if the undistorted state is itself unstable) and Q_MS
    (metastable minimum) in l0; Delta_B, Delta_MS the gaps there and Delta_0 at Q = 0; F_B, F_MS,
    F_0 = F(0) and barrier = F_B - F_MS in hbar*omega; nan where there is no metastable minimum.
    ratio_max: largest ratio of superconducting pull to elastic force over Q > 0 (> 1 exactly
    when Q_MS exists). kind_code indexes KINDS: 0 none, 1 I (F_MS > F_0), 2 II (F_MS < F_0).
    """

    T: Any
    Q_B: Any
    Q_MS: Any
    Delta_B: Any
    Delta_MS: Any
    Delta_0: Any
    F_B: Any
    F_MS: Any
    F_0: Any
    barrier: Any
    ratio_max: Any
    kind_code: Any

    @property
    def kind(self) -> Any:
        """ "none", "I" or "II" (an array of them for arrays of models)."""
        codes = np.asarray(self.kind_code)
        names = np.asarray(KINDS)[codes]
        return str(names) if codes.ndim == 0 else names


def critical_points_kernel(
    dE: ArrayLike,
    g: ArrayLike,
    nu: ArrayLike,
    U0: ArrayLike,
    T: ArrayLike = 0.0,
    cutoff: ArrayLike = 1.0,
    pairing: str = "schrieffer-wolff",
) -> CriticalPoints:
    """Critical points of F(Q, T) for arrays of model parameters (broadcast), see CriticalPoints.

    Parameters as in ``photosc.model.Model`` (U0 = 0 allowed, as in eq. 8 of the paper);
    T in hbar*omega/k_B; ``pairing`` one of ``photosc.model.PAIRINGS`` (U(Q) of eq. 5 or exact).
    """
    Tc = checked("T", T, nonnegative=True)
    shape, p, (Tf,) = _broadcast_params(dE, g, nu, U0, cutoff, Tc, pairing=pairing)
    return _assemble(p, Tf, _extrema(p, Tf), shape)


def _assemble(p: _Params, Tf: FloatArray, ex: _Extrema, shape: tuple[int, ...]) -> CriticalPoints:
    """CriticalPoints of the given shape from the flattened extrema (Q, F and the kind)."""
    meta = ~np.isnan(ex.delta_MS)
    res: dict[str, FloatArray] = {}
    for name, delta in (("B", ex.delta_B), ("MS", ex.delta_MS)):
        d = np.where(meta, delta, 1.0)
        U = np.where(d == ex.delta_rest, p.U0, p.attraction_of(d, Tf))  # Q_B = 0: exactly U0
        Q = p.coordinate_of(U)
        res["Q_" + name] = np.where(meta, Q, np.nan)
        res["F_" + name] = np.where(meta, 0.5 * Q**2 + p.condensation(d, U, Tf), np.nan)
    F_0 = p.condensation(ex.delta_rest, p.U0, Tf)
    kind = np.where(meta, np.where(res["F_MS"] > F_0, 1, 2), 0).astype(np.int8)
    values = {
        "T": Tf,
        **res,
        "Delta_B": ex.delta_B,
        "Delta_MS": ex.delta_MS,
        "Delta_0": ex.delta_rest,
        "F_0": F_0,
        "barrier": res["F_B"] - res["F_MS"],
        "ratio_max": ex.ratio_max,
    }
    shaped = {k: output(np.reshape(v, shape)) for k, v in values.items()}
    codes = kind.reshape(shape)
    return CriticalPoints(**shaped, kind_code=int(codes) if codes.ndim == 0 else codes)


def critical_points(model: Model, T: float = 0.0) -> CriticalPoints:
    """Critical points Q_B, Q_MS of the landscape of ``model`` at temperature T (hbar*omega/k_B).

    F(Q, T) = Q^2/2 + F_SC (eqs. 5 and 7 of the paper); types I/II as in Fig. 2 of the paper.
    Cached per (model, T) for a scalar T (the report's sections and the Kramers analysis ask
    for the same points again).
    """
    m = _model(model)
    solve = _critical_points if isinstance(T, numbers.Real) else _critical_points.__wrapped__
    return solve(m, T)


@functools.lru_cache(maxsize=256)
def _critical_points(m: Model, T: Any) -> CriticalPoints:
    return critical_points_kernel(m.dE, m.g, m.nu, m.U0, T, m.cutoff, m.pairing)


# --- temperatures --------------------------------------------------------------------------------


def _untrapping(p: _Params, ex0: _Extrema) -> tuple[FloatArray, FloatArray]:
    """T_B (nan if no metastability at T = 0) and the gap Delta* at the fold, flattened.

    Safeguarded Newton in T on R(T) - 1 = 0, R(T) = max r; dR/dT = dr/dT at Delta* (envelope).
    """
    T_B = np.full_like(p.dE, np.nan)
    fold = np.full_like(p.dE, np.nan)
    idx = np.flatnonzero(ex0.ratio_max > 1.0)
    if idx.size == 0:
        return T_B, fold
    q = p[idx]
    guess = ex0.delta_star[idx].copy()
    T_hot = np.asarray(bcs.critical_temperature(q.U_max, q.nu, q.cutoff), dtype=float)

    def excess(T: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
        star, at_rest = _max_ratio(q[i], T, guess[i])
        ok = star > 0
        guess[i[ok]] = star[ok]
        r, dr_dT = q[i].ratio_T_slope(np.where(ok, star, 1.0), T, at_rest)
        return np.where(ok, r - 1.0, -1.0), np.where(ok, dr_dT, 0.0)

    start = 0.5 * guess / 1.764  # half the weak-coupling T_c at the maximum of r
    T_B[idx] = _newton(excess, np.zeros(idx.size), T_hot, start, "T_B", rtol=1e-12)
    fold[idx] = _max_ratio(q, T_B[idx], guess)[0]
    return T_B, fold


def untrapping_temperature_kernel(
    dE: ArrayLike,
    g: ArrayLike,
    nu: ArrayLike,
    U0: ArrayLike,
    cutoff: ArrayLike = 1.0,
    pairing: str = "schrieffer-wolff",
) -> Any:
    """T_B (Fig. 2): highest T at which the minimum Q_MS of eqs. 5 and 7 exists, hbar*omega/k_B.

    Arrays of model parameters broadcast; nan where there is no metastable minimum at T = 0.
    Solves max_Q r(Q, T) = 1, the fold dF/dQ = d^2F/dQ^2 = 0 where Q_B and Q_MS merge.
    """
    shape, p, _ = _broadcast_params(dE, g, nu, U0, cutoff, pairing=pairing)
    return output(_untrapping(p, _extrema(p, np.zeros_like(p.dE)))[0].reshape(shape))


def metastability_kernel(
    dE: ArrayLike,
    g: ArrayLike,
    nu: ArrayLike,
    U0: ArrayLike,
    cutoff: ArrayLike = 1.0,
    pairing: str = "schrieffer-wolff",
) -> dict[str, Any]:
    """Everything about metastability (Figs. 2-3, eqs. 5 and 7) at once, for arrays of model
    parameters (broadcast).

    Returns the fields of ``critical_points_kernel`` at T = 0 (Q_B, Q_MS, Delta_MS, barrier,
    kind_code, ...) plus "T_B" and "T_first_order" (hbar*omega/k_B, nan where they do not exist),
    sharing the T = 0 solution and the fold between them.
    """
    shape, p, _ = _broadcast_params(dE, g, nu, U0, cutoff, pairing=pairing)
    ex0 = _extrema(p, np.zeros_like(p.dE))
    T_B, fold = _untrapping(p, ex0)
    T_first = _first_order(p, ex0, T_B, fold)
    cp = _assemble(p, np.zeros_like(p.dE), ex0, shape)
    out = {f.name: getattr(cp, f.name) for f in fields(cp)}
    out["T_B"] = output(T_B.reshape(shape))
    out["T_first_order"] = output(T_first.reshape(shape))
    return out


def untrapping_temperature(model: Model) -> float:
    """T_B of ``model`` in hbar*omega/k_B (nan if no metastable state at T = 0); Fig. 2 of the
    paper: the highest T at which the landscape of eqs. 5 and 7 keeps its minimum Q_MS.
    Cached per model."""
    return _untrapping_temperature(_model(model))


@functools.lru_cache(maxsize=256)
def _untrapping_temperature(m: Model) -> float:
    return float(untrapping_temperature_kernel(m.dE, m.g, m.nu, m.U0, m.cutoff, m.pairing))


def _rest_advantage(
    p: _Params, T: FloatArray, delta_MS: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """F(0, T) - F(Q_MS, T) and its T-derivative at fixed Q and Delta (envelope), flattened."""
    U = p.attraction_of(delta_MS, T)
    Q = p.coordinate_of(U)
    rest = p.gap_at_rest(T)
    h = _FD_STEP * T

    def advantage(t: FloatArray) -> FloatArray:
        return p.condensation(rest, p.U0, t) - 0.5 * Q**2 - p.condensation(delta_MS, U, t)

    value = advantage(T)
    return value, (advantage(T + h) - value) / np.where(h > 0, h, 1.0)


def _first_order(p: _Params, ex0: _Extrema, T_B: FloatArray, fold: FloatArray) -> FloatArray:
    """First-order temperatures (flattened), given the T = 0 extrema and the folds."""
    out = np.full_like(p.dE, np.nan)
    meta = np.flatnonzero(~np.isnan(ex0.delta_MS))
    ahead = _rest_advantage(p[meta], np.zeros(meta.size), ex0.delta_MS[meta])[0]
    idx = meta[ahead > 0]  # metastability II
    if idx.size == 0:
        return out
    q, T_B, fold = p[idx], T_B[idx], fold[idx]
    # If Q_MS merges with Q = 0 at T_B (the maximum of r sits at Q = 0), the distorted state
    # joins the undistorted one continuously: no first-order transition. Otherwise Q_MS merges
    # with Q_B > 0 and F(Q_B) > F(0) there.
    interior = fold != q.gap_at_rest(T_B)
    jump = np.flatnonzero(interior & (_rest_advantage(q, T_B, fold)[0] < 0))
    q, T_B = q[jump], T_B[jump]
    guess = ex0.delta_star[idx[jump]].copy()
    guess_MS = ex0.delta_MS[idx[jump]].copy()

    def advantage(T: FloatArray, i: np.ndarray) -> tuple[FloatArray, FloatArray]:
        star = _max_ratio(q[i], T, guess[i])[0]
        guess[i] = star
        guess_MS[i] = _minimum_gap(q[i], T, star, guess_MS[i])
        return _rest_advantage(q[i], T, guess_MS[i])

    start = 0.5 * T_B
    out[idx[jump]] = _newton(advantage, np.zeros(jump.size), T_B, start, "T_1st", rtol=1e-12)
    return out


def first_order_temperature_kernel(
    dE: ArrayLike,
    g: ArrayLike,
    nu: ArrayLike,
    U0: ArrayLike,
    cutoff: ArrayLike = 1.0,
    pairing: str = "schrieffer-wolff",
) -> Any:
    """Metastability II (Fig. 2c): the T where F(Q_MS, T) = F(0, T), hbar*omega/k_B; else nan.

    Below it the distorted state is the equilibrium one: a first-order superconducting transition.
    The root lies in (0, T_B) since F(Q_MS) < F(0) at T = 0 and F(Q_MS) = F(Q_B) > F(0) at T_B.
    """
    return metastability_kernel(dE, g, nu, U0, cutoff, pairing)["T_first_order"]


def first_order_temperature(model: Model) -> float:
    """First-order transition temperature of ``model`` (metastability II, Fig. 2c of the paper),
    in hbar*omega/k_B: where F(Q_MS) = F(0) on the landscape of eqs. 5 and 7; nan otherwise.
    Cached per model."""
    return _first_order_temperature(_model(model))


@functools.lru_cache(maxsize=256)
def _first_order_temperature(m: Model) -> float:
    return float(first_order_temperature_kernel(m.dE, m.g, m.nu, m.U0, m.cutoff, m.pairing))
