"""alpha^2 F models: values, normalisations, the K3C60 model's features, input validation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photosc.physics import spectra
from photosc.physics.spectra import Debye, Einstein, SumSpectrum, Tabulated
from photosc.units import energy_from_meV

OMEGA_MEV = 90.0


def test_debye_is_kaplans_quadratic_form_with_coupling_b_omega_D_squared() -> None:
    d = Debye(b=3.0, omega_D=0.4)
    Omega = np.array([0.1, 0.2, 0.4, 0.41])
    np.testing.assert_allclose(d(Omega), [0.03, 0.12, 0.48, 0.0])
    assert d.coupling() == pytest.approx(3.0 * 0.4**2, rel=1e-12)
    assert isinstance(d(0.1), float)


def test_einstein_weight_and_coupling() -> None:
    e = Einstein(omega_E=0.5, lam=0.2, width=0.005)
    assert e.integrate() == pytest.approx(0.2 * 0.5 / 2, rel=1e-8)
    # lambda = 2 int a2F / Omega = lam (1 + (width/omega_E)^2 + ...)
    assert e.coupling() == pytest.approx(0.2 * (1 + (0.005 / 0.5) ** 2), rel=1e-6)
    assert e(0.5) == pytest.approx(e.amplitude)
    assert e(0.5 + 7 * 0.005) == 0.0


def test_tabulated_is_piecewise_linear_and_zero_outside() -> None:
    t = Tabulated(np.array([0.1, 0.2, 0.4]), np.array([1.0, 3.0, 0.0]))
    np.testing.assert_allclose(t(np.array([0.05, 0.15, 0.3, 0.5])), [0.0, 2.0, 1.5, 0.0])
    assert t.integrate() == pytest.approx(0.5 * 0.1 * 4.0 + 0.5 * 0.2 * 3.0, rel=1e-12)
    # int (p + q W)/W over a panel is p ln(b/a) + q (b - a)
    lam = 2 * ((1 - 20 * 0.1) * math.log(2) + 20 * 0.1 + 6 * math.log(2) - 15 * 0.2)
    assert t.coupling() == pytest.approx(lam, rel=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0.01, 1.0), min_size=2, max_size=12),
    st.lists(st.floats(0.0, 5.0), min_size=12, max_size=12),
)
def test_tabulated_integral_is_the_trapezoid_rule(steps: list[float], values: list[float]) -> None:
    Omega = np.cumsum(steps)
    a2F = np.array(values[: len(Omega)])
    t = Tabulated(Omega, a2F)
    assert t.integrate() == pytest.approx(np.trapezoid(a2F, Omega), rel=1e-10, abs=1e-14)
    # Simpson's rule per panel is exact for the quadratic a2F(W) * W
    mid_W, mid_a = (Omega[1:] + Omega[:-1]) / 2, (a2F[1:] + a2F[:-1]) / 2
    simpson = np.sum(
        np.diff(Omega) / 6 * (a2F[:-1] * Omega[:-1] + 4 * mid_a * mid_W + a2F[1:] * Omega[1:])
    )
    assert t.integrate(1.0) == pytest.approx(simpson, rel=1e-10, abs=1e-14)


def test_from_csv_reads_meV_and_converts(tmp_path: Path) -> None:
    path = tmp_path / "a2F.csv"
    path.write_text("# Omega_meV, a2F\n0, 0\n9, 0.5\n18, 0.25\n")
    t = Tabulated.from_csv(path, omega_meV=OMEGA_MEV)
    np.testing.assert_allclose(t.Omega, [0.0, 0.1, 0.2])
    assert t(0.15) == pytest.approx(0.375)


def test_sum_adds_values_and_merges_knots() -> None:
    a, b = Debye(1.0, 0.3), Einstein(0.5, 0.1, 0.01)
    s = a + b
    assert isinstance(s, SumSpectrum)
    W = np.linspace(0.0, 0.6, 61)
    np.testing.assert_allclose(s(W), a(W) + b(W))
    assert s.omega_max == b.omega_max
    assert set(a.knots) | set(b.knots) == set(s.knots)
    assert s.coupling() == pytest.approx(a.coupling() + b.coupling(), rel=1e-12)
    assert len((s + a).parts) == 3


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: Tabulated(np.array([0.1, 0.2]), np.array([1.0, -0.1])), "a2F"),
        (lambda: Tabulated(np.array([0.2, 0.1, 0.3]), np.array([1.0, 1.0, 1.0])), "Omega"),
        (lambda: Tabulated(np.array([0.1, 0.1]), np.array([1.0, 1.0])), "Omega"),
        (lambda: Tabulated(np.array([0.1, np.nan]), np.array([1.0, 1.0])), "Omega"),
        (lambda: Tabulated(np.array([0.1, 0.2]), np.array([np.nan, 1.0])), "a2F"),
        (lambda: Tabulated(np.array([-0.1, 0.2]), np.array([1.0, 1.0])), "Omega"),
        (lambda: Tabulated(np.array([0.1, 0.2]), np.array([1.0, 1.0, 1.0])), "a2F"),
        (lambda: Debye(-1.0, 0.3), "b"),
        (lambda: Debye(1.0, math.inf), "omega_D"),
        (lambda: Einstein(0.3, 0.1, 0.06), "width"),
        (lambda: Einstein(0.3, -0.1, 0.01), "lam"),
        (lambda: spectra.k3c60(lam_bath=-0.1), "lam_bath"),
        (lambda: spectra.k3c60(gap_start_meV=5.0), "acoustic_end_meV"),
        (lambda: spectra.k3c60(hg1_start_meV=20.0), "hg1_start_meV"),
        (lambda: spectra.k3c60(debye_meV=5.0), "debye_meV"),
    ],
)
def test_bad_spectra_are_rejected_naming_the_parameter(make: object, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        make()  # type: ignore[operator]


def test_k3c60_model_has_the_papers_features_and_stated_couplings() -> None:
    s = spectra.k3c60(OMEGA_MEV)
    p = spectra.K3C60_DEFAULTS
    assert set(spectra.K3C60_SOURCES) == set(p)

    def at(meV: float) -> float:
        return float(s(energy_from_meV(meV, OMEGA_MEV)))

    edge = at(p["acoustic_end_meV"])
    # Omega^2 rise (Kaplan's form) up to the acoustic/librational edge
    assert at(3.1) == pytest.approx(edge / 4, rel=0.01)
    # negligible coupling between 10 and 33 meV: the floor, a fraction gap_floor of the edge
    for meV in (10.0, 12.0, 20.0, 32.0):
        assert at(meV) == pytest.approx(p["gap_floor"] * edge, rel=1e-9)
    # Hg(1) from 33 meV, above everything else
    assert at(p["hg1_peak_meV"]) > 5 * edge
    assert at(36.0) == 0.0
    gap_end = energy_from_meV(p["gap_end_meV"], OMEGA_MEV)
    assert s.coupling(gap_end) == pytest.approx(p["lam_bath"], rel=1e-9)
    assert s.coupling() - s.coupling(gap_end) == pytest.approx(p["lam_hg1"], rel=1e-9)


def test_k3c60_overrides_move_features_and_rescale() -> None:
    base = spectra.k3c60(OMEGA_MEV)
    strong = spectra.k3c60(OMEGA_MEV, lam_bath=0.2, lam_hg1=0.1)
    W = np.linspace(0.0, 0.45, 200)
    np.testing.assert_allclose(strong(W), 2 * base(W), rtol=1e-12)
    moved = spectra.k3c60(OMEGA_MEV, hg1_start_meV=40.0, hg1_peak_meV=41.0, hg1_end_meV=42.0)
    assert moved(energy_from_meV(34.0, OMEGA_MEV)) == 0.0
    assert moved(energy_from_meV(41.0, OMEGA_MEV)) > 0.0
