"""The Q-dependent pairing attraction: eq. 5 (Schrieffer-Wolff), eq. 14, and the exact local
pairing of eq. A1 (exact diagonalisation of one site).

Internal units: energies in hbar*omega, Q in l0, g is g*l0/omega, so M*omega^2 = 1.

Exact local pairing. One site of eq. A1 of the paper (Appendix A),

    H = -dE S^z + 2 g Q S^x + P^2/2 + Q^2/2,
    S^z = (1/2) sum_s (n_cs - n_ds),   S^x = (1/2) sum_s (c_s^+ d_s + d_s^+ c_s),

is solved with Q = <Q> + Q~, as in Appendix A: <Q> (the argument ``Q`` below) is the classical
displacement imposed by the drive and Q~ the quantum coordinate of the oscillator around it. The
elastic energy <Q>^2/2 and the linear term <Q> Q~ belong to the classical landscape (the drive
holds <Q>), so the local quantum problem is

    H(<Q>) = -dE S^z + 2 g (<Q> + Q~) S^x + (a^+ a + 1/2),   Q~ = (a + a^+)/sqrt(2),

with the phonon in a Fock space truncated at n_ph quanta. The 16 fermion states (two levels c, d
times two spins) split by particle number N and total spin S (one electron is a pseudo-spin 1/2,
a Rabi model; the 2-electron spin singlet a pseudo-spin 1; the spin triplet does not couple);
the pair binding is
b(<Q>) = 2 E_1 - E_2 - E_0 from the ground energies E_N of the N-electron sectors (> 0 is an
attraction: two electrons on one site against two separate sites). In the rotated basis of
Appendix A the S~^z part of the coupling is a Holstein term of strength 2 g sin(2 theta), whose
polaron shift gives exactly eq. 5's g^2 sin^2(2 theta) = 4 g^4 <Q>^2 / Delta_eff^2; the S~^x part,
dropped by eq. 5, cancels at order g^2 between 2 E_1 and E_2 and first enters at order g^4: at
fixed g <Q> / dE, b = eq. 5 + O(g^4). At <Q> = 0 fourth-order perturbation theory gives

    b(0) = (g^4 / (2 (dE + 1)^2)) (1 + 1/dE + 1/(dE + 1)) + O(g^6)        (``binding_at_rest_g4``)

(the zero-point fluctuations of Q~ pair the electrons even without a displacement). For
dE >> 1 the electrons follow Q~ (Born-Oppenheimer): E_N = min of Q~^2/2 - (N/2) Delta_eff(<Q> +
Q~); to second order in Q~ the N electrons soften the oscillator to omega_N^2 = 1 - N D''/2
(D = Delta_eff, D'' = 4 g^2 dE^2 / D^3), which deepens the polaron shift -(N D')^2 / (8 omega_N^2)
and lowers the zero point omega_N / 2; the softening is what eq. 5 misses at g ~ 0.6.

Convention for U. The paper calibrates U0 as the attraction at Q = 0 (lam_eff(Q=0) = nu U0, which
fixes T_c); eq. 5 obeys U(0) = U0. The exact pairing keeps that meaning: U(Q) = U0 + b(Q) - b(0),
the Q = 0 binding b(0) being part of the calibrated equilibrium attraction U0 (whose intra-band
part is then U0 - b(0)). As g -> 0 at fixed g Q / dE, U - U0 -> eq. 5 with corrections O(g^4).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.interpolate import CubicSpline

from photosc._checks import FloatArray, broadcast, checked, output
from photosc.model import PAIRINGS

if TYPE_CHECKING:
    from photosc.model import Model

#: Default tolerance on the exact binding, in hbar*omega: the phonon truncation is raised until a
#: larger one changes no value by more than this.
BINDING_TOL: float = 1e-10
#: Cells of the exact U(Q) table in c = dE / Delta_eff = cos(2 theta) on [0, 1] (Q from inf to 0);
#: the nodes are uniform in theta, so they crowd near Q = 0 where U(Q) bends fastest.
TABLE_NODES: int = 200
_KNOTS = np.cos(0.5 * np.pi * np.arange(TABLE_NODES, -1, -1) / TABLE_NODES)
_KNOTS[0], _KNOTS[-1] = 0.0, 1.0


# --- eq. 5 --------------------------------------------------------------------------------------


def effective_splitting(Q: ArrayLike, dE: ArrayLike, g: ArrayLike) -> Any:
    """Hybridised splitting Delta_eff = sqrt(dE^2 + 4 g^2 Q^2) (below eq. 5), in hbar*omega."""
    Q, dE, g = broadcast(
        Q=checked("Q", Q), dE=checked("dE", dE, positive=True), g=checked("g", g, nonnegative=True)
    )
    return output(np.sqrt(dE**2 + 4.0 * g**2 * Q**2))


def _method(method: str) -> str:
    if method not in PAIRINGS:
        raise ValueError(f"method must be one of {PAIRINGS}, got method={method!r}")
    return method


def attraction(
    Q: ArrayLike, dE: ArrayLike, g: ArrayLike, U0: ArrayLike, method: str = "schrieffer-wolff"
) -> Any:
    """Pairing attraction U(Q), in hbar*omega. Q in l0, dE and U0 in hbar*omega, g = g*l0/omega.

    "schrieffer-wolff": eq. 5 of the paper, U = U0 + g^2 * 4 g^2 Q^2 / Delta_eff^2, growing from U0
    at Q = 0 to U0 + g^2 as |Q| -> infinity. "exact": U0 + b(Q) - b(0) from the exact local
    problem of eq. A1 (module docstring), from a table per (dE, g) (``exact_table``).
    """
    Q, dE, g, U0 = broadcast(
        Q=checked("Q", Q),
        dE=checked("dE", dE, positive=True),
        g=checked("g", g, nonnegative=True),
        U0=checked("U0", U0, nonnegative=True),
    )
    if _method(method) == "exact":
        return output(U0 + _exact_derivative(Q, dE, g, 0))
    x = 4.0 * g**2 * Q**2
    # x / (dE^2 + x) = 1 / ((dE^2 / x) + 1), 0 at x = 0 (no 0/0 when dE^2 underflows)
    with np.errstate(divide="ignore"):
        return output(U0 + g**2 / (dE**2 / x + 1.0))


def attraction_slope(
    Q: ArrayLike, dE: ArrayLike, g: ArrayLike, method: str = "schrieffer-wolff"
) -> Any:
    """dU/dQ of ``attraction``, in hbar*omega / l0; for eq. 5, 8 g^4 dE^2 Q / Delta_eff^4."""
    Q, dE, g = broadcast(
        Q=checked("Q", Q), dE=checked("dE", dE, positive=True), g=checked("g", g, nonnegative=True)
    )
    if _method(method) == "exact":
        return output(_exact_derivative(Q, dE, g, 1))
    d_eff = np.hypot(dE, 2.0 * g * Q)  # Delta_eff without underflow of its fourth power
    return output(8.0 * g**4 * Q * (dE / d_eff) ** 2 / d_eff**2)


def attraction_curvature(
    Q: ArrayLike, dE: ArrayLike, g: ArrayLike, method: str = "schrieffer-wolff"
) -> Any:
    """d^2U/dQ^2 of ``attraction``, in hbar*omega / l0^2; for eq. 5,
    8 g^4 dE^2 (dE^2 - 12 g^2 Q^2) / Delta_eff^6."""
    Q = checked("Q", Q)
    dE = checked("dE", dE, positive=True)
    g = checked("g", g, nonnegative=True)
    if _method(method) == "exact":
        return output(_exact_derivative(Q, dE, g, 2))
    return output(
        8.0 * g**4 * dE**2 * (dE**2 - 12.0 * g**2 * Q**2) / (dE**2 + 4.0 * g**2 * Q**2) ** 3
    )


def coordinate_of_attraction(
    U: ArrayLike, dE: ArrayLike, g: ArrayLike, U0: ArrayLike, method: str = "schrieffer-wolff"
) -> Any:
    """The Q >= 0 (l0) at which ``attraction`` equals U (hbar*omega): 0 for U <= U0, inf for U at
    or above its large-Q limit (U0 + g^2 for eq. 5, U0 + g^2 - b(0) for the exact pairing)."""
    U = checked("U", U)
    dE = checked("dE", dE, positive=True)
    g = checked("g", g, nonnegative=True)
    U0 = checked("U0", U0, nonnegative=True)
    U, dE, g, U0 = np.broadcast_arrays(U, dE, g, U0)
    excess = U - U0
    with np.errstate(divide="ignore", invalid="ignore"):
        if _method(method) == "exact":
            tables, which = exact_tables(dE.ravel(), g.ravel())
            c = tables.node_of(excess.ravel(), which).reshape(U.shape)
            Q = np.where(c > 0, 0.5 * dE / g * np.sqrt(1.0 / c**2 - 1.0), np.inf)
        else:
            x = dE**2 * excess / (g**2 - excess)  # 4 g^2 Q^2 from eq. 5
            Q = np.where(excess < g**2, np.sqrt(x) / (2.0 * g), np.inf)
    return output(np.where(excess <= 0, 0.0, np.where(g > 0, Q, np.inf)))


def model_attraction(model: Model, Q: ArrayLike, derivative: int = 0) -> Any:
    """U(Q) (derivative 0), dU/dQ (1) or d^2U/dQ^2 (2) of ``model`` with its ``pairing`` method.

    The one entry point through which the landscape, the force and the studies evaluate U(Q).
    Units: hbar*omega / l0^derivative, Q in l0.
    """
    if derivative == 0:
        return attraction(Q, model.dE, model.g, model.U0, model.pairing)
    if derivative == 1:
        return attraction_slope(Q, model.dE, model.g, model.pairing)
    if derivative == 2:
        return attraction_curvature(Q, model.dE, model.g, model.pairing)
    raise ValueError(f"derivative must be 0, 1 or 2, got derivative={derivative!r}")


# --- eq. 14 -------------------------------------------------------------------------------------


def oscillating_attraction(Q2: ArrayLike, dE: ArrayLike, g: ArrayLike) -> Any:
    """Attraction from an oscillating phonon, U = 4 g^4 dE^2 <Q^2> / (dE^2 - 1)^2 (eq. 14).

    Q2 = <Q^2> in l0^2, dE in hbar*omega (the factor (dE^2 - omega^2) becomes dE^2 - 1); U in
    hbar*omega. Eq. E35 of Appendix E has 2 g^4 dE^2 / (...) in front of sum n_up n_down: half of
    eq. 14. The factor 2 is the spin-sum convention (whether the up-down and down-up orderings are
    counted once or twice). We follow the main text, eq. 14; multiply by 1/2 for eq. E35.

    Resonance: eq. 14 is second-order perturbation theory in the oscillation and diverges as
    (dE - 1)^-2 at dE = omega, where it does not apply (the exact local problem stays finite
    there, see ``exact_binding``). dE = 1 raises ValueError; nearby values are returned as they
    are (large), so check |dE - 1| >> g sqrt(<Q^2>) before trusting them.
    """
    Q2, dE, g = broadcast(
        Q2=checked("Q2", Q2, nonnegative=True),
        dE=checked("dE", dE, positive=True),
        g=checked("g", g, nonnegative=True),
    )
    if np.any(dE == 1.0):
        raise ValueError(
            "dE must differ from 1 (the phonon energy), got dE=1.0: eq. 14 diverges at the "
            "resonance dE = omega"
        )
    return output(4.0 * g**4 * dE**2 * Q2 / (dE**2 - 1.0) ** 2)


# --- exact diagonalisation of eq. A1 ------------------------------------------------------------

# Fermion modes of one site, bit k of a basis state: c_up, c_dn, d_up, d_dn.
_C_UP, _C_DN, _D_UP, _D_DN = range(4)


@functools.cache
def _site_operators() -> dict[str, FloatArray]:
    """S^z, S^x of eq. A1, the particle number and the spin operators, 16 x 16 (Jordan-Wigner)."""
    dim = 16
    ann = []
    for k in range(4):
        a = np.zeros((dim, dim))
        for s in range(dim):
            if s >> k & 1:
                a[s ^ (1 << k), s] = (-1) ** bin(s & ((1 << k) - 1)).count("1")
        ann.append(a)
    n = [a.T @ a for a in ann]
    hop = ann[_C_UP].T @ ann[_D_UP] + ann[_C_DN].T @ ann[_D_DN]
    s_plus = ann[_C_UP].T @ ann[_C_DN] + ann[_D_UP].T @ ann[_D_DN]
    s_z = 0.5 * (n[_C_UP] - n[_C_DN] + n[_D_UP] - n[_D_DN])
    return {
        "Sz": 0.5 * (n[_C_UP] + n[_C_DN] - n[_D_UP] - n[_D_DN]),
        "Sx": 0.5 * (hop + hop.T),
        "N": n[0] + n[1] + n[2] + n[3],
        "spin_z": s_z,
        "spin2": s_plus.T @ s_plus + s_z @ s_z + s_z,
    }


@functools.cache
def sector_operators(N: int, two_S: int) -> tuple[FloatArray, FloatArray]:
    """(S^z, S^x) of eq. A1 restricted to N electrons with total spin S = two_S/2, on the
    highest-weight states (spin projection S); empty (0 x 0) if the sector does not exist."""
    ops = _site_operators()
    diag = np.diag
    states = np.flatnonzero((diag(ops["N"]) == N) & (diag(ops["spin_z"]) == two_S / 2))
    s2 = ops["spin2"][np.ix_(states, states)]
    w, v = np.linalg.eigh(s2) if states.size else (np.zeros(0), np.zeros((0, 0)))
    basis = v[:, np.abs(w - two_S / 2 * (two_S / 2 + 1)) < 1e-9]
    return tuple(basis.T @ ops[k][np.ix_(states, states)] @ basis for k in ("Sz", "Sx"))  # type: ignore[return-value]


def _sector_ground(
    Q: FloatArray, dE: FloatArray, g: FloatArray, n_ph: int, N: int, two_S: int
) -> FloatArray:
    """Ground energies of sector (N, S) at flat arrays (Q, dE, g): shifted inverse iteration on
    the banded Hamiltonian, certified by Cholesky inertia (``_ground_kernel``; numba is
    imported on first use, not with this module)."""
    from photosc.physics._ground_kernel import ground_energies

    sz, sx = sector_operators(N, two_S)
    if sz.size == 0:
        return np.full(Q.shape, np.inf)
    out: FloatArray = ground_energies(Q, dE, g, sz, sx, n_ph)
    if np.isnan(out).any():
        raise RuntimeError(f"the ground state of sector N={N}, 2S={two_S} did not converge")
    return out


def sector_ground_energies(Q: ArrayLike, dE: ArrayLike, g: ArrayLike, n_ph: int) -> dict[int, Any]:
    """Ground energies E_N (hbar*omega) of the N = 0..4 electron sectors of eq. A1 at a fixed
    phonon truncation n_ph (>= 2), minimised over the total spin; Q = <Q> in l0 (module docstring).

    E_0 = E_4 = 1/2 (the phonon's zero point), E_3 = E_1 (particle-hole symmetry of the site).
    """
    Q = checked("Q", Q)
    dE = checked("dE", dE, positive=True)
    g = checked("g", g, nonnegative=True)
    n_ph = _truncation("n_ph", n_ph)
    shape = np.broadcast_shapes(Q.shape, dE.shape, g.shape)
    Q, dE, g = (np.array(v, dtype=float).ravel() for v in np.broadcast_arrays(Q, dE, g))
    out = {}
    for N in range(5):
        energies = [_sector_ground(Q, dE, g, n_ph, N, s) for s in range(N % 2, 3, 2)]
        out[N] = output(np.min(energies, axis=0).reshape(shape))
    return out


def _truncation(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 2:
        raise ValueError(f"{name} must be an integer >= 2, got {name}={value!r}")
    return int(value)


def _binding_at(Q: FloatArray, dE: FloatArray, g: FloatArray, n_ph: int) -> FloatArray:
    e1 = _sector_ground(Q, dE, g, n_ph, 1, 1)
    e2 = np.minimum(_sector_ground(Q, dE, g, n_ph, 2, 0), _sector_ground(Q, dE, g, n_ph, 2, 2))
    return 2.0 * e1 - e2 - 0.5  # E_0 = 1/2 exactly: no electron, a free oscillator


def exact_binding(
    Q: ArrayLike,
    dE: ArrayLike,
    g: ArrayLike,
    *,
    tol: float = BINDING_TOL,
    n_ph_max: int = 200,
) -> Any:
    """Pair binding b = 2 E_1 - E_2 - E_0 of the exact local problem of eq. A1, in hbar*omega.

    Q = <Q> in l0 (the classical displacement; the quantum Q~ is diagonalised around it), dE in
    hbar*omega, g = g*l0/omega. The phonon truncation starts at n_ph = 10 + 6 g^2 quanta (the
    polaron's mean occupation is ~ 2 g^2) and grows by max(2, n_ph/6) quanta until one more step
    changes no b by more than ``tol`` (hbar*omega); the value of the larger truncation is
    returned (its error is below that change: past the polaron's occupation the truncation error
    falls faster than geometrically, tested). Raises RuntimeError if that needs more than
    ``n_ph_max`` quanta.
    """
    Q = checked("Q", Q)
    dE = checked("dE", dE, positive=True)
    g = checked("g", g, nonnegative=True)
    tol = float(checked("tol", tol, positive=True))
    n_ph_max = _truncation("n_ph_max", n_ph_max)
    shape = np.broadcast_shapes(Q.shape, dE.shape, g.shape)
    Qf, dEf, gf = (np.array(v, dtype=float).ravel() for v in np.broadcast_arrays(Q, dE, g))
    n = min(n_ph_max, int(10 + 6 * float(np.max(gf, initial=0.0)) ** 2))
    previous = _binding_at(Qf, dEf, gf, n)
    while True:
        if n >= n_ph_max:
            raise RuntimeError(
                f"exact_binding did not converge to tol={tol:g} within n_ph_max={n_ph_max} "
                f"phonon quanta (g up to {float(np.max(gf)):g}); raise n_ph_max"
            )
        n = min(n_ph_max, n + max(2, n // 6))
        value = _binding_at(Qf, dEf, gf, n)
        if np.all(np.abs(value - previous) <= tol):
            return output(value.reshape(shape))
        previous = value


def binding_at_rest_g4(dE: ArrayLike, g: ArrayLike) -> Any:
    """Fourth-order perturbative binding at <Q> = 0, in hbar*omega (module docstring):
    b(0) = g^4 / (2 (dE + 1)^2) * (1 + 1/dE + 1/(dE + 1)), the leading term for g -> 0.

    Derivation (Rayleigh-Schroedinger, E4 = <V R V R V R V> - E2 <V R^2 V>, V = sqrt(2) g (a +
    a^+) S^x): the 1-electron (spin-1/2) ground state has E2 = -g^2/(2(dE+1)) and E4 = -g^4/
    (4(dE+1)^2) (1 - 1/(dE+1)); the 2-electron singlet (pseudo-spin 1) has E2 = -g^2/(dE+1) and
    E4 = -g^4/(dE+1)^2 (1 + 1/(2 dE)); b = 2 E_1 - E_2 (second orders cancel). dE in hbar*omega.
    """
    dE = checked("dE", dE, positive=True)
    g = checked("g", g, nonnegative=True)
    return output(g**4 / (2.0 * (dE + 1.0) ** 2) * (1.0 + 1.0 / dE + 1.0 / (dE + 1.0)))


# --- tables of the exact U(Q) -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ExactTables:
    """Exact U(Q) - U0 = g^2 phi(c) of several (dE, g), c = dE / Delta_eff = cos(2 theta).

    c runs over [0, 1] (Q from infinity to 0); phi is a cubic spline in c on the ``TABLE_NODES``
    cells of ``_KNOTS`` (uniform in theta), phi(1) = 0 at Q = 0 and phi(0) = 1 - b(0)/g^2 (at
    Q -> infinity the S~^x coupling is infinitely off resonance and b -> g^2, the Holstein
    polaron of strength 2 g).
    U is even in Q, and analytic in Q^2 near 0 and in 1/Q at large Q, hence in c at both ends.
    ``coefficients[k, j]`` holds (a3, a2, a1, a0) of table k on cell j.
    dE, g, binding_rest = b(0) and phi_inf = phi(0) are per table.
    """

    dE: FloatArray
    g: FloatArray
    binding_rest: FloatArray
    phi_inf: FloatArray
    coefficients: FloatArray

    def phi(self, c: FloatArray, which: np.ndarray) -> tuple[FloatArray, ...]:
        """phi, dphi/dc, d^2phi/dc^2 of tables ``which`` at c in [0, 1] (flat arrays)."""
        j = np.clip(np.searchsorted(_KNOTS, c) - 1, 0, TABLE_NODES - 1)
        d = c - _KNOTS[j]
        a3, a2, a1, a0 = np.moveaxis(self.coefficients[which, j], -1, 0)
        return (
            ((a3 * d + a2) * d + a1) * d + a0,
            (3.0 * a3 * d + 2.0 * a2) * d + a1,
            6.0 * a3 * d + 2.0 * a2,
        )

    def node_of(self, excess: FloatArray, which: np.ndarray) -> FloatArray:
        """c in [0, 1] where g^2 phi(c) = excess (U - U0, hbar*omega): 1 below 0, 0 above the top.

        phi decreases in c (U grows with |Q|, checked when a table is built): the cell from the
        node values (one sorted search over all tables), then Newton on its cubic from the
        linear interpolant. Raises RuntimeError if Newton does not converge.
        """
        g2 = self.g[which] ** 2
        target = np.where(g2 > 0, excess / np.where(g2 > 0, g2, 1.0), 0.0)
        top = target >= self.phi_inf[which]
        target = np.clip(target, 0.0, self.phi_inf[which])
        n = TABLE_NODES
        values = np.concatenate([self.coefficients[:, :, 3], np.zeros((len(self.g), 1))], axis=1)
        keys = (4.0 * np.arange(len(self.g))[:, None] - values).ravel()  # increasing; phi <= 1
        pos = np.searchsorted(keys, 4.0 * which - target, side="right") - 1 - which * (n + 1)
        j = np.clip(pos, 0, n - 1)
        v_lo, v_hi = values[which, j], values[which, j + 1]
        width = _KNOTS[j + 1] - _KNOTS[j]
        spread = np.where(v_lo > v_hi, v_lo - v_hi, 1.0)
        d = np.clip((v_lo - target) / spread, 0.0, 1.0) * width
        a3, a2, a1, a0 = np.moveaxis(self.coefficients[which, j], -1, 0)
        for _ in range(30):
            f = ((a3 * d + a2) * d + a1) * d + a0 - target
            df = (3.0 * a3 * d + 2.0 * a2) * d + a1
            step = np.where(df < 0, f / np.where(df < 0, df, -1.0), 0.0)
            d = np.clip(d - step, 0.0, width)
            if np.all(np.abs(step) <= 1e-15):
                c = np.where(top, 0.0, _KNOTS[j] + d)
                return np.where(g2 > 0, c, 1.0)
        raise RuntimeError("inverting the exact U(Q) table did not converge")


@functools.lru_cache(maxsize=4096)
def _table_row(dE: float, g: float) -> tuple[float, float, FloatArray]:
    """(b(0), phi(0), spline coefficients) of one exact table; see ExactTables."""
    c = _KNOTS
    if g == 0.0:
        return 0.0, 0.0, np.zeros((TABLE_NODES, 4))
    inner = c[1:]
    Q = 0.5 * dE / g * np.sqrt(np.maximum(1.0 / inner**2 - 1.0, 0.0))
    b = exact_binding(Q, dE, g)
    b_rest = float(b[-1])  # c = 1 is Q = 0
    phi = np.concatenate([[1.0 - b_rest / g**2], (b - b_rest) / g**2])
    if np.any(np.diff(phi) > 1e-12):
        raise RuntimeError(
            f"the exact U(Q) is not monotone in |Q| for dE={dE!r}, g={g!r}; the landscape "
            "needs a monotone U(Q)"
        )
    spline = CubicSpline(c, phi)
    return b_rest, float(phi[0]), np.ascontiguousarray(spline.c.T)


def exact_tables(dE: ArrayLike, g: ArrayLike) -> tuple[ExactTables, np.ndarray]:
    """Exact U(Q) tables for the distinct (dE, g) pairs among flat arrays dE, g, and for each
    point the index of its table. Each table (``TABLE_NODES`` + 1 exact ground energies per sector)
    is built once per (dE, g) and cached."""
    dE = checked("dE", dE, positive=True).ravel()
    g = checked("g", g, nonnegative=True).ravel()
    pairs, which = np.unique(np.stack([dE, g], axis=-1), axis=0, return_inverse=True)
    rows = [_table_row(float(d), float(k)) for d, k in pairs]
    tables = ExactTables(
        dE=pairs[:, 0].copy(),
        g=pairs[:, 1].copy(),
        binding_rest=np.array([r[0] for r in rows]),
        phi_inf=np.array([r[1] for r in rows]),
        coefficients=np.stack([r[2] for r in rows]),
    )
    return tables, which.ravel()


def _exact_derivative(Q: FloatArray, dE: FloatArray, g: FloatArray, derivative: int) -> FloatArray:
    """U - U0 (derivative 0), dU/dQ (1) or d^2U/dQ^2 (2) of the exact pairing, broadcast.

    With U - U0 = g^2 phi(c), c = (1 + 4 g^2 Q^2 / dE^2)^(-1/2) and psi = -dphi/dc:
    dU/dQ = A c^3 psi Q and d^2U/dQ^2 = A (c^3 psi - B Q^2 c^3 (3 c^2 psi + c^3 dpsi/dc)),
    A = 4 g^4 / dE^2, B = 4 g^2 / dE^2 (dc/dQ = -B c^3 Q).
    """
    shape = np.broadcast_shapes(Q.shape, dE.shape, g.shape)
    Qf, dEf, gf = (np.array(v, dtype=float).ravel() for v in np.broadcast_arrays(Q, dE, g))
    tables, which = exact_tables(dEf, gf)
    B = 4.0 * gf**2 / dEf**2
    c = 1.0 / np.sqrt(1.0 + B * Qf**2)
    phi, dphi, d2phi = tables.phi(c, which)
    if derivative == 0:
        out = gf**2 * np.maximum(phi, 0.0)  # phi(1) = 0 at Q = 0, up to rounding of the cubic
    elif derivative == 1:
        out = B * gf**2 * c**3 * (-dphi) * Qf
    else:
        psi, dpsi = -dphi, -d2phi
        out = B * gf**2 * (c**3 * psi - B * Qf**2 * c**3 * (3.0 * c**2 * psi + c**3 * dpsi))
    return out.reshape(shape)
