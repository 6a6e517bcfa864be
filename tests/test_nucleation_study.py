"""The inverse question of nucleation: the branch width needed for a lifetime, versus 1/Z."""

from __future__ import annotations

import numpy as np
import pytest

from photosc import materials
from photosc.physics import nucleation as nuc
from photosc.studies import nucleation as study
from photosc.studies.drive import RINGDOWN_PS, gamma_from_ringdown
from photosc.units import rate_to_per_s, temperature_from_K

#: d = 1 at 100 K: on K3C60's Mott path Q_MS decays (metastability I) only for 1/Z up to ~3.64,
#: and there uncoupled sites live ~5e-5 ns; tau(width) first dips (10 meV: 4.5e-5 ns) and
#: reaches only ~4e-4 ns at 200 meV, so no width gives 10 ns in d = 1: the round trip asks for
#: 1e-4 ns (the same root finding; measured widths 99 and 76 meV at 1/Z = 3.6 and 3.62).
TARGET_NS = 1e-4
K3C60 = materials.load("K3C60")


def _lifetime_ns(Z_inv: float, width_meV: float) -> float:
    """tau (ns) through ``physics.nucleation.lifetime``, independently of the study's kernel."""
    model = materials.load("K3C60", Z=1 / Z_inv)
    T = float(temperature_from_K(100.0, model.omega_meV))
    kappa = nuc.kappa_from_width(width_meV / model.omega_meV, 1)
    tau = nuc.lifetime(model, T, kappa, 1, gamma_from_ringdown(RINGDOWN_PS, model))
    return 1e9 / float(rate_to_per_s(1.0 / tau, model.omega_meV))


@pytest.mark.slow
def test_width_for_lifetime_gives_the_lifetime_back_and_falls_with_one_over_Z() -> None:
    needed = study.width_for_lifetime(K3C60, [3.6, 3.62], lifetime_ns=TARGET_NS, dim=1)
    widths = needed["width_meV"].values
    assert needed["width_meV"].attrs["units"] == "meV" and np.all(widths > 0)
    # deeper into the Mott regime F(Q_MS) - F(0) shrinks: a softer branch suffices
    assert widths[1] < widths[0]
    for z, w in zip((3.6, 3.62), widths, strict=True):
        # brentq stops within xtol + rtol * w = 1e-2 meV + 1e-3 w of the root: the target
        # lies between the lifetimes just inside and just outside that interval
        step = 2.0 * (1e-2 + 1e-3 * w)
        assert _lifetime_ns(z, w - step) < TARGET_NS < _lifetime_ns(z, w + step)


def test_width_for_lifetime_outside_metastability_one() -> None:
    """No metastable minimum (1/Z = 3): NaN; Q_MS stable (1/Z = 3.8, type II): width 0."""
    needed = study.width_for_lifetime(K3C60, [3.0, 3.8], dim=1)
    assert np.isnan(needed["width_meV"].values[0]) and needed["width_meV"].values[1] == 0.0


@pytest.mark.parametrize(
    ("kw", "word"), [({"lifetime_ns": 0.0}, "lifetime_ns"), ({"max_width_meV": -1.0}, "max_width")]
)
def test_width_for_lifetime_bad_input(kw: dict[str, float], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        study.width_for_lifetime(K3C60, [3.6], **kw)  # type: ignore[arg-type]


def test_width_for_lifetime_in_three_dimensions_stays_on_affordable_lattices() -> None:
    """d = 3 at 100 K, 1/Z = 3.6: the default search ends at MAX_WIDTH_MEV[3] = 30 meV (200 meV
    asked a 59^3 lattice and raised); no width up to it gives 10 ns (the saddles' fluctuation
    term exceeds E_c, module docstring of ``nucleation``): NaN, not an error."""
    needed = study.width_for_lifetime(K3C60, [3.6], dim=3)
    assert np.isnan(needed["width_meV"].values[0])
    assert study.MAX_WIDTH_MEV[3] == 30.0
    with pytest.raises(ValueError, match="dim"):
        study.width_for_lifetime(K3C60, [3.6], dim=4)


def test_map_points_beyond_the_lattice_bound_are_not_computed() -> None:
    """d = 3 at 100 K, 1/Z = 3.62, next to the first-order line: 30 meV asks a 27^3 lattice
    (182 s a saddle, measured), above MAP_MAX_SIDE[3] = 19; 1 meV a 7^3. The kernel computes the
    second and leaves the first NaN; ``lattice_sides`` says why (0 where nothing decays: 1/Z =
    3.7 is type II), and the width search stops where the nucleus stops fitting."""
    sides = study.lattice_sides(K3C60, [[3.62], [3.7]], [1.0, 30.0], T_K=100.0, dim=3)
    np.testing.assert_array_equal(sides, [[7, 27], [0, 0]])
    tau = study.lifetime_kernel(3.62, [1.0, 30.0], model=K3C60, T_K=100.0, dim=3, max_side=19)
    assert np.isfinite(tau[0]) and np.isnan(tau[1])
    bound = study._widest(K3C60, 3.62, 100.0, 3, study.MAX_WIDTH_MEV[3])
    assert 1.0 < bound < 30.0
    assert study.lattice_sides(K3C60, 3.62, bound, T_K=100.0, dim=3) <= study.MAP_MAX_SIDE[3]
    assert study.lattice_sides(K3C60, 3.62, 1.01 * bound, T_K=100.0, dim=3) > 19
    with pytest.raises(ValueError, match="dim"):
        study.lifetime_map(K3C60, [3.6], [1.0], dim=4)
    with pytest.raises(ValueError, match="dim"):
        study.lattice_sides(K3C60, 3.0, 1.0, T_K=100.0, dim=5)  # nothing decays there
