"""The golden-rule rates reproduce Kaplan et al.'s (Phys. Rev. B 14, 4854 (1976)) low-temperature
laws for Al, Nb and Ta with the presets' constants and alpha^2 F tables.

Like with like: Kaplan's times are linearised relaxation times, 1/tau = (out-rate)/(1 - f(E))
(DESIGN.md), so photosc's per-state out-rates are divided by 1 - f(Delta). Kaplan's rates carry a
1/Z1(0) that the paper's C3-C5 do not: the presets' alpha^2 F is (b/Z1) Omega^2 with
b/Z1 = hbar/(2 pi tau0 (k_B T_c)^3), Kaplan's definition of tau0.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.special import gamma, zeta

from photosc import materials
from photosc.physics import rates, spectra
from photosc.units import K_B_MEV_PER_K, temperature_from_K

METALS = ["Al", "Nb", "Ta"]


def _setup(name: str) -> tuple[dict[str, float], float, float, spectra.Spectrum]:
    """Kaplan's table, the phonon energy (meV), Delta0 (internal) and the preset's spectrum."""
    k = materials.read(name)["kaplan"]
    w = materials.load(name).omega_meV
    return k, w, k["Delta0_meV"] / w, materials.spectrum(name)


def _linearised(
    rate: Callable[..., object], name: str, T_over_Tc: float
) -> tuple[dict[str, float], float, float, float, float]:
    """(Kaplan's table, Delta, T, T_c) internal, and 1/tau = out-rate / (1 - f(Delta)) in 1/s."""
    k, w, delta, a2F = _setup(name)
    T = float(temperature_from_K(T_over_Tc * k["Tc_K"], w))
    tc = float(temperature_from_K(k["Tc_K"], w))
    out = float(rate(delta, T, a2F))  # type: ignore[arg-type]
    f = 1.0 / (math.exp(delta / T) + 1.0)
    return k, delta, T, tc, float(rates.rate_per_s(out / (1 - f), w))


def _moment(p: float) -> float:
    """<W^p> of the weight W^{5/2} n(W) in units of T^p: Gamma(7/2+p) zeta(7/2+p) / same at 0."""
    return float(gamma(3.5 + p) * zeta(3.5 + p) / (gamma(3.5) * zeta(3.5)))


@pytest.mark.parametrize("name", METALS)
def test_preset_table_is_kaplans_model(name: str) -> None:
    """The shipped alpha^2 F is (b/Z1) Omega^2 up to omega_D, b/Z1 from Kaplan's tau0 and T_c."""
    k, w, _, a2F = _setup(name)
    hbar_meV_s = 6.582119569e-13
    b = hbar_meV_s / (2 * math.pi * k["tau0_ns"] * 1e-9 * (K_B_MEV_PER_K * k["Tc_K"]) ** 3)
    assert k["b_over_Z1_per_meV2"] == pytest.approx(b, rel=1e-6)  # printed to 7 digits
    assert materials.load(name).Tc_K == pytest.approx(k["Tc_K"], rel=1e-6)
    Omega_meV = np.array([0.1, 1.0, 0.5 * k["omega_D_meV"]])
    # linear interpolation of Omega^2 on the geometric grid (ratio 1.029): <= 2.2e-4 relative
    np.testing.assert_allclose(a2F(Omega_meV / w), b * Omega_meV**2, rtol=2.2e-4)
    assert a2F.omega_max * w == pytest.approx(k["omega_D_meV"], rel=3e-6)  # 4 decimals


@pytest.mark.parametrize("name", METALS)
def test_scattering_rate_reproduces_kaplans_tau0(name: str) -> None:
    """Low T, gap edge: 1/tau_s = Gamma(7/2) zeta(7/2) / tau0 (T/T_c)^{7/2} (T_c/2 Delta)^{1/2}
    (the W << Delta limit of Kaplan's tau_s(Delta) with alpha^2 F = b Omega^2).

    Next orders: sqrt(W/(W + 2 Delta)) = sqrt(W/2 Delta)(1 - x/2 + 3x^2/8), x = W/2 Delta,
    averaged over W^{5/2} n(W); included. Left: the x^3 term (~7e-5 at T/Delta = 1/35), the
    table's interpolation (2e-4) and exp(-Delta/T): tolerance 5e-4.
    """
    k, delta, T, tc, measured = _linearised(rates.scattering_rate, name, 0.05)
    kaplan_per_s = (
        gamma(3.5) * zeta(3.5) / (k["tau0_ns"] * 1e-9) * (T / tc) ** 3.5 * (tc / (2 * delta)) ** 0.5
    )
    x1 = _moment(1) * T / (2 * delta)
    x2 = _moment(2) * (T / (2 * delta)) ** 2
    expected = kaplan_per_s * (1 - x1 / 2 + 3 * x2 / 8)
    assert measured == pytest.approx(expected, rel=5e-4)


@pytest.mark.parametrize("name", METALS)
def test_recombination_time_is_kaplans_low_T_law(name: str) -> None:
    """tau_r = tau0/sqrt(pi) (T_c/2 Delta)^{5/2} (T_c/T)^{1/2} e^{Delta/T} (Kaplan's low-T limit).

    From W = 2 Delta + x: alpha^2 F(W) sqrt(W) = b (2 Delta)^{5/2} (1 + u)^{5/2}, u = x/2 Delta,
    averaged over x^{-1/2} e^{-x/T}: 1 + 5T/(8 Delta) + 45 T^2/(128 Delta^2), included; left: the
    u^3 term (~1e-5 at T = 0.1 T_c), the table (2e-4), exp(-Delta/T): tolerance 5e-4.
    """
    k, delta, T, tc, measured = _linearised(rates.recombination_rate, name, 0.1)
    tau_r = (
        k["tau0_ns"]
        * 1e-9
        / math.sqrt(math.pi)
        * (tc / (2 * delta)) ** 2.5
        * (tc / T) ** 0.5
        * math.exp(delta / T)
    )
    r = T / delta
    expected = (1 + 5 * r / 8 + 45 * r**2 / 128) / tau_r
    assert measured == pytest.approx(expected, rel=5e-4)
