"""The material presets: a source for every number, the [spectrum] and [kaplan] tables, and a
user TOML file carrying its own alpha^2 F file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photosc import materials
from photosc.physics import spectra
from photosc.physics.spectra_readers import UNIT_TO_MEV, read_table


@pytest.mark.parametrize("name", materials.available())
def test_every_number_has_a_source(name: str) -> None:
    data = materials.read(name)
    sources = data["sources"]
    for key in data["parameters"]:
        assert key in sources, f"{name}: no source for parameters.{key}"
    for key in data.get("kaplan", {}):
        assert f"kaplan.{key}" in sources, f"{name}: no source for kaplan.{key}"
    if "spectrum" in data:
        assert "spectrum.file" in sources


def test_fallback_is_the_k3c60_model_spectrum() -> None:
    w = materials.load("Cs3C60").omega_meV
    assert materials.spectrum("Cs3C60") == spectra.k3c60(w)


def test_user_toml_with_its_own_spectrum_file(tmp_path: Path) -> None:
    """[spectrum] file relative to the TOML; Omega in units of the material's omega."""
    w = np.linspace(0.0, 40.0, 401)
    (tmp_path / "x.a2F").write_text(
        "# Omega [meV]\n" + "".join(f"{a} {0.01 * a * np.exp(-a / 8)}\n" for a in w)
    )
    base = (Path(materials.__file__).parent / "K3C60.toml").read_text()
    toml = tmp_path / "X.toml"
    toml.write_text(base + '\n[spectrum]\nfile = "x.a2F"\nformat = "columns"\n')
    a2F = materials.spectrum(str(toml))
    omega_meV = materials.load(str(toml)).omega_meV
    np.testing.assert_allclose(a2F.knots * omega_meV, w, rtol=1e-12)
    bad = tmp_path / "Y.toml"
    bad.write_text(base + '\n[spectrum]\nfile = "x.a2F"\ncolour = "red"\n')
    with pytest.raises(ValueError, match=r"\[spectrum\] unknown key .colour."):
        materials.spectrum(str(bad))


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 10.0), min_size=3, max_size=40),
    unit=st.sampled_from(["meV", "THz", "cm-1", "Ry"]),
)
def test_two_column_roundtrip(
    tmp_path_factory: pytest.TempPathFactory, values: list[float], unit: str
) -> None:
    """Any non-negative alpha^2 F on an increasing grid reads back as written (repr round-trip)."""
    tmp = tmp_path_factory.mktemp("rt")
    Omega = np.cumsum(np.ones(len(values))) * 0.5
    y = np.array(values)
    if not np.any(y[Omega > 0] > 0):
        y[1] = 1.0
    path = tmp / "t.txt"
    path.write_text("".join(f"{float(a)!r} {float(b)!r}\n" for a, b in zip(Omega, y, strict=True)))
    t = read_table(path, format="columns", unit=unit)
    np.testing.assert_array_equal(t.a2F, y)
    np.testing.assert_allclose(t.Omega_meV, Omega * UNIT_TO_MEV[unit], rtol=1e-15)
