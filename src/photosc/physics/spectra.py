"""Electron-phonon spectral functions alpha^2 F(Omega) for the rates of Appendix C.

alpha^2 F is dimensionless (eq. C2 of the paper); Omega is in the internal unit hbar*omega.
Every spectrum evaluates on arrays, vanishes outside [0, ``omega_max``], and lists its ``knots``:
the points where alpha^2 F or its slope jumps, or where a narrow peak must be resolved. The rate
integrals of ``photosc.physics.rates`` integrate panel by panel between those knots.

Spectra add: ``Debye(...) + Einstein(...)`` is a ``SumSpectrum``.
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from photosc._checks import FloatArray, checked, output
from photosc.model import HG3_OMEGA_MEV
from photosc.units import energy_from_meV

_GL32 = np.polynomial.legendre.leggauss(32)


class Spectrum(ABC):
    """alpha^2 F(Omega): dimensionless, Omega in hbar*omega, zero outside [0, omega_max]."""

    @abstractmethod
    def _evaluate(self, Omega: FloatArray) -> FloatArray:
        """alpha^2 F on a float array (no validation)."""

    @property
    @abstractmethod
    def knots(self) -> FloatArray:
        """Sorted points in [0, omega_max] between which alpha^2 F is smooth, in hbar*omega."""

    @property
    @abstractmethod
    def omega_max(self) -> float:
        """Upper end of the support, in hbar*omega (alpha^2 F = 0 above)."""

    def __call__(self, Omega: ArrayLike) -> Any:
        """alpha^2 F(Omega), Omega in hbar*omega (float for a scalar, array otherwise)."""
        return output(self._evaluate(checked("Omega", Omega)))

    def __add__(self, other: Spectrum) -> SumSpectrum:
        if not isinstance(other, Spectrum):
            return NotImplemented
        return SumSpectrum((self, other))

    def _weighted(self, weight: Any, upper: float | None) -> float:
        """int_0^upper dOmega alpha^2 F(Omega) weight(Omega), 32-node Gauss-Legendre per panel."""
        top = self.omega_max if upper is None else min(float(upper), self.omega_max)
        edges = np.unique(np.clip(np.concatenate([[0.0], self.knots, [top]]), 0.0, top))
        a, b = edges[:-1, None], edges[1:, None]
        x, w = _GL32
        Omega = (a + b) / 2 + (b - a) / 2 * x
        return float(np.sum((b - a) / 2 * w * self._evaluate(Omega) * weight(Omega)))

    def integrate(self, weight_power: float = 0.0, upper: float | None = None) -> float:
        """int_0^upper dOmega alpha^2 F(Omega) Omega^weight_power (upper defaults to omega_max).

        Gauss-Legendre (32 nodes) on each panel between knots; exact to rounding for the
        piecewise-polynomial spectra here when weight_power is a non-negative integer.
        """
        return self._weighted(lambda Omega: Omega**weight_power, upper)

    def coupling(self, upper: float | None = None) -> float:
        """Electron-phonon coupling lambda = 2 int_0^upper dOmega alpha^2 F(Omega) / Omega."""
        return 2.0 * self.integrate(-1.0, upper)

    def omega_log(self) -> float:
        """Logarithmic average frequency exp[(2/lambda) int alpha^2 F ln(Omega)/Omega dOmega]
        (Allen & Dynes, Phys. Rev. B 12, 905 (1975), eq. 4), in hbar*omega."""
        return math.exp(2.0 * self._weighted(lambda W: np.log(W) / W, None) / self.coupling())

    def weight_fraction(self, lower: float, upper: float) -> float:
        """Fraction of int alpha^2 F dOmega lying in [lower, upper] (hbar*omega)."""
        lo, hi = sorted((max(float(lower), 0.0), max(float(upper), 0.0)))
        return (self.integrate(0.0, hi) - self.integrate(0.0, lo)) / self.integrate(0.0)


@dataclass(frozen=True)
class SumSpectrum(Spectrum):
    """The sum of several spectra."""

    parts: tuple[Spectrum, ...]

    def __post_init__(self) -> None:
        if not self.parts or not all(isinstance(p, Spectrum) for p in self.parts):
            raise ValueError(
                f"parts must be a non-empty tuple of spectra, got parts={self.parts!r}"
            )

    def _evaluate(self, Omega: FloatArray) -> FloatArray:
        return np.sum([p._evaluate(Omega) for p in self.parts], axis=0)

    @property
    def knots(self) -> FloatArray:
        return np.unique(np.concatenate([p.knots for p in self.parts]))

    @property
    def omega_max(self) -> float:
        return max(p.omega_max for p in self.parts)

    def __add__(self, other: Spectrum) -> SumSpectrum:
        if not isinstance(other, Spectrum):
            return NotImplemented
        return SumSpectrum((*self.parts, other))


def _positive_scalar(name: str, value: float) -> float:
    return float(checked(name, float(value), positive=True))


@dataclass(frozen=True)
class Debye(Spectrum):
    """alpha^2 F = b Omega^2 for 0 <= Omega <= omega_D (Kaplan et al. 1976, ref. 39).

    b in 1/(hbar*omega)^2, the cut-off omega_D in hbar*omega. Coupling lambda = b omega_D^2.
    """

    b: float
    omega_D: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "b", _positive_scalar("b", self.b))
        object.__setattr__(self, "omega_D", _positive_scalar("omega_D", self.omega_D))

    def _evaluate(self, Omega: FloatArray) -> FloatArray:
        inside = (Omega >= 0) & (Omega <= self.omega_D)
        return np.where(inside, self.b * Omega**2, 0.0)

    @property
    def knots(self) -> FloatArray:
        return np.array([0.0, self.omega_D])

    @property
    def omega_max(self) -> float:
        return self.omega_D


#: Half-width of the Einstein peak's support, in units of its Gaussian width.
EINSTEIN_TRUNCATION = 6.0


@dataclass(frozen=True)
class Einstein(Spectrum):
    """A narrow Gaussian peak at omega_E of rms width ``width`` (both in hbar*omega).

    Normalised so that int alpha^2 F dOmega = lam * omega_E / 2, i.e. the mode's coupling
    lambda = 2 int alpha^2 F / Omega equals ``lam`` up to O((width/omega_E)^2). The Gaussian is cut
    at omega_E +- 6 width (weight lost ~ 2e-9), which must lie above Omega = 0.
    """

    omega_E: float
    lam: float
    width: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "omega_E", _positive_scalar("omega_E", self.omega_E))
        object.__setattr__(self, "lam", _positive_scalar("lam", self.lam))
        object.__setattr__(self, "width", _positive_scalar("width", self.width))
        if EINSTEIN_TRUNCATION * self.width >= self.omega_E:
            raise ValueError(
                f"width must be < omega_E / {EINSTEIN_TRUNCATION:g}, got width={self.width!r} "
                f"for omega_E={self.omega_E!r}"
            )

    @property
    def amplitude(self) -> float:
        """Peak value of alpha^2 F."""
        return self.lam * self.omega_E / 2 / (self.width * math.sqrt(2 * math.pi))

    def _evaluate(self, Omega: FloatArray) -> FloatArray:
        z = (Omega - self.omega_E) / self.width
        return np.where(np.abs(z) <= EINSTEIN_TRUNCATION, self.amplitude * np.exp(-z * z / 2), 0.0)

    @property
    def knots(self) -> FloatArray:
        z = np.array([-6.0, -4.0, -2.5, -1.2, 0.0, 1.2, 2.5, 4.0, 6.0])
        return self.omega_E + self.width * z

    @property
    def omega_max(self) -> float:
        return self.omega_E + EINSTEIN_TRUNCATION * self.width


@dataclass(frozen=True)
class Tabulated(Spectrum):
    """Piecewise-linear alpha^2 F through (Omega, a2F) points; zero outside the table.

    Omega in hbar*omega, strictly increasing and >= 0; a2F >= 0 (dimensionless).
    """

    Omega: FloatArray = field(repr=False)
    a2F: FloatArray = field(repr=False)

    def __post_init__(self) -> None:
        Omega = checked("Omega", self.Omega, nonnegative=True)
        a2F = checked("a2F", self.a2F, nonnegative=True)
        if Omega.ndim != 1 or Omega.size < 2:
            raise ValueError(f"Omega must be a 1-d grid of >= 2 points, got shape {Omega.shape}")
        if a2F.shape != Omega.shape:
            raise ValueError(f"a2F must have the shape of Omega {Omega.shape}, got {a2F.shape}")
        steps = np.diff(Omega)
        if np.any(steps <= 0):
            i = int(np.argmax(steps <= 0))
            raise ValueError(
                f"Omega must be strictly increasing, got Omega[{i}]={Omega[i]!r} "
                f">= Omega[{i + 1}]={Omega[i + 1]!r}"
            )
        Omega.setflags(write=False)
        a2F.setflags(write=False)
        object.__setattr__(self, "Omega", Omega)
        object.__setattr__(self, "a2F", a2F)

    @classmethod
    def from_meV(cls, Omega_meV: ArrayLike, a2F: ArrayLike, omega_meV: float) -> Tabulated:
        """Table with Omega in meV, converted with the phonon energy ``omega_meV`` (meV)."""
        omega_meV = _positive_scalar("omega_meV", omega_meV)
        return cls(energy_from_meV(checked("Omega_meV", Omega_meV), omega_meV), np.asarray(a2F))

    @classmethod
    def from_csv(cls, path: str | Path, omega_meV: float = HG3_OMEGA_MEV) -> Tabulated:
        """Read two comma-separated columns, Omega in meV and alpha^2 F; '#' starts a comment."""
        table = np.loadtxt(path, delimiter=",", comments="#", ndmin=2)
        if table.shape[1] != 2:
            raise ValueError(f"{path}: expected 2 columns (Omega_meV, a2F), got {table.shape[1]}")
        return cls.from_meV(table[:, 0], table[:, 1], omega_meV)

    def _evaluate(self, Omega: FloatArray) -> FloatArray:
        return np.interp(Omega, self.Omega, self.a2F, left=0.0, right=0.0)

    @property
    def knots(self) -> FloatArray:
        return np.asarray(self.Omega)

    @property
    def omega_max(self) -> float:
        return float(self.Omega[-1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tabulated):
            return NotImplemented
        return np.array_equal(self.Omega, other.Omega) and np.array_equal(self.a2F, other.a2F)

    def __hash__(self) -> int:
        return hash((self.Omega.tobytes(), self.a2F.tobytes()))


def read(
    path: str | Path,
    format: str | None = None,
    smearing: int | None = None,
    omega_meV: float = HG3_OMEGA_MEV,
    unit: str | None = None,
) -> Tabulated:
    """alpha^2 F from an EPW, Quantum ESPRESSO, elk or abinit file, or a two-column table.

    ``format`` is one of ``photosc.physics.spectra_readers.FORMATS`` (detected from the content
    when None and unambiguous); ``smearing`` picks the 1-based column or block where a format has
    several (default 1; abinit: the spin average); ``unit`` is the unit of Omega of a two-column
    table. Omega of the result is in units of ``omega_meV`` (hbar*omega in meV). The layouts, the
    checks and the warnings are described in ``photosc.physics.spectra_readers``; use its
    ``read_table`` for the file's own lambda and notes. A file with alpha^2 F(0) > 0 (a smearing
    artefact) gives a table whose ``coupling()`` depends on its first panel (2 int a2F/Omega
    diverges there); ``read_table(...).lam`` takes the integrand as 0 at Omega = 0, as the codes do.
    """
    from photosc.physics.spectra_readers import read_table

    table = read_table(path, format=format, smearing=smearing, unit=unit)
    return Tabulated.from_meV(table.Omega_meV, table.a2F, omega_meV)


def small_windows(
    Omega: ArrayLike, a2F: ArrayLike, fraction: float = 0.01
) -> list[tuple[float, float]]:
    """Windows inside the support where alpha^2 F < fraction * max(alpha^2 F), widest first.

    Omega increasing (any unit; the windows come back in it), a2F >= 0 sampled on it. Only runs
    between the first and the last point above the threshold count (not the tails).
    """
    W = checked("Omega", Omega)
    y = checked("a2F", a2F, nonnegative=True)
    frac = float(checked("fraction", fraction, positive=True))
    if W.shape != y.shape or W.ndim != 1:
        raise ValueError(f"Omega and a2F must be 1-d of one shape, got {W.shape}, {y.shape}")
    high = np.flatnonzero(y >= frac * y.max())
    if high.size < 2:
        return []
    jumps = np.flatnonzero(np.diff(high) > 1)
    windows = [(float(W[high[j]]), float(W[high[j + 1]])) for j in jumps]
    return sorted(windows, key=lambda w: w[0] - w[1])


def sample(spectrum: Spectrum, num: int = 4001) -> tuple[FloatArray, FloatArray]:
    """(Omega, alpha^2 F) on a grid of ``num`` points over [0, 1.02 omega_max] plus the knots."""
    Omega = np.union1d(np.linspace(0.0, 1.02 * spectrum.omega_max, num), spectrum.knots)
    return Omega, spectrum._evaluate(Omega)


# --- K3C60 -----------------------------------------------------------------------------------

#: Parameters of the K3C60 model spectrum (meV, or dimensionless) and where each comes from.
K3C60_DEFAULTS: dict[str, float] = {
    "acoustic_end_meV": 6.2,
    "gap_start_meV": 10.0,
    "gap_end_meV": 33.0,
    "hg1_start_meV": 33.0,
    "hg1_peak_meV": 34.0,
    "hg1_end_meV": 35.0,
    "gap_floor": 0.01,
    "lam_bath": 0.1,
    "lam_hg1": 0.05,
}
K3C60_SOURCES: dict[str, str] = {
    "acoustic_end_meV": "Discussion: lattice modes of octahedral K terminate at 6.2 meV; App. C: "
    "acoustic and librational phonon DOS up to 6 meV (neutron data, ref. 46)",
    "gap_start_meV": "Discussion: alpha^2 F from reflectance (refs. 46, 47) negligible from 10 meV",
    "gap_end_meV": "Discussion: alpha^2 F negligible in the vicinity of 10-33 meV",
    "hg1_start_meV": "Discussion and App. C: the next non-negligibly coupled phonons are Hg(1), "
    "from 33 meV",
    "hg1_peak_meV": "choice: Hg(1) drawn as a 2 meV wide triangle peaking 1 meV above its onset",
    "hg1_end_meV": "choice: see hg1_peak_meV",
    "gap_floor": "choice: 'negligible' coupling in 10-33 meV (weak K lattice modes, tetrahedral K "
    "from 16 meV) as this fraction of alpha^2 F at the acoustic edge",
    "lam_bath": "choice (the paper gives no scale): coupling 2 int alpha^2F/Omega of the weak "
    "dissipative bath below gap_end_meV",
    "lam_hg1": "choice (the paper gives no scale): coupling of the Hg(1) peak",
}

#: Number of knots sampling the Omega^2 rise of the acoustic/librational part.
_ACOUSTIC_KNOTS = 25


def k3c60(omega_meV: float = HG3_OMEGA_MEV, **overrides: float) -> SumSpectrum:
    """Model alpha^2 F of K3C60 (Discussion "Quasi-Particle Trapping" and Appendix C).

    Bath: alpha^2 F ~ Omega^2 (Kaplan's form) up to ``acoustic_end_meV``, a linear drop to
    ``gap_floor`` times the edge value at ``gap_start_meV``, that floor up to ``gap_end_meV``;
    scaled so that its coupling is ``lam_bath``. Hg(1): a triangle from ``hg1_start_meV`` over
    ``hg1_peak_meV`` to ``hg1_end_meV`` with coupling ``lam_hg1``. Defaults and their sources are
    in ``K3C60_DEFAULTS`` / ``K3C60_SOURCES``; any of them can be overridden. Omega of the result is
    in units of ``omega_meV`` (hbar*omega in meV).
    """
    unknown = set(overrides) - set(K3C60_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown K3C60 spectrum parameter(s) {sorted(unknown)}")
    p = {**K3C60_DEFAULTS, **overrides}
    for name, value in p.items():
        if name == "gap_floor":
            checked(name, value, nonnegative=True)
        else:
            checked(name, value, positive=True)
    order = ["acoustic_end_meV", "gap_start_meV", "gap_end_meV", "hg1_peak_meV", "hg1_end_meV"]
    for lo, hi in itertools.pairwise(order):
        if not p[lo] < p[hi]:
            raise ValueError(f"{lo} must be < {hi}, got {lo}={p[lo]!r}, {hi}={p[hi]!r}")
    if not p["gap_end_meV"] <= p["hg1_start_meV"] < p["hg1_peak_meV"]:
        raise ValueError(
            f"hg1_start_meV must lie in [gap_end_meV, hg1_peak_meV), got {p['hg1_start_meV']!r}"
        )
    rise = np.linspace(0.0, p["acoustic_end_meV"], _ACOUSTIC_KNOTS)
    bath_meV = np.concatenate([rise, [p["gap_start_meV"], p["gap_end_meV"]]])
    bath_shape = np.concatenate([(rise / rise[-1]) ** 2, [p["gap_floor"], p["gap_floor"]]])
    bath = Tabulated.from_meV(bath_meV, bath_shape, omega_meV)
    hg1 = Tabulated.from_meV(
        [p["hg1_start_meV"], p["hg1_peak_meV"], p["hg1_end_meV"]], [0.0, 1.0, 0.0], omega_meV
    )
    bath = Tabulated(bath.Omega, bath.a2F * p["lam_bath"] / bath.coupling())
    hg1 = Tabulated(hg1.Omega, hg1.a2F * p["lam_hg1"] / hg1.coupling())
    return SumSpectrum((bath, hg1))
