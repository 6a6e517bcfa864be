"""The commands whose maps run through the sweep layer: the store is written into --out and a
re-run resumes from it (no chunk computed again) with the same numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr

from photosc import sweep
from photosc.cli import main

K3C60 = ["K3C60", "--Z-inv", "3.6"]

#: command line, its store, its NetCDF, the chunks (one per temperature, amplitude, ...)
COMMANDS = {
    "trap": (
        ["trap", *K3C60, "--T-K", "60,100", "--Q-star", "0:5:3", "--n-points", "10"],
        "trapped_state.zarr", "trapped_state.nc", 2,
    ),
    "lifetime": (
        ["lifetime", *K3C60, "--T-K", "60:140:3"], "lifetimes.zarr", "lifetimes.nc", 3,
    ),
    "adiabaticity": (
        ["adiabaticity", "K3C60", "--T-K", "100", "--ringdown-ps", "0.5", "--map-ringdown-ps",
         "0.3,0.5", "--map-Q-star", "3", "--no-driven", "--switch-off-fs", ""],
        "adiabaticity_map_ringing.zarr", "adiabaticity_map_ringing.nc", 2,
    ),
    "kinetics": (
        ["kinetics", "K3C60", "--T-K", "100", "--after-ps", "2", "--points", "64",
         "--gap-floors", "0,1"],
        "window_sweep.zarr", "window_sweep.nc", 2,
    ),
    "drive": (
        ["drive", *K3C60, "--T-K", "100", "--n-traj", "2"], "trapping_map.zarr",
        "trapping_map.nc", 6,
    ),
}  # fmt: skip
SLOW = {"kinetics", "drive", "adiabaticity"}  # 10-15 s a run: trajectories, 30 pulses, releases


def _variables(path: Path) -> dict[str, bytes]:
    with xr.open_dataset(path) as ds:
        return {str(k): v.values.tobytes() for k, v in ds.variables.items()}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in COMMANDS]
)
def test_command_writes_its_store_and_resumes_from_it(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, store, netcdf, chunks = COMMANDS[name]
    out = tmp_path / name
    main([*argv, "--out", str(out)])
    done = zarr.open_group(str(out / store), mode="r")[sweep.DONE][:]
    assert done.size == chunks and np.all(done == 1)
    first = _variables(out / netcdf)
    capsys.readouterr()
    main([*argv, "--out", str(out)])
    assert f"resuming, {chunks} of {chunks} chunks already done" in capsys.readouterr().out
    assert _variables(out / netcdf) == first


def test_an_interrupted_map_computes_only_its_missing_chunks(tmp_path: Path) -> None:
    """A store with one chunk lost (marker reset) is completed by computing that chunk alone,
    with the numbers of the plain, unchunked map."""
    from photosc import materials
    from photosc.studies import trapping
    from photosc.units import temperature_from_K

    m = materials.load("K3C60", Z_inv=3.6)
    T = temperature_from_K(np.array([40.0, 80.0, 120.0]), m.omega_meV)
    Q = np.linspace(0.0, 5.0, 4)
    store = tmp_path / "s.zarr"
    sweep.compute(trapping.trapped_state(m, Q, T, chunks={"T": 1}), store)
    zarr.open_group(str(store), mode="r+")[sweep.DONE][1] = 0
    run = sweep.compute(trapping.trapped_state(m, Q, T, chunks={"T": 1}), store)
    assert (run.computed, run.skipped) == (1, 2)
    plain = trapping.trapped_state(m, Q, T)
    resumed = run.in_memory()
    for k in plain.data_vars:
        assert resumed[k].values.tobytes() == plain[k].values.tobytes(), k
        assert resumed[k].dims == plain[k].dims and resumed[k].attrs == plain[k].attrs
    assert resumed["T_K"].identical(plain["T_K"])  # a non-index coordinate stays one


def test_a_different_spectrum_is_a_different_sweep(tmp_path: Path) -> None:
    """Not every argument is in a dataset's attrs (the spectrum of lifetimes): the fingerprint
    takes dask's tokens of the kernels and their arguments too."""
    from photosc import materials
    from photosc.physics import spectra
    from photosc.studies import kinetics

    m = materials.load("K3C60", Z_inv=3.6)
    T = np.array([0.05])
    base = kinetics.lifetimes(m, spectra.k3c60(m.omega_meV), T, 3.0, chunks=1)
    other = kinetics.lifetimes(m, spectra.k3c60(m.omega_meV, lam_bath=0.05), T, 3.0, chunks=1)
    assert sweep.fingerprint(base) == sweep.fingerprint(
        kinetics.lifetimes(m, spectra.k3c60(m.omega_meV), T, 3.0, chunks=1)
    )
    assert sweep.fingerprint(base) != sweep.fingerprint(other)
