"""The sweep layer: resumable Zarr chunks, fingerprints, seeds, and real Dask clusters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr

from photosc import sweep
from photosc.studies.phase_diagram import phase_diagram

DE = np.linspace(0.3, 2.5, 12)
NU = np.linspace(0.5, 4.0, 6)


def _metastability(chunks: dict[str, int]) -> sweep.Sweep:
    return sweep.Sweep("metastability", {"dE": DE, "nu": NU}, chunks=chunks)


def _bytes(ds: object) -> dict[str, bytes]:
    return {str(k): v.values.tobytes() for k, v in ds.data_vars.items()}  # type: ignore[attr-defined]


def _done(store: Path) -> int:
    try:
        return int(np.sum(zarr.open_group(str(store), mode="r")[sweep.DONE][:]))
    except Exception:  # the store is being created or a marker is being written
        return 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The metastability sweep computed in-process, chunk by chunk."""
    run = sweep.run(_metastability({"dE": 3}), tmp_path_factory.mktemp("ref") / "s.zarr")
    return _bytes(run.dataset)


def test_in_process_equals_the_phase_diagram(reference: dict[str, bytes]) -> None:
    direct = phase_diagram(DE, NU)
    assert reference["T_B_K"] == direct["T_B_K"].values.tobytes()
    assert reference["kind"] == direct["kind"].values.tobytes()
    assert reference["Q_MS"] == direct["Q_MS"].values.tobytes()


@pytest.mark.parametrize("chunks", [{"dE": 1, "nu": 6}, {"dE": 5, "nu": 4}, {}])
def test_any_chunking_gives_the_same_bytes(
    chunks: dict[str, int], reference: dict[str, bytes], tmp_path: Path
) -> None:
    assert _bytes(sweep.run(_metastability(chunks), tmp_path / "s.zarr").dataset) == reference


def test_in_process_threads_give_the_same_bytes(
    reference: dict[str, bytes], tmp_path: Path
) -> None:
    # the metastability study runs on one thread (it holds the GIL); two threads, same numbers
    plan = _metastability({"dE": 3})
    assert plan.spec.threads == 1
    two = sweep.run(plan, tmp_path / "two.zarr", threads=2)
    assert _bytes(two.dataset) == reference
    for bad in (0, True):
        with pytest.raises(ValueError, match="threads"):
            sweep.run(plan, tmp_path / "bad.zarr", threads=bad)


def test_rerun_skips_finished_chunks_and_other_sweeps_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "s.zarr"
    plan = _metastability({"dE": 4})
    first = sweep.run(plan, store)
    assert (first.computed, first.skipped) == (3, 0)
    again = sweep.run(plan, store)
    assert (again.computed, again.skipped) == (0, 3)
    other = sweep.Sweep("metastability", {"dE": DE, "nu": NU}, {"g": 0.5}, {"dE": 4})
    with pytest.raises(ValueError, match=r"different sweep.*--restart"):
        sweep.run(other, store)
    assert sweep.run(other, store, restart=True).computed == 3


def test_in_memory_from_the_kept_blocks_is_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A whole run keeps its blocks and assembles the result from them; a resumed run (and a run
    # whose blocks exceed KEEP_BYTES) reads the store. Both must give the same dataset.
    store = tmp_path / "s.zarr"
    run = sweep.compute(phase_diagram(DE, NU, chunks={"dE": 5}), store)
    assert sorted(run.blocks) == [0, 1, 2]
    kept = run.in_memory()
    resumed = sweep.compute(phase_diagram(DE, NU, chunks={"dE": 5}), store)
    assert (resumed.computed, resumed.blocks) == (0, {})
    xr.testing.assert_identical(kept, resumed.in_memory())
    assert {k: v.dtype for k, v in kept.variables.items()} == {
        k: v.dtype for k, v in resumed.in_memory().variables.items()
    }
    monkeypatch.setattr(sweep, "KEEP_BYTES", 100)
    big = sweep.compute(phase_diagram(DE, NU, chunks={"dE": 5}), store, restart=True)
    assert big.blocks == {}
    restarted = big.in_memory().assign_attrs(created=kept.attrs["created"])  # a new run
    xr.testing.assert_identical(restarted, kept)


def test_chunk_files_are_the_bytes_zarr_writes(tmp_path: Path) -> None:
    # write_chunk encodes the chunk files itself; zarr writing the same blocks through its array
    # API into a twin store must produce the same files, full and edge chunks (5 + 5 + 2 rows),
    # float and int8 variables, and the done markers (zarr told to write chunks that hold only
    # the fill value too, as write_chunk does).
    lazy = phase_diagram(DE, NU, chunks={"dE": 5})
    computed = sweep.compute(lazy, tmp_path / "ours.zarr").in_memory()
    sweep.open_store(lazy, tmp_path / "zarr.zarr")
    with zarr.config.set({"array.write_empty_chunks": True}):
        twin = zarr.open_group(str(tmp_path / "zarr.zarr"), mode="r+")
        for name in lazy.data_vars:
            twin[str(name)][...] = computed[name].values
        twin[sweep.DONE][...] = 1
    for name in [*map(str, lazy.data_vars), sweep.DONE]:
        ours = {p.name: p.read_bytes() for p in (tmp_path / "ours.zarr" / name).glob("c.*")}
        theirs = {p.name: p.read_bytes() for p in (tmp_path / "zarr.zarr" / name).glob("c.*")}
        assert theirs and ours == theirs, name


def test_a_lost_chunk_is_recomputed_alone(reference: dict[str, bytes], tmp_path: Path) -> None:
    store = tmp_path / "s.zarr"
    plan = _metastability({"dE": 3})
    sweep.run(plan, store)
    root = zarr.open_group(str(store), mode="r+")
    root[sweep.DONE][2] = 0
    root["T_B_K"][6:9] = -1.0  # a chunk that was being written when the process died
    run = sweep.run(plan, store)
    assert (run.computed, run.skipped) == (1, 3)
    assert _bytes(run.dataset) == reference


def test_stochastic_points_are_seeded_by_index_not_by_chunk(tmp_path: Path) -> None:
    # Langevin ensembles of eq. 6 (8 trajectories each) at a K3C60-like point with a trapped
    # fraction strictly between 0 and 1, so that the noise matters.
    grid = {"amplitude": [1.0, 1.3, 2.0], "duration_ps": [0.5, 3.0]}
    fixed = {"T_K": 60.0, "dE": 0.75, "nu": 0.603 * 3.6, "sites": 30.0, "n_traj": 8.0}
    runs = [
        sweep.run(sweep.Sweep("drive_trapping", grid, fixed, chunks, seed=7), tmp_path / name)
        for name, chunks in (("a", {"amplitude": 1}), ("b", {"duration_ps": 1}))
    ]
    values = runs[0].dataset["trapped_fraction"].values
    assert np.any((values > 0) & (values < 1))
    assert _bytes(runs[0].dataset) == _bytes(runs[1].dataset)
    seeds = sweep.point_seeds(7, np.arange(6))
    assert len(set(seeds.tolist())) == 6
    assert np.array_equal(sweep.point_seeds(7, np.array([4, 1])), seeds[[4, 1]])


def test_spec_file(tmp_path: Path) -> None:
    spec = tmp_path / "tb.toml"
    spec.write_text(
        '[sweep]\nstudy = "metastability"\nmaterial = "K3C60"\nZ_inv = 3.6\n'
        '[grid]\ndE = "0.3:2.5:12"\ng = [0.5, 0.6]\n[chunks]\ndE = 4\n'
    )
    plan = sweep.from_toml(spec)
    assert plan.dims == ("dE", "g") and plan.n_chunks == 3
    assert plan.values()["nu"] == pytest.approx(0.603 * 3.6)
    assert np.array_equal(plan.grid["dE"], np.linspace(0.3, 2.5, 12))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[sweep]\nstudy = "nope"\n[grid]\ndE = [1.0]', "study must be one of"),
        ('[sweep]\nstudy = "metastability"\n[grid]\nbeta = [1.0]', "'beta' is not a parameter"),
        ('[sweep]\nstudy = "metastability"\n[grid]\ndE = [1.0]', "needs values for \\['nu'\\]"),
        ('[sweep]\nstudy = "metastability"\n[grid]\ndE = "1:2"\nnu = [1.0]', "start:stop:count"),
        ('[sweep]\nstudy = "metastability"\n[grid]\ndE = [1.0]\nnu = [1.0]\n[fixed]\nnu = 2.0',
         "both swept and fixed"),
        ('[sweep]\nstudy = "metastability"\n[grid]\ndE = [1.0]\nnu = [1.0]\n[chunks]\nnu = 0',
         "must be an integer >= 1"),
        ('[sweep]\nstudy = "metastability"\nsed = 1\n[grid]\ndE = [1.0]', "unknown keys"),
        ("[sweep\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_bad_specs_name_the_problem(text: str, message: str, tmp_path: Path) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    with pytest.raises(ValueError, match=message):
        sweep.from_toml(spec)


def test_plain_progress_prints_one_line_per_ten_percent(capsys: pytest.CaptureFixture) -> None:
    log = sweep.progress_printer("pd")
    log(3, 40)
    for done in range(4, 41):
        log(done, 40)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "pd: resuming, 3 of 40 chunks already done"
    assert [line.split("(")[1] for line in lines[1:]] == [f"{p}%)" for p in range(10, 101, 10)]


def test_kill_9_mid_sweep_then_resume_computes_only_the_missing_chunks(tmp_path: Path) -> None:
    spec = tmp_path / "pd.toml"
    spec.write_text(
        '[sweep]\nstudy = "metastability"\n[grid]\ndE = "0.3:2.5:80"\nnu = "0.5:4:6"\n'
        "[chunks]\ndE = 2\n"
    )
    store = tmp_path / "out" / "pd.zarr"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from photosc.cli import main; main()", "sweep", str(spec),
         "--out", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while _done(store) < 4 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    at_kill = _done(store)
    assert 4 <= at_kill < 40, f"the sweep was not interrupted mid-way ({at_kill} of 40 done)"
    plan = sweep.from_toml(spec)
    resumed = sweep.run(plan, store)
    assert resumed.skipped == at_kill and resumed.computed == 40 - at_kill
    whole = sweep.run(plan, tmp_path / "whole.zarr")
    assert _bytes(resumed.dataset) == _bytes(whole.dataset)


@pytest.mark.slow
def test_local_clusters_one_and_two_workers_and_a_killed_worker(
    reference: dict[str, bytes], tmp_path: Path
) -> None:
    from distributed import Client, LocalCluster

    plan = _metastability({"dE": 2, "nu": 3})  # 12 chunks
    one = sweep.run(plan, tmp_path / "one.zarr", workers=1)
    assert _bytes(one.dataset) == reference
    store = tmp_path / "two.zarr"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        victim = next(iter(client.run(os.getpid).values()))
        at_kill = []

        def kill_one_worker() -> None:
            while _done(store) < 2:
                time.sleep(0.002)
            os.kill(victim, signal.SIGKILL)
            at_kill.append(_done(store))

        killer = threading.Thread(target=kill_one_worker, daemon=True)
        killer.start()
        two = sweep.run(plan, store, scheduler=client)
        killer.join(timeout=60)
        assert not killer.is_alive() and at_kill[0] < 12, "the worker died after the sweep"
        assert victim not in client.run(os.getpid).values()  # the nanny started a new one
    assert two.computed == 12
    assert _bytes(two.dataset) == reference


def test_escape_batches_are_the_ensembles_of_escape_times(tmp_path: Path) -> None:
    from photosc import materials
    from photosc.studies import drive

    model = materials.load("K3C60", Z=1 / 3.6)
    fixed = {"T_K": 100.0, "sites": 3.0, "n_traj": 64.0, "dE": model.dE, "nu": model.nu}
    plan = sweep.Sweep("escape", {"batch": [0.0, 1.0]}, fixed, {"batch": 1}, seed=3)
    ds = sweep.run(plan, tmp_path / "e.zarr").dataset
    for b, seed in enumerate(sweep.point_seeds(3, np.arange(2))):
        direct = drive.escape_times(model, 100.0, sites=3.0, n_traj=64, seed=int(seed))
        te = direct["escape_time"].values
        assert ds["n_escaped"].values[b] == np.isfinite(te).sum() > 0
        exposure = np.where(np.isfinite(te), te, direct.attrs["t_end_ps"]).sum()
        assert ds["exposure_ps"].values[b] == exposure
    rows = plan.spec.summary(ds)  # type: ignore[misc]
    rate = float(ds["n_escaped"].sum() / ds["exposure_ps"].sum()) * 1e12
    assert rows["lifetime"] == f"{1e9 / rate:.4g} ns"


def test_phase_diagram_command_resumes_from_its_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from photosc.cli import main

    argv = ["phase-diagram", "--dE", "0.3:2.5:6", "--nu", "0.5:4:4", "--chunk", "2",
            "--out", str(tmp_path)]  # fmt: skip
    main(argv)
    first = xr.open_dataset(tmp_path / "phase_diagram.nc").load()
    capsys.readouterr()
    main(argv)
    assert "resuming, 3 of 3 chunks already done" in capsys.readouterr().out
    again = xr.open_dataset(tmp_path / "phase_diagram.nc").load()
    assert first["T_B_K"].identical(again["T_B_K"]) and first["kind"].identical(again["kind"])
    with pytest.raises(SystemExit) as exc:
        main([*argv[:-2], "--g", "0.5", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "different sweep" in capsys.readouterr().err
    main([*argv[:-2], "--g", "0.5", "--restart", "--out", str(tmp_path)])


def test_sweep_command_with_a_missing_spec_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from photosc.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["sweep", "no-such-spec.toml"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not found" in err


def test_catalogue_studies_are_their_study_functions(tmp_path: Path) -> None:
    from photosc import materials
    from photosc.physics import bcs, spectra
    from photosc.studies import kinetics, trapping
    from photosc.studies.quasiparticle_kinetics import half_life_kernel
    from photosc.units import temperature_from_K

    m = materials.load("K3C60")
    model = {"dE": m.dE, "nu": m.nu}
    T = np.array([30.0, 60.0])
    T_int = np.asarray(temperature_from_K(T, m.omega_meV))

    gap = sweep.run(
        sweep.Sweep("trapped_gap", {"n_star": [1e-3, 1e-2], "T_K": T}, {"nu": m.nu}),
        tmp_path / "g.zarr",
    ).dataset
    delta, lam = bcs.trapped_gap(np.array([[1e-3], [1e-2]]), m.U0, T_int, m.nu)
    assert np.array_equal(gap["Delta_tr"].values, delta)
    assert np.array_equal(gap["lam"].values, lam, equal_nan=True)

    protocol = sweep.run(
        sweep.Sweep("trapping_protocol", {"Q_star": [2.0, 3.0], "T_K": T}, model),
        tmp_path / "p.zarr",
    ).dataset
    state = trapping.trapped_state(m, [2.0, 3.0], T_int)
    assert np.allclose(protocol["Delta_tr"].values, state["delta_tr"].values, rtol=1e-12)

    life = sweep.run(
        sweep.Sweep("trap_lifetime", {"T_K": T}, {**model, "Q_star": 3.0}), tmp_path / "l.zarr"
    ).dataset
    direct = kinetics.lifetimes(m, spectra.k3c60(m.omega_meV), T_int, 3.0)
    assert np.array_equal(life["half_life_ns"].values, direct["half_life"].values)

    kinetic = sweep.run(
        sweep.Sweep("kinetic_half_life", {"T_K": [50.0]}, {**model, "points": 64.0}),
        tmp_path / "k.zarr",
    ).dataset
    alone = half_life_kernel(50.0, 0.0, 0.01, model=m, Q_star=3.0, points=64)
    assert float(kinetic["half_life_ns"][0]) == alone > 0


def test_catalogue_nucleation_lifetime_is_the_study_kernel(tmp_path: Path) -> None:
    from photosc import materials
    from photosc.studies.nucleation import lifetime_kernel

    m = materials.load("K3C60", Z=1 / 3.6)
    plan = sweep.Sweep(
        "nucleation_lifetime", {"width_meV": [10.0]}, {"T_K": 100.0, "dE": m.dE, "nu": m.nu,
                                                       "dim": 1.0},
    )  # fmt: skip
    tau = float(sweep.run(plan, tmp_path / "n.zarr").dataset["tau_ns"][0])
    assert (
        tau
        == float(lifetime_kernel(3.6, 10.0, model=materials.load("K3C60"), T_K=100.0, dim=1))
        > 0
    )
