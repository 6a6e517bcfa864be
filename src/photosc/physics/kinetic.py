"""Energy-resolved quasi-particle and phonon kinetics: Chang & Scalapino (1977), kernels of
Kaplan et al. (1976, ref. 39 of the paper), coupled to the gap equation (eq. 10 with f).

Internal units: hbar = k_B = 1, energies in hbar*omega, time in 1/omega, alpha^2 F
dimensionless, nu = nu(0)*omega per spin per site, densities per site.

State. The quasi-particle occupation f is a function of the band energy xi (0 <= xi <= cutoff,
the BCS window of eqs. 10-11; spin- and xi-sign-symmetric), E(xi) = sqrt(xi^2 + Delta(t)^2).
Why xi and not E - Delta: a Bogoliubov mode k keeps its occupation when Delta changes slowly
(adiabatic following of the rotating basis), so on a fixed xi-grid a change of Delta moves the
energies E_i but not the f_i: the quasi-particle number n = 4 nu sum_i w_i f_i (eq. 11) is
untouched by Delta(t), and only pair processes change it. On an E - Delta grid every change of
Delta would have to re-map f. In xi the Bogoliubov density of states is absorbed,
rho(E) dE = dxi, so the kernels have no gap-edge singularity.

Collision integrals (Kaplan's out-rates of a tagged state at E, rates.py's convention):

    scattering   df_i/dt = -2 pi sum_j w_j a2F(|E_i - E_j|) (1 - D^2/(E_i E_j)) s_ij
                              [f_i (1 - f_j)(1 + N) - f_j (1 - f_i) N],   N = N(E_i - E_j)
    pairs        df_i/dt = -2 pi sum_j w_j a2F(E_i + E_j) (1 + D^2/(E_i E_j))
                              [f_i f_j (1 + N) - (1 - f_i)(1 - f_j) N],   N = N(E_i + E_j)

with s_ij = sign(E_i - E_j) and N(-W) = -(1 + N(W)), which puts emission (E_j < E_i) and
absorption (E_j > E_i) in one formula. At a thermal f and a
Bose N each bracket vanishes pointwise (detailed balance); E_i - E_j and E_i + E_j are the
exact energies of the exchanged phonon, so every discrete process conserves energy.

Phonons. Each event exchanges one phonon; per site, scattering exchanges 8 pi nu w_i w_j a2F
Cm [...] phonons of energy E_i - E_j (over pairs with E_i > E_j) and pair processes 4 pi nu
w_i w_j a2F Cp [...] of energy E_i + E_j (over ordered pairs): Kaplan's phonon pair-breaking
(4 pi) and scattering (8 pi) rates. Dividing by the number of modes per site D_ph(W) dW needs
the phonon density of states. Assumption (Chang & Scalapino's): the matrix element alpha^2 is
the same for every mode in the spectrum, so D_ph(W) = m a2F(W) / int a2F, with m =
``modes_per_site`` (default 3, the acoustic branches of one site, Kaplan's Debye solid); the
phonon pair-breaking rate is then 4 pi nu int(a2F)/m x int dE rho rho (1 + D^2/EE')(1 - f - f').
N(W) lives on a uniform grid W_k = k h (k = 1..K, top = omega_max) with hat functions: the
occupation at any W is the Bose value plus the interpolated deviation, and each event's
phonons go to the two nearest nodes with the hat weights (which keeps sum_k W_k m_k N_k, the
phonon energy, exactly conserved). Phonons below h stay at the bath. Escape to the bath:
dN/dt = ... - (N - N_Bose(T))/tau_esc; tau_esc = 0 is the ideal bath (N = N_Bose, not evolved),
inf a closed system.

Gap. 1/(nu U) = sum_i w_i (1 - 2 f_i)/E_i (eq. 10 with f in place of the lam-distribution),
solved at every evaluation; with f fixed the right side falls with Delta, so the root is unique
(Delta = 0 when the sum at Delta = 0 is below 1/(nu U)). The energy per site
W = Delta^2/U + 2 nu sum w (xi - E) + 4 nu sum w E f is stationary in Delta there, so with the
phonon energy it is conserved by the closed kinetics at fixed U.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.special import expit
from threadpoolctl import threadpool_limits

from photosc._checks import FloatArray, checked, output
from photosc.io import provenance
from photosc.model import Model
from photosc.physics.spectra import Spectrum
from photosc.units import time_to_ps

#: Gauss-Legendre nodes per panel of the xi-grid (in u, xi = a sinh u).
_PANEL = 4
_GL_PANEL = np.polynomial.legendre.leggauss(_PANEL)
_GL_BIN = np.polynomial.legendre.leggauss(8)
#: Thermal window (in T) over which the grid must resolve f, and the resolution asked there.
_WINDOW = 10.0
_MAX_STEP_T = 1.0


def _meta(units: str, long_name: str) -> dict[str, str]:
    return {"units": units, "long_name": long_name}


def _bose(W: FloatArray, T: float) -> FloatArray:
    """N(W) = 1/(exp(W/T) - 1) for W != 0 of either sign (N(-W) = -(1 + N(W)))."""
    with np.errstate(over="ignore"):
        return 1.0 / np.expm1(W / T)


def fermi(E: ArrayLike, T: ArrayLike, lam: ArrayLike = 0.0) -> Any:
    """f(E) = 1/(exp((E + lam)/T) + 1) (eq. B4), E and lam in hbar*omega, T > 0; broadcasts,
    float for scalars."""
    T = checked("T", T, positive=True)
    return output(expit(-(checked("E", E) + checked("lam", lam)) / T))


# --- the grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Quadrature nodes xi (hbar*omega) with weights w (sum w g(xi) ~ int_0^cutoff g dxi), and
    the phonon nodes Omega_k = k h (hbar*omega) with modes m_k per site in each hat."""

    xi: FloatArray
    w: FloatArray
    Omega: FloatArray
    modes: FloatArray
    modes_per_site: float

    @property
    def h(self) -> float:
        """Step of the phonon grid, hbar*omega."""
        return float(self.Omega[0])


def energy_grid(
    spectrum: Spectrum,
    T: float,
    cutoff: float,
    delta_scale: float,
    *,
    points: int = 128,
    phonon_points: int = 96,
    modes_per_site: float = 3.0,
) -> Grid:
    """A xi-grid fine at the gap edge and a phonon grid covering the spectrum.

    xi = a sinh(u), u on ``points``/4 Gauss-Legendre panels of 4 nodes over [0, asinh(cutoff/a)],
    a = T/2: spacing ~ a du (a few 1e-3 T) at the gap edge, where E - Delta ~ xi^2/2 Delta varies
    on xi ~ sqrt(2 Delta T) (or xi ~ Delta for Delta < T), growing ~ xi du towards the cutoff.
    Phonons: ``phonon_points`` nodes k h, h = omega_max / phonon_points, and
    m_k = int hat_k(W) m a2F(W)/int a2F dW (``modes_per_site`` m, see the module docstring).
    Raises ValueError when the grid cannot resolve T and Delta (xi-steps above T inside the
    thermal window, a phonon step above min(T, delta_scale)/2) or a2F is negative.
    """
    T = float(checked("T", T, positive=True))
    cutoff = float(checked("cutoff", cutoff, positive=True))
    delta_scale = float(checked("delta_scale", delta_scale, positive=True))
    checked("modes_per_site", modes_per_site, positive=True)
    if points < 8 or points % _PANEL:
        raise ValueError(f"points must be a multiple of {_PANEL} and >= 8, got points={points!r}")
    if phonon_points < 4:
        raise ValueError(f"phonon_points must be >= 4, got phonon_points={phonon_points!r}")
    a = T / 2
    edges = np.linspace(0.0, math.asinh(cutoff / a), points // _PANEL + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    x, wx = _GL_PANEL
    u = ((lo + hi) / 2 + (hi - lo) / 2 * x).ravel()
    du = np.broadcast_to((hi - lo) / 2 * wx, (lo.size, _PANEL)).ravel()
    xi, w = a * np.sinh(u), a * np.cosh(u) * du
    window = xi < min(cutoff, math.sqrt((_WINDOW * T + delta_scale) ** 2 - delta_scale**2))
    step = float(np.max(np.diff(xi[window], prepend=0.0)))
    if step > _MAX_STEP_T * T or xi[1] > min(T, delta_scale) / 4:
        raise ValueError(
            f"points={points} cannot resolve Delta/T (T={T:.4g}, Delta={delta_scale:.4g}): "
            f"xi-step {step:.3g} in the thermal window (must be <= T), {xi[1]:.3g} at the "
            "gap edge (must be <= min(T, Delta)/4)"
        )
    top = spectrum.omega_max
    h = top / phonon_points
    if h > min(T, delta_scale) / 2:
        raise ValueError(
            f"phonon_points={phonon_points} cannot resolve Delta/T: phonon step {h:.3g} > "
            f"min(T, Delta)/2 = {min(T, delta_scale) / 2:.3g}"
        )
    Omega: FloatArray = h * np.arange(1, phonon_points + 1, dtype=float)
    # hat_k over [W_k - h, W_k + h] by Gauss-Legendre on each half
    xb, wb = _GL_BIN
    left = Omega[:, None] - h / 2 + h / 2 * xb
    right = Omega[:, None] + h / 2 + h / 2 * xb
    a2F_left, a2F_right = spectrum._evaluate(left), spectrum._evaluate(right)
    if np.any(a2F_left < 0) or np.any(a2F_right < 0):
        raise ValueError("spectrum must be >= 0: alpha^2 F is negative on the phonon grid")
    hat_left = (left - (Omega[:, None] - h)) / h
    hat_right = ((Omega[:, None] + h) - right) / h
    weight = h / 2 * (np.sum(wb * hat_left * a2F_left, 1) + np.sum(wb * hat_right * a2F_right, 1))
    total = spectrum.integrate()
    if not total > 0:
        raise ValueError("spectrum must have positive weight: int alpha^2 F dOmega = 0")
    modes = np.asarray(modes_per_site * weight / total, dtype=float)
    return Grid(xi, w, Omega, modes, float(modes_per_site))


# --- hats on the phonon grid ------------------------------------------------------------------


@dataclass(frozen=True)
class _Hats:
    """Linear-interpolation weights of energies W on the padded phonon slots 0..K+1 (slot 0 is
    W = 0 and K+1 beyond the top: both are bath slots, dropped)."""

    k0: np.ndarray
    s: FloatArray

    @classmethod
    def of(cls, W: FloatArray, h: float, K: int) -> _Hats:
        p = np.clip(W / h, 0.0, K)
        k0 = np.minimum(p.astype(np.intp), K)
        return cls(k0, p - k0)

    def interpolate(self, padded: FloatArray) -> FloatArray:
        return padded[self.k0] * (1 - self.s) + padded[self.k0 + 1] * self.s

    def deposit(self, c: FloatArray, K: int) -> FloatArray:
        """sum over all entries of c hat_k, shape (K,)."""
        return self.deposit_rows(c, K, np.zeros(c.shape, dtype=np.intp), 1)[0]

    def deposit_rows(self, c: FloatArray, K: int, rows: np.ndarray, nrows: int) -> FloatArray:
        """sum of c hat_k over the entries of each row index: shape (nrows, K)."""
        slots = K + 2
        base = rows * slots
        size = slots * nrows
        out = np.bincount((base + self.k0).ravel(), (c * (1 - self.s)).ravel(), size)
        out += np.bincount((base + self.k0 + 1).ravel(), (c * self.s).ravel(), size)
        return np.asarray(out, dtype=float).reshape(nrows, slots)[:, 1 : K + 1]

    def pair_deposit(self, c: FloatArray, K: int) -> FloatArray:
        """sum over entries of c hat_k hat_k': (K, K)."""
        slots = K + 2
        out = np.zeros(slots * slots)
        for da, wa in ((0, 1 - self.s), (1, self.s)):
            for db, wb in ((0, 1 - self.s), (1, self.s)):
                idx = (self.k0 + da) * slots + self.k0 + db
                out += np.bincount(idx.ravel(), (c * wa * wb).ravel(), slots * slots)
        return out.reshape(slots, slots)[1 : K + 1, 1 : K + 1]


# --- the kinetic equations ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Kernels:
    """Everything on the grid that depends on Delta: energies, amplitudes, phonon hats."""

    delta: float
    E: FloatArray
    A: FloatArray  # 2 pi w_j a2F(|E_i - E_j|) (1 - D^2/E_i E_j) sign(E_i - E_j)
    B: FloatArray  # 2 pi w_j a2F(E_i + E_j) (1 + D^2/E_i E_j)
    N_bose_s: FloatArray  # N(E_i - E_j), signed, 0 on the diagonal
    N_bose_p: FloatArray  # N(E_i + E_j)
    sign: FloatArray  # sign(E_i - E_j)
    hat_s: _Hats | None  # at |E_i - E_j| (None for the ideal bath: N is not evolved)
    hat_p: _Hats | None  # at E_i + E_j


class Kinetics:
    """The kinetic equations on a grid: rates, Jacobian, gap, density and energy.

    model: the BCS model (nu, cutoff); spectrum: alpha^2 F; T > 0 the bath temperature;
    grid from ``energy_grid``; tau_esc >= 0 (1/omega; inf: closed); U: float or callable of t
    (hbar*omega).
    """

    def __init__(
        self,
        model: Model,
        spectrum: Spectrum,
        T: float,
        grid: Grid,
        tau_esc: float = 0.0,
        U: float | Callable[[float], float] | None = None,
    ) -> None:
        self.model, self.spectrum, self.grid = model, spectrum, grid
        self.T = float(checked("T", T, positive=True))
        self.tau_esc = float(checked("tau_esc", tau_esc, nonnegative=True, allow_inf=True))
        self.U = _attraction(model, U)
        self.M, self.K = grid.xi.size, grid.Omega.size
        self.phonons = self.tau_esc > 0
        self.active = grid.modes > 1e-300
        self._xi2 = grid.xi**2

    # -- state vector ---------------------------------------------------------------------
    def split(self, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(f, dN): dN the phonon occupation minus the Bose value (zeros for the ideal bath)."""
        return y[: self.M], (y[self.M :] if self.phonons else np.zeros(self.K))

    def thermal_state(self, U: float) -> tuple[float, FloatArray]:
        """(Delta, f) of the thermal state at T and attraction U: f Fermi, Delta self-consistent
        on the grid (the discrete eq. 10 with f(E(Delta)))."""
        xi, w, T = self.grid.xi, self.grid.w, self.T
        target = 1.0 / (self.model.nu * U)

        def g(d: float) -> float:
            E = np.sqrt(self._xi2 + d * d)
            return float(np.sum(w * np.tanh(E / (2 * T)) / E)) - target

        delta = 0.0
        if g(0.0) > 0:
            hi = 2 * self.model.cutoff / math.sinh(target)
            delta = brentq(g, 1e-300, hi, xtol=1e-16, rtol=1e-15)
        return delta, fermi(np.sqrt(xi**2 + delta**2), T)

    def gap(self, f: FloatArray, U: float) -> float:
        """Delta solving 1/(nu U) = sum_i w_i (1 - 2 f_i)/E_i (eq. 10 with f), hbar*omega."""
        w = self.grid.w * (1 - 2 * f)
        target = 1.0 / (self.model.nu * U)

        def g(d: float) -> float:
            return float(np.sum(w / np.sqrt(self._xi2 + d * d))) - target

        if g(0.0) <= 0:
            return 0.0
        hi = 2 * self.model.cutoff / math.sinh(target) + self.grid.xi[-1]
        return float(brentq(g, 1e-300, hi, xtol=1e-16, rtol=1e-15))

    def density(self, f: FloatArray) -> float:
        """n = 4 nu sum_i w_i f_i (eq. 11), per site."""
        return float(4 * self.model.nu * np.sum(self.grid.w * f))

    def energy(self, f: FloatArray, dN: FloatArray, delta: float, U: float) -> float:
        """Electron energy W(Delta, f) (module docstring) plus the excess phonon energy
        sum_k m_k W_k dN_k, per site, hbar*omega (relative to the normal ground state)."""
        xi, w, nu = self.grid.xi, self.grid.w, self.model.nu
        E = np.sqrt(xi**2 + delta**2)
        electrons = delta**2 / U + 2 * nu * np.sum(w * (xi - E)) + 4 * nu * np.sum(w * E * f)
        return float(electrons + np.sum(self.grid.modes * self.grid.Omega * dN))

    # -- kernels ------------------------------------------------------------------------------
    def kernels(self, delta: float) -> _Kernels:
        """Amplitudes and phonon hats at gap Delta."""
        E = np.sqrt(self._xi2 + delta * delta)
        w, h = self.grid.w, self.grid.h
        D = E[:, None] - E[None, :]
        S = E[:, None] + E[None, :]
        ratio = delta * delta / (E[:, None] * E[None, :])
        absD = np.abs(D)
        sign = np.sign(D)
        A = 2 * math.pi * w * self.spectrum._evaluate(absD) * (1 - ratio) * sign
        np.fill_diagonal(A, 0.0)
        B = 2 * math.pi * w * self.spectrum._evaluate(S) * (1 + ratio)
        with np.errstate(divide="ignore"):
            Ns = _bose(D, self.T)
        np.fill_diagonal(Ns, 0.0)
        return _Kernels(
            delta,
            E,
            A,
            B,
            Ns,
            _bose(S, self.T),
            sign,
            _Hats.of(absD, h, self.K) if self.phonons else None,
            _Hats.of(S, h, self.K) if self.phonons else None,
        )

    def _occupations(self, k: _Kernels, dN: FloatArray) -> tuple[FloatArray, FloatArray]:
        if k.hat_s is None or k.hat_p is None:
            return k.N_bose_s, k.N_bose_p
        padded = np.concatenate([[0.0], dN, [0.0]])
        Ns = k.N_bose_s + k.sign * k.hat_s.interpolate(padded)
        Np = k.N_bose_p + k.hat_p.interpolate(padded)
        return Ns, Np

    def terms(
        self, f: FloatArray, dN: FloatArray, k: _Kernels, phonons: bool = True
    ) -> dict[str, FloatArray]:
        """The collision terms: df/dt from scattering and from pair processes and, with
        ``phonons``, the phonon sources (phonons per site per unit time into each hat, before
        dividing by the modes m_k)."""
        Ns, Np = self._occupations(k, dN)
        fi, fj = f[:, None], f[None, :]
        AX = k.A * (fi * (1 - fj) + Ns * (fi - fj))
        BY = k.B * (fi * fj + Np * (fi + fj - 1))
        out = {"scattering": -np.sum(AX, axis=1), "pairs": -np.sum(BY, axis=1)}
        if phonons and k.hat_s is not None and k.hat_p is not None:
            rows = 4 * self.model.nu * self.grid.w[:, None]
            down = np.where(k.sign > 0, rows * AX, 0.0)
            out["phonons_scattering"] = k.hat_s.deposit(down, self.K)
            out["phonons_pairs"] = k.hat_p.deposit(rows / 2 * BY, self.K)
        return out

    def rates(self, f: FloatArray, dN: FloatArray, delta: float) -> tuple[FloatArray, FloatArray]:
        """(df/dt, dN/dt) at gap Delta."""
        t = self.terms(f, dN, self.kernels(delta), self.phonons)
        df = t["scattering"] + t["pairs"]
        dNdt = np.zeros(self.K)
        if self.phonons:
            source = t["phonons_scattering"] + t["phonons_pairs"]
            dNdt[self.active] = source[self.active] / self.grid.modes[self.active]
            if math.isfinite(self.tau_esc):
                dNdt -= dN / self.tau_esc
            dNdt[~self.active] = 0.0
        return df, dNdt

    def rhs(self, t: float, y: FloatArray) -> FloatArray:
        f, dN = self.split(y)
        df, dNdt = self.rates(f, dN, self.gap(f, self.U(t)))
        return np.concatenate([df, dNdt]) if self.phonons else df

    def jacobian(self, t: float, y: FloatArray) -> FloatArray:
        """Analytic d(rhs)/dy, with the dependence of Delta on f (implicit function theorem)."""
        f, dN = self.split(y)
        M, K, nu, w = self.M, self.K, self.model.nu, self.grid.w
        delta = self.gap(f, self.U(t))
        k = self.kernels(delta)
        Ns, Np = self._occupations(k, dN)
        fi, fj = f[:, None], f[None, :]
        n = M + K if self.phonons else M
        J = np.zeros((n, n))
        Jff = J[:M, :M]
        Jff += k.A * (fi + Ns) - k.B * (fi + Np)
        Jff[np.diag_indices(M)] -= np.sum(k.A * (1 - fj + Ns), 1) + np.sum(k.B * (fj + Np), 1)
        if k.hat_s is not None and k.hat_p is not None:
            rows = np.broadcast_to(np.arange(M)[:, None], (M, M))
            cols = rows.T
            sX, sY = k.A * (fi - fj) * k.sign, k.B * (fi + fj - 1)
            J[:M, M:] = -(
                k.hat_s.deposit_rows(sX, K, rows, M) + k.hat_p.deposit_rows(sY, K, rows, M)
            )
            down = k.sign > 0
            a = np.where(down, 4 * nu * w[:, None] * k.A, 0.0)
            b = 2 * nu * w[:, None] * k.B
            Jnf = k.hat_s.deposit_rows(a * (1 - fj + Ns), K, rows, M)
            Jnf += k.hat_s.deposit_rows(-a * (fi + Ns), K, cols, M)
            Jnf += k.hat_p.deposit_rows(b * (fj + Np), K, rows, M)
            Jnf += k.hat_p.deposit_rows(b * (fi + Np), K, cols, M)
            Jnn = k.hat_s.pair_deposit(a * (fi - fj), K) + k.hat_p.pair_deposit(
                b * (fi + fj - 1), K
            )
            m = np.where(self.active, self.grid.modes, np.inf)
            J[M:, :M] = Jnf.T / m[:, None]
            J[M:, M:] = Jnn / m[:, None]
            if math.isfinite(self.tau_esc):
                J[M:, M:][np.diag_indices(K)] -= 1.0 / self.tau_esc
            J[M + np.flatnonzero(~self.active), :] = 0.0
        if delta > 0:
            E = k.E
            slope = np.sum(w * (1 - 2 * f) * delta / E**3)
            ddelta_df = -(2 * w / E) / slope
            eps = 1e-7 * delta
            hi = np.concatenate(self.rates(f, dN, delta + eps))
            lo = np.concatenate(self.rates(f, dN, delta - eps))
            J += np.outer(((hi - lo) / (2 * eps))[:n], np.pad(ddelta_df, (0, n - M)))
        return J

    def out_rates(self, f: FloatArray, dN: FloatArray, delta: float, E: float) -> dict[str, float]:
        """Out-rates (omega) of a tagged state at energy E >= Delta, summed over the grid states:
        scattering (emission and absorption, into empty states), recombination (with occupied
        partners), generation (into the empty tagged state). rates.py's Gamma_s, Gamma_r,
        Gamma_g at E = Delta."""
        Ej = np.sqrt(self._xi2 + delta * delta)
        w, a2F, T = self.grid.w, self.spectrum._evaluate, self.T
        padded = np.concatenate([[0.0], dN, [0.0]])
        D, S = E - Ej, E + Ej
        ratio = delta * delta / (E * Ej)
        with np.errstate(divide="ignore", invalid="ignore"):
            Nd = np.where(D != 0, _bose(D, T), 0.0)
        Nd = Nd + np.sign(D) * _Hats.of(np.abs(D), self.grid.h, self.K).interpolate(padded)
        Ns = _bose(S, T) + _Hats.of(S, self.grid.h, self.K).interpolate(padded)
        amp_s = 2 * math.pi * w * a2F(np.abs(D)) * (1 - ratio) * (D != 0)
        amp_p = 2 * math.pi * w * a2F(S) * (1 + ratio)
        return {
            "scattering": float(np.sum(amp_s * (1 - f) * np.sign(D) * (1 + Nd))),
            "recombination": float(np.sum(amp_p * f * (1 + Ns))),
            "generation": float(np.sum(amp_p * (1 - f) * Ns)),
        }


# --- evolve ----------------------------------------------------------------------------------


def evolve(
    model: Model,
    spectrum: Spectrum,
    T: float,
    t: ArrayLike,
    U: float | Callable[[float], float] | None = None,
    tau_esc: float = 0.0,
    *,
    grid: Grid | None = None,
    f0: ArrayLike | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-10,
) -> xr.Dataset:
    """Integrate the Chang-Scalapino kinetic equations from the thermal state at T.

    model: BCS model (nu, U0, cutoff); spectrum: alpha^2 F (>= 0); T > 0 bath temperature
    (hbar*omega); t: increasing output times (1/omega), the first is the start; U: attraction
    (hbar*omega), a float or a callable of t (default model.U0); tau_esc >= 0 phonon escape time
    (1/omega; 0: ideal bath, inf: closed). grid: ``energy_grid`` (default: 128 xi-nodes, 96
    phonon nodes, delta_scale = the largest zero-T gap of U over t); f0: an initial f on
    grid.xi instead of the thermal one. Stiff integration: scipy BDF with the analytic dense
    Jacobian (``Kinetics.jacobian``). Returns a Dataset over t, xi and Omega: Delta, n_qp, U,
    energy, f (and E) on xi, N_phonon on Omega. Raises RuntimeError with the time reached when
    the integration fails.
    """
    T = float(checked("T", T, positive=True))
    tau = float(checked("tau_esc", tau_esc, nonnegative=True, allow_inf=True))
    times = checked("t", t)
    if times.ndim != 1 or times.size < 1 or np.any(np.diff(times) <= 0):
        raise ValueError("t must be a 1-d array of increasing times")
    U_of_t = _attraction(model, U)
    U_t = np.array([U_of_t(float(x)) for x in times])
    checked("U", U_t, positive=True)
    if grid is None:
        from photosc.physics import bcs

        scale = float(bcs.gap(float(np.max(U_t)), 0.0, model.nu, model.cutoff))
        grid = energy_grid(spectrum, T, model.cutoff, scale)
    kin = Kinetics(model, spectrum, T, grid, tau, U_of_t)
    _, f_thermal = kin.thermal_state(U_t[0])
    f_start = f_thermal if f0 is None else checked("f0", f0)
    if f_start.shape != grid.xi.shape or np.any((f_start < 0) | (f_start > 1)):
        raise ValueError(f"f0 must be {grid.xi.size} occupations in [0, 1]")
    y0 = np.concatenate([f_start, np.zeros(kin.K)]) if kin.phonons else f_start
    if times.size == 1:
        ys = y0[:, None]
    else:
        # one BLAS thread: the LU of a few-hundred-square Jacobian only loses to threading
        reached = [float(times[0])]

        def rhs(t: float, y: FloatArray) -> FloatArray:
            reached[0] = max(reached[0], t)
            return kin.rhs(t, y)

        with threadpool_limits(1, user_api="blas"):
            sol = solve_ivp(
                rhs,
                (times[0], times[-1]),
                y0,
                method="BDF",
                t_eval=times,
                jac=kin.jacobian,
                rtol=rtol,
                atol=atol,
            )
        if sol.status != 0:
            raise RuntimeError(
                f"kinetic integration failed at t={reached[0]:.6g} 1/omega "
                f"({time_to_ps(reached[0], model.omega_meV):.4g} ps): {sol.message}"
            )
        ys = sol.y
    return _dataset(kin, times, U_t, ys)


def _attraction(model: Model, U: Any) -> Callable[[float], float]:
    if U is None:
        return lambda _t: model.U0
    if callable(U):
        return U
    value = float(checked("U", U, positive=True))
    return lambda _t: value


def _dataset(kin: Kinetics, times: FloatArray, U_t: FloatArray, ys: FloatArray) -> xr.Dataset:
    g, model = kin.grid, kin.model
    f = ys[: kin.M].T
    dN = ys[kin.M :].T if kin.phonons else np.zeros((times.size, kin.K))
    delta = np.array([kin.gap(fi, u) for fi, u in zip(f, U_t, strict=True)])
    n = 4 * model.nu * f @ g.w
    E = np.sqrt(g.xi[None, :] ** 2 + delta[:, None] ** 2)
    energy = [kin.energy(fi, d, x, u) for fi, d, x, u in zip(f, dN, delta, U_t, strict=True)]
    N = _bose(g.Omega, kin.T)[None, :] + dN
    energy_unit = "hbar*omega"
    return xr.Dataset(
        {
            "Delta": ("t", delta, _meta(energy_unit, "gap Delta (eq. 10 with f)")),
            "n_qp": ("t", n, _meta("1/site", "quasi-particle density (eq. 11)")),
            "U": ("t", U_t, _meta(energy_unit, "pairing attraction U(t)")),
            "energy": ("t", energy, _meta("hbar*omega/site", "electron + excess phonon energy")),
            "f": (("t", "xi"), f, _meta("1", "quasi-particle occupation f")),
            "N_phonon": (("t", "Omega"), N, _meta("1", "phonon occupation N")),
        },
        coords={
            "t": ("t", times, _meta("1/omega", "time")),
            "t_ps": ("t", time_to_ps(times, model.omega_meV), _meta("ps", "time")),
            "xi": ("xi", g.xi, _meta(energy_unit, "band energy xi of the Bogoliubov mode")),
            "E": (("t", "xi"), E, _meta(energy_unit, "quasi-particle energy sqrt(xi^2 + Delta^2)")),
            "xi_weight": ("xi", g.w, _meta(energy_unit, "quadrature weight of the xi-node")),
            "Omega": ("Omega", g.Omega, _meta(energy_unit, "phonon energy")),
            "modes": ("Omega", g.modes, _meta("1/site", "phonon modes per site in the hat")),
        },
        attrs=provenance(
            model,
            T=kin.T,
            tau_esc=kin.tau_esc,
            grid_points=kin.M,
            phonon_points=kin.K,
            modes_per_site=g.modes_per_site,
        ),
    )
