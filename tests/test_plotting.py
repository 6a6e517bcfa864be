"""The figure style: symbols in labels, bounded log axes, atomic PNG writes with the material
stamped on, colour scales that say when they clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from photosc import materials
from photosc.plotting import label, log_limits, pretty, save
from photosc.plotting import landscape as plots
from photosc.studies import landscape as study


def test_labels_use_symbols() -> None:
    var = xr.DataArray([1.0], attrs={"long_name": "level splitting Delta E", "units": "hbar*omega"})
    assert label(var) == "level splitting ΔE [ħω]"
    assert pretty("Q [l0], nu(0), lambda, alpha^2F") == "Q [ℓ₀], ν(0), λ, α²F"
    assert label(xr.DataArray([1.0], attrs={"long_name": "kind", "units": "1"})) == "kind"


def test_log_limits_show_the_data_not_88_decades() -> None:
    lo, hi = log_limits([1e-4, 1e-2, 1e88], keep=[10.0])
    assert lo == pytest.approx(1e-4 / 3) and hi == pytest.approx(lo * 1e12)
    assert log_limits([1.0, 100.0]) == pytest.approx((1 / 3, 300.0))
    assert log_limits([np.nan, np.inf]) == (1e-3, 1e3)  # nothing to show: a neutral range


def test_save_is_atomic_and_stamped(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    path = save(fig, tmp_path / "a.png", stamp="K3C60, Z = 0.3")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig.get_suptitle() == "K3C60, Z = 0.3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]  # no temporary left


def test_free_energy_surface_says_when_it_clips() -> None:
    model = materials.load("K3C60", Z=1 / 3.39)
    ds = study.free_energy_surface(model, np.linspace(0, 0.8, 21), np.linspace(0, 0.5, 17))
    fig, _ = plots.free_energy_surface(ds, top_meV=1.0)
    colorbar = fig.axes[-1]
    assert "top colour" in colorbar.get_ylabel()
    fig, _ = plots.free_energy_surface(ds, top_meV=1e6)  # nothing clipped: plain label
    assert fig.axes[-1].get_ylabel() == "F(Q, Δ) [meV]"
