"""photosc nucleation: a small run writes its files; bad input is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from photosc import materials
from photosc.cli import main
from photosc.studies.nucleation import lifetime_kernel


def test_nucleation_writes_nucleus_and_figure(tmp_path: Path) -> None:
    out = tmp_path / "n"
    main(["nucleation", "K3C60", "--Z-inv", "3.6", "--T-K", "100", "--dim", "1",
          "--width-meV", "200", "--no-curve", "--out", str(out)])  # fmt: skip
    ds = xr.open_dataset(out / "nucleus.nc")
    assert ds["r_nm"].attrs["units"] == "nm" and ds.attrs["E_c"] > 0
    assert ds.attrs["cluster_sites"] >= 1  # at least the site on the barrier
    assert (out / "nucleus_profile.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dim", "4"], "dim"),
        (["--width-meV", "1", "--kappa", "0.1"], "either --width-meV or --kappa"),
        (["--kappa", "-1"], "kappa"),
        (["--T-K", "50"], "stable state"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["nucleation", "K3C60", "--Z-inv", "3.6", "--out", str(tmp_path / "x"), *extra]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and message in err and "\n" not in err
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_map_goes_through_the_sweep_store(tmp_path: Path) -> None:
    out = tmp_path / "m"
    main(["nucleation", "K3C60", "--Z-inv", "3.6", "--T-K", "100", "--dim", "1", "--set",
          "g=0.59", "--width-meV", "200", "--no-curve", "--map", "--out", str(out)])  # fmt: skip
    saved = xr.open_dataset(out / "lifetime_map.nc")
    tau = saved["tau_ns"]
    # the map is of the model asked for (overrides kept), Mott-renormalised along 1/Z
    assert saved.attrs["model_g"] == 0.59
    alone = lifetime_kernel(3.5, 1.0, model=materials.load("K3C60", g=0.59), T_K=100.0, dim=1)
    assert tau.values[0, 0] == alone
    assert tau.attrs["units"] == "ns" and tau.dims == ("Z_inv", "width_meV")
    assert tau["Z_inv"].values[0] == pytest.approx(3.5) and tau["width_meV"].attrs["units"] == "meV"
    needed = xr.open_dataset(out / "width_for_10ns.nc")["width_meV"]
    assert needed.attrs["units"] == "meV" and needed.sizes["Z_inv"] == tau.sizes["Z_inv"]
    assert (out / "lifetime_map.zarr").is_dir() and (out / "lifetime_map.png").stat().st_size > 0
