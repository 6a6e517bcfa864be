"""Units, the Model, material presets and the pairing attraction of eq. 5."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from photosc import materials, units
from photosc.model import Model
from photosc.physics import pairing


def test_unit_conversions_are_consistent() -> None:
    assert units.THz_to_meV(22.0) == pytest.approx(90.985, abs=1e-3)  # h * 22 THz
    assert units.meV_to_K(1.0) == pytest.approx(11.6045, abs=1e-4)
    assert units.meV_to_THz(units.THz_to_meV(13.1)) == pytest.approx(13.1, rel=1e-14)
    omega = units.THz_to_meV(22.0)
    # one period of the 22 THz mode is 2 pi in internal time units
    assert units.time_to_ps(2 * math.pi, omega) == pytest.approx(1 / 22.0, rel=1e-12)
    assert units.temperature_from_K(units.temperature_to_K(0.3, omega), omega) == pytest.approx(0.3)
    assert units.rate_to_per_s(1.0, omega) == pytest.approx(2 * math.pi * 22e12, rel=1e-12)


def test_k3c60_preset_follows_appendix_d() -> None:
    m = materials.load("K3C60")
    assert m.omega_meV == pytest.approx(units.THz_to_meV(22.0))
    assert (m.g, m.nu, m.lam_eff) == pytest.approx((0.6, 0.603, 0.3))
    assert m.dE * m.omega_meV == pytest.approx(250.0)
    # the paper's slip: lam_eff = 0.3 with the cutoff at 22 THz gives T_c ~ 43 K, not 20 K
    assert m.Tc_K == pytest.approx(42.71, abs=0.01)
    assert materials.load("K3C60", Tc_K=20.0).Tc_K == pytest.approx(20.0, rel=1e-10)


def test_mott_renormalisation_keeps_lam_eff() -> None:
    m = materials.load("K3C60")
    r = materials.load("K3C60", Z=1 / 3.34)
    assert r.dE == pytest.approx(m.dE / 3.34) and r.nu == pytest.approx(m.nu * 3.34)
    assert r.lam_eff == pytest.approx(m.lam_eff, rel=1e-14)
    assert r.Tc == pytest.approx(m.Tc, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"dE": -1.0}, "dE"), ({"nu": 0.0}, "nu"), ({"U0": float("nan")}, "U0"),
     ({"g": -0.1}, "g"), ({"cutoff": 0.0}, "cutoff"), ({"omega_meV": float("inf")}, "omega_meV")],
)  # fmt: skip
def test_bad_models_are_rejected(kwargs: dict[str, float], name: str) -> None:
    params = {"dE": 2.0, "g": 0.6, "nu": 0.6, "U0": 0.5} | kwargs
    with pytest.raises(ValueError, match=name):
        Model(**params)


def test_unknown_material_and_override_are_rejected() -> None:
    with pytest.raises(ValueError, match="material"):
        materials.load("Nb3Sn")
    with pytest.raises(ValueError, match="overrides"):
        materials.load("K3C60", mass=3.0)
    with pytest.raises(ValueError, match="Z"):
        materials.load("K3C60", Z=2.0)


def test_attraction_limits_and_slope() -> None:
    dE, g, U0 = 2.7, 0.6, 0.5
    assert pairing.attraction(0.0, dE, g, U0) == U0
    assert pairing.attraction(1e8, dE, g, U0) == pytest.approx(U0 + g**2, rel=1e-12)
    # small Q: U - U0 = 4 g^4 Q^2 / dE^2 (second-order Schrieffer-Wolff)
    assert pairing.attraction(1e-4, dE, g, U0) - U0 == pytest.approx(4 * g**4 * 1e-8 / dE**2)
    Q = np.linspace(-3, 3, 13)
    h = 1e-6
    fd = (pairing.attraction(Q + h, dE, g, U0) - pairing.attraction(Q - h, dE, g, U0)) / (2 * h)
    np.testing.assert_allclose(pairing.attraction_slope(Q, dE, g), fd, rtol=1e-7, atol=1e-10)
    assert pairing.effective_splitting(1.0, 3.0, 2.0) == pytest.approx(5.0)


@given(st.floats(-10, 10), st.floats(0.1, 10), st.floats(0, 2), st.floats(0, 2))
def test_attraction_is_even_and_bounded(Q: float, dE: float, g: float, U0: float) -> None:
    U = pairing.attraction(Q, dE, g, U0)
    assert U == pairing.attraction(-Q, dE, g, U0)
    assert U0 <= U <= U0 + g**2 * (1 + 1e-15)


def test_oscillating_attraction_eq14() -> None:
    assert pairing.oscillating_attraction(0.5, 3.0, 0.6) == pytest.approx(4 * 0.6**4 * 9 * 0.5 / 64)
    with pytest.raises(ValueError, match="dE"):
        pairing.oscillating_attraction(0.5, 1.0, 0.6)


def test_model_accepts_numpy_scalars() -> None:
    m = Model(dE=np.int64(2), g=np.float32(0.5), nu=np.float64(0.6), U0=0.5)
    assert type(m.dE) is float and m.dE == 2.0 and m.g == pytest.approx(0.5)
