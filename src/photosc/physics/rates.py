"""Golden-rule quasi-particle rates of Appendix C (eqs. C3-C5) and the generation time (eqs. 12-13).

Internal units: hbar = k_B = 1; Delta, T, lam, Omega and the rates in hbar*omega (a rate in
units of omega); alpha^2 F dimensionless. f(E) = 1/(exp((E + lam)/T) + 1) is the trapped
quasi-particle distribution of eq. B4 (thermal for lam = 0), n(Omega) = 1/(exp(Omega/T) - 1).

Which rates. Eqs. C3-C5 follow a tagged quasi-particle state at the gap edge E = Delta. Here each
is the rate per tagged state *given* the state is in the initial configuration the process needs:
empty for generation, occupied for scattering and recombination. Eqs. C3-C5 as printed all carry
a factor (1 - f(Delta)) instead; with it removed,

    Gamma_g = 2 pi int_{2D} dW a2F(W) sqrt(W/(W-2D)) (1 - f(W-D)) n(W)       (C3 / (1 - f(D)))
    Gamma_s = 2 pi int_0    dW a2F(W) sqrt(W/(W+2D)) (1 - f(D+W)) n(W)       (C4 / (1 - f(D)))
    Gamma_r = 2 pi int_{2D} dW a2F(W) sqrt(W/(W-2D)) f(W-D) (1 + n(W))       (C5 / (1 - f(D)))

and the occupation f(D) of the tagged state obeys df/dt = (1 - f) Gamma_g - f Gamma_r.
Detailed balance: at lam = 0, (1 - f(D)) Gamma_g = f(D) Gamma_r exactly (the integrands obey
(1 - f(E1))(1 - f(E2)) n(E1 + E2) = f(E1) f(E2) (1 + n(E1 + E2)) pointwise), i.e.
Gamma_g = exp(-D/T) Gamma_r. Eq. C3 as printed equals (1 - f(D)) Gamma_g, the correct unconditional
generation rate; eq. C5 as printed, (1 - f(D)) Gamma_r, must have f(D) in place of (1 - f(D)) to
balance it (as printed C3 / C5 = exp(-D/T) at lam = 0). For D >> T, lam >= 0 all these factors
are 1 up to exp(-(D + lam)/T). The sqrt factors are Kaplan et al.'s (ref. 39)
rho(E') (1 +- D^2/(E E')) at E = D.

Numerics: the sqrt edge is removed with W = edge + s^2 and the s-integral is done by fixed
Gauss-Legendre panels between the spectrum's knots, refined at multiples of T after the edge and
after each knot (the integrands fall like exp(-W/T)) and around the Fermi edge of f when it lies
inside the range; everything is vectorised over broadcast (Delta, T, lam).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from photosc._checks import MAX_GAP, FloatArray, broadcast, checked, checked_scalar, output
from photosc.physics.spectra import Spectrum
from photosc.units import rate_to_per_s

_T_ZERO = 1e-140  # temperatures below are zero, as in photosc.physics.bcs
_DELTA_ZERO = 1e-150  # gaps below are zero (see _gap)
_GL = np.polynomial.legendre.leggauss(8)
_GL_THETA = np.polynomial.legendre.leggauss(16)
#: Panel edges after the integration edge and after every knot, in units of T.
_THERMAL_OFFSETS = np.array([0.5, 2.0, 5.0, 12.0, 25.0, 50.0])
#: Panel edges around a Fermi edge inside the range, in units of T.
_FERMI_OFFSETS = np.array([-50.0, -20.0, -8.0, -3.0, -1.0, 0.0, 1.0, 3.0, 8.0, 20.0, 50.0])

Integrand = Callable[[FloatArray], FloatArray]


# --- thermal factors (T = 0 allowed) -------------------------------------------------------------


def _fermi(E: FloatArray, lam: FloatArray, T: FloatArray) -> FloatArray:
    """f(E) = 1/(exp((E + lam)/T) + 1); the step function at T = 0 (1/2 at E + lam = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (E + lam) / T
    return expit(-np.where(np.isnan(x), 0.0, x))


def _one_minus_fermi(E: FloatArray, lam: FloatArray, T: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (E + lam) / T
    return expit(np.where(np.isnan(x), 0.0, x))


def _bose(Omega: FloatArray, T: FloatArray) -> FloatArray:
    """n(Omega) for Omega > 0; 0 at T = 0."""
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / np.expm1(Omega / T)


def _bose_plus_one(Omega: FloatArray, T: FloatArray) -> FloatArray:
    """1 + n(Omega) for Omega > 0; 1 at T = 0."""
    with np.errstate(divide="ignore", over="ignore"):
        return -1.0 / np.expm1(-Omega / T)


def _omega_bose(Omega: FloatArray, T: FloatArray) -> FloatArray:
    """Omega n(Omega), finite (-> T) as Omega -> 0."""
    with np.errstate(divide="ignore", over="ignore"):
        return Omega / np.expm1(Omega / T)


def check_spectrum(spectrum: object) -> None:
    """ValueError unless ``spectrum`` is a ``photosc.physics.spectra.Spectrum``."""
    if not isinstance(spectrum, Spectrum):
        raise ValueError(
            f"spectrum must be a photosc.physics.spectra.Spectrum, got spectrum={spectrum!r}"
        )


# --- quadrature ----------------------------------------------------------------------------------


def _edge_integral(
    phi: Integrand,
    edge: FloatArray,
    T: FloatArray,
    spectrum: Spectrum,
    extra: FloatArray | None = None,
) -> FloatArray:
    """int_edge^omega_max dW phi(W) / sqrt(W - edge), phi smooth between panel edges.

    edge and T have the broadcast shape S; ``extra`` (S + (k,)) adds panel edges. phi receives W
    of shape S + (panels, nodes).
    """
    check_spectrum(spectrum)
    top = np.maximum(spectrum.omega_max, edge)[..., None]
    lo = edge[..., None]
    Tx = T[..., None]
    knots = spectrum.knots
    on_knots = np.broadcast_to(knots, (*edge.shape, knots.size))
    pieces = [lo, lo + Tx * _THERMAL_OFFSETS, on_knots, top]
    # refine after a knot only where the next knot is further than the offset (at the lowest T)
    T_min = np.min(T, initial=np.inf, where=T > 0)
    gaps = np.diff(knots, append=spectrum.omega_max)
    keep = _THERMAL_OFFSETS * T_min < gaps[:, None]
    if np.any(keep):
        after_knots = knots[:, None] + Tx[..., None] * _THERMAL_OFFSETS
        pieces.append(after_knots[..., keep])
    if extra is not None:
        pieces.append(extra)
    shape = np.broadcast_shapes(*(p.shape[:-1] for p in pieces))
    pts = np.concatenate([np.broadcast_to(p, (*shape, p.shape[-1])) for p in pieces], axis=-1)
    pts = np.sort(np.clip(pts, lo, top), axis=-1)
    s = np.sqrt(pts - lo)
    a, b = s[..., :-1, None], s[..., 1:, None]
    x, w = _GL
    s_nodes = (a + b) / 2 + (b - a) / 2 * x
    # nodes of empty panels (clipped points) go to the top, away from W = 0 where n(W) = inf
    s_nodes = np.where(b > a, s_nodes, s[..., -1:, None])
    Omega = lo[..., None] + s_nodes**2
    return 2.0 * np.sum((b - a) / 2 * w * phi(Omega), axis=(-2, -1))


def _fermi_edges(position: FloatArray, edge: FloatArray, T: FloatArray) -> FloatArray | None:
    """Panel edges around W = position where that Fermi edge lies above the integration edge."""
    if not np.any(position > edge):
        return None
    return position[..., None] + T[..., None] * _FERMI_OFFSETS


def _inputs(
    delta: ArrayLike, T: ArrayLike, lam: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    d = _gap(delta)
    t = _temperature(T)
    la = checked("lam", lam)
    return tuple(broadcast(delta=d, T=t, lam=la))  # type: ignore[return-value]


def _gap(delta: ArrayLike) -> FloatArray:
    """Delta >= 0, with Delta < 1e-150 set to 0: the rates change by O(Delta / Omega) there, and
    squares of such gaps underflow in the quadrature."""
    d = checked("delta", delta, nonnegative=True, at_most=MAX_GAP)
    return np.where(d < _DELTA_ZERO, 0.0, d)


def _temperature(T: ArrayLike) -> FloatArray:
    """T >= 0, with T < 1e-140 set to 0 as in ``photosc.physics.bcs`` (thermal factors vanish)."""
    t = checked("T", T, nonnegative=True)
    return np.where(t < _T_ZERO, 0.0, t)


def _expand(*arrays: FloatArray) -> list[FloatArray]:
    """Append two axes (panels, nodes) for broadcasting against quadrature nodes."""
    return [a[..., None, None] for a in arrays]


# --- the three rates -------------------------------------------------------------------------


def generation_rate(
    delta: ArrayLike, T: ArrayLike, spectrum: Spectrum, lam: ArrayLike = 0.0
) -> Any:
    """Gamma_g: pair generation into an empty gap-edge state (eq. C3 divided by (1 - f(Delta))).

    delta, T, lam in hbar*omega; returns the rate in omega (see the module docstring).
    """
    d, t, la = _inputs(delta, T, lam)
    D, Tn, L = _expand(d, t, la)

    def phi(W: FloatArray) -> FloatArray:
        return np.sqrt(W) * spectrum._evaluate(W) * _one_minus_fermi(W - D, L, Tn) * _bose(W, Tn)

    edges = _fermi_edges(d - la, 2 * d, t)
    return output(2 * math.pi * _edge_integral(phi, 2 * d, t, spectrum, edges))


def scattering_rate(
    delta: ArrayLike, T: ArrayLike, spectrum: Spectrum, lam: ArrayLike = 0.0
) -> Any:
    """Gamma_s: phonon absorption by an occupied gap-edge quasi-particle (eq. C4 / (1 - f(Delta))).

    Number-conserving scattering up from E = Delta. delta, T, lam in hbar*omega; rate in omega.
    """
    d, t, la = _inputs(delta, T, lam)
    D, Tn, L = _expand(d, t, la)

    def phi(W: FloatArray) -> FloatArray:
        a2F = spectrum._evaluate(W)
        return a2F * _omega_bose(W, Tn) / np.sqrt(W + 2 * D) * _one_minus_fermi(D + W, L, Tn)

    zero = np.zeros_like(d)
    edges = _fermi_edges(-la - d, zero, t)
    return output(2 * math.pi * _edge_integral(phi, zero, t, spectrum, edges))


def recombination_rate(
    delta: ArrayLike, T: ArrayLike, spectrum: Spectrum, lam: ArrayLike = 0.0
) -> Any:
    """Gamma_r: recombination of an occupied gap-edge quasi-particle (eq. C5 / (1 - f(Delta))).

    delta, T, lam in hbar*omega; rate in omega. At lam = 0, f(Delta) Gamma_r = (1 - f(Delta))
    Gamma_g (detailed balance).
    """
    d, t, la = _inputs(delta, T, lam)
    D, Tn, L = _expand(d, t, la)

    def phi(W: FloatArray) -> FloatArray:
        a2F = spectrum._evaluate(W)
        return np.sqrt(W) * a2F * _fermi(W - D, L, Tn) * _bose_plus_one(W, Tn)

    edges = _fermi_edges(d - la, 2 * d, t)
    return output(2 * math.pi * _edge_integral(phi, 2 * d, t, spectrum, edges))


# --- rates per site for the kinetics -------------------------------------------------------


def _pair_integrals(
    delta: FloatArray, T: FloatArray, lam: FloatArray, spectrum: Spectrum
) -> FloatArray:
    """int_{2D} dW a2F(W) B(W) J(W), J(W) = int_D^{W-D} dE (E(W-E) + D^2)/sqrt(...) F(E)F(W-E),

    for generation (B = n, F = 1 - f) and recombination (B = 1 + n, F = f), stacked on a new
    first axis. Inner integral with E = W/2 + (W/2 - D) sin(theta), which removes both
    inverse-sqrt ends (16 Gauss-Legendre nodes in theta; checked against QUADPACK to ~1e-10).
    """
    D, Tn, L = (a[..., None, None, None] for a in (delta, T, lam))
    theta_x, theta_w = _GL_THETA
    theta = np.pi / 4 * (theta_x + 1)  # [0, pi/2]; the integrand is even in theta

    def phi(W: FloatArray) -> FloatArray:
        Wn = W[..., None]
        half, a = Wn / 2, Wn / 2 - D
        x = a * np.sin(theta)
        E1, E2 = half + x, half - x
        # (E1 E2 + D^2) / sqrt((W/2 + D)^2 - x^2) in units of W/2: no underflow of the squares
        r, y = D / half, x / half
        kernel = theta_w * half * ((1 + y) * (1 - y) + r * r) / np.sqrt((1 + r) ** 2 - y * y)
        J_gen = np.sum(kernel * _one_minus_fermi(E1, L, Tn) * _one_minus_fermi(E2, L, Tn), -1)
        J_rec = np.sum(kernel * _fermi(E1, L, Tn) * _fermi(E2, L, Tn), -1)
        common = np.pi / 2 * np.sqrt(W - 2 * D[..., 0]) * spectrum._evaluate(W)
        T0 = Tn[..., 0]
        return np.stack([common * _bose(W, T0) * J_gen, common * _bose_plus_one(W, T0) * J_rec])

    edges = _fermi_edges(-2 * lam, 2 * delta, T)
    return _edge_integral(phi, 2 * delta, T, spectrum, edges)


def pair_rates(
    delta: ArrayLike, T: ArrayLike, spectrum: Spectrum, nu: ArrayLike, lam: ArrayLike = 0.0
) -> tuple[Any, Any]:
    """(G, R): quasi-particles generated and lost to recombination per site per unit time.

    G = 4 nu int_D dE rho(E) (1 - f(E)) Gamma_g(E), with Kaplan's Gamma_g(E) generalising eq. C3
    to a tagged state at any E, = 8 pi nu int_{2D} dW a2F(W) n(W) J_(1-f)(1-f)(W); likewise
    R = 4 nu int dE rho(E) f(E) Gamma_r(E) = 8 pi nu int dW a2F(W) (1 + n(W)) J_ff(W). Each event
    changes n by 2 and is counted once from each member. At lam = 0, G = R exactly (detailed
    balance). delta, T, lam in hbar*omega, nu = nu(0)*omega (per spin per site); G, R in omega
    per site (the density n of eq. 11 per unit time 1/omega).
    """
    d = _gap(delta)
    t = _temperature(T)
    la = checked("lam", lam)
    d, t, la, nu_ = broadcast(delta=d, T=t, lam=la, nu=checked("nu", nu, positive=True))
    # the stacked (G, R) axis comes first: nu (broadcast like delta, T, lam) must not meet it
    G, R = _pair_integrals(d, t, la, spectrum)
    return output(8 * math.pi * nu_ * G), output(8 * math.pi * nu_ * R)


def pair_generation_rate(
    delta: ArrayLike, T: ArrayLike, spectrum: Spectrum, nu: ArrayLike, lam: ArrayLike = 0.0
) -> Any:
    """G of ``pair_rates`` (eq. C3 summed over states): quasi-particles generated per site per
    unit time (omega)."""
    return pair_rates(delta, T, spectrum, nu, lam)[0]


def pair_recombination_rate(
    delta: ArrayLike, T: ArrayLike, spectrum: Spectrum, nu: ArrayLike, lam: ArrayLike = 0.0
) -> Any:
    """R of ``pair_rates`` (eq. C5 summed over states): quasi-particles lost to recombination
    per site per unit time (omega)."""
    return pair_rates(delta, T, spectrum, nu, lam)[1]


# --- asymptotics (eqs. 12-13) --------------------------------------------------------------


def generation_rate_asymptotic(delta: ArrayLike, T: ArrayLike, spectrum: Spectrum) -> Any:
    """Low-T, lam = 0 limit of eq. C3: 2 pi^{3/2} a2F(2 Delta) sqrt(2 Delta T) exp(-2 Delta/T).

    From (1 - f) -> 1, n(W) -> exp(-W/T), a2F(W) -> a2F(2 Delta). Relative error of the full
    integral: T/(8 Delta) - 3 T^2/(128 Delta^2) + ... for a2F flat near 2 Delta (from
    sqrt(1 + x/2D) = 1 + x/4D - x^2/32D^2). delta > 0, T > 0 in hbar*omega; rate in omega.
    """
    d, t = broadcast(delta=checked("delta", delta, positive=True), T=checked("T", T, positive=True))
    check_spectrum(spectrum)
    a2F = spectrum._evaluate(2 * d)
    return output(2 * math.pi**1.5 * a2F * np.sqrt(2 * d * t) * np.exp(-2 * d / t))


def generation_time_asymptotic(delta: ArrayLike, T: ArrayLike, spectrum: Spectrum) -> Any:
    """tau_g = tau_0 (2 Delta/T)^{1/2} exp(2 Delta/T) (eq. 12 with tau_0 of ``tau0``), in 1/omega.

    inf where a2F(2 Delta) = 0 or the exponential overflows.
    """
    with np.errstate(divide="ignore"):
        return output(1.0 / np.asarray(generation_rate_asymptotic(delta, T, spectrum)))


def tau0(delta: ArrayLike, spectrum: Spectrum) -> Any:
    """tau_0 = 1/(2 pi^{3/2} a2F(2 Delta) 2 Delta) in 1/omega (eq. 13 corrected).

    Eq. 13 prints tau_0^{-1} = 2 pi^{3/2} a2F(2 Delta_0)/hbar, which is not a rate (a2F is
    dimensionless): the energy factor 2 Delta is missing. With it, eq. 12 is the low-T limit.
    """
    d = checked("delta", delta, positive=True)
    check_spectrum(spectrum)
    with np.errstate(divide="ignore"):
        return output(1.0 / (2 * math.pi**1.5 * spectrum._evaluate(2 * d) * 2 * d))


def activation_factor(gap_ratio: ArrayLike) -> Any:
    """tau_g/tau_0 = x^{1/2} exp(x) of eq. 12 at x = 2 Delta/T.

    At x = 2 Delta_0/T_c = 3.54 (the paper's BCS ratio) this is 64.85 (63.95 for the exact
    weak-coupling 3.528), the bound on tau_g/tau_0 for T >= T_c since Delta_tr <= Delta_0 and
    x^{1/2} e^x grows with x. The paper's 45.9 is (x/2)^{1/2} exp(x) = (Delta_0/T)^{1/2}
    exp(2 Delta_0/T), a slip. (At x = 3.54 the low-T expansion itself is only good to ~10%.)
    """
    x = checked("gap_ratio", gap_ratio, nonnegative=True)
    return output(np.sqrt(x) * np.exp(x))


# --- physical units --------------------------------------------------------------------------


def rate_per_s(rate: ArrayLike, omega_meV: float) -> Any:
    """A rate in internal units (omega) -> s^-1, for hbar*omega = ``omega_meV`` meV."""
    r = checked("rate", rate, nonnegative=True, allow_inf=True)
    return output(rate_to_per_s(r, checked_scalar("omega_meV", omega_meV, positive=True)))


def time_ns(rate: ArrayLike, omega_meV: float) -> Any:
    """1/rate in ns for a rate in internal units (inf for a zero rate)."""
    with np.errstate(divide="ignore"):
        return output(1e9 / np.asarray(rate_per_s(rate, omega_meV)))
