"""photosc adiabaticity MATERIAL: is the release of the trapping protocol adiabatic for the
electrons? Collisionless BCS under U(Q(t))."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import numpy as np

    from photosc.model import Model

from photosc.cli._common import (
    Material,
    OutOption,
    RestartOption,
    SchedulerOption,
    SetOption,
    TKOption,
    WorkersOption,
    ZInvOption,
    ZOption,
    checked_value,
    load_model,
)


def command(
    material: Material,
    T_K: TKOption = "100",
    ringdown_ps: Annotated[
        float, typer.Option("--ringdown-ps", help="Ring-down time of Q for the traces, ps.")
    ] = 10.0,
    Q_star: Annotated[float, typer.Option("--Q-star", help="Held displacement Q*, l0.")] = 3.0,
    map_ringdown_ps: Annotated[
        str, typer.Option("--map-ringdown-ps", help="Ring-down times of the map, ps (list/range).")
    ] = "1,3,10,30",
    map_Q_star: Annotated[
        str, typer.Option("--map-Q-star", help="Held displacements of the map, l0 (list/range).")
    ] = "2,3,4,5",
    do_map: Annotated[
        bool, typer.Option("--map/--no-map", help="Map n_exc over ring-down time x Delta*.")
    ] = True,
    switch_off_fs: Annotated[
        str,
        typer.Option(
            "--switch-off-fs",
            help="Switch-off times of the holding force, fs (list/range; '' for none).",
        ),
    ] = "10,30,100,300,1000,3000",
    do_driven: Annotated[
        bool,
        typer.Option("--driven/--no-driven", help="Also follow a driven trajectory of eq. 6."),
    ] = True,
    path_Z_inv: Annotated[
        float | None,
        typer.Option(
            "--path-Z-inv",
            help="1/Z of the driven path point (default: the model if metastable, else 0.25 "
            "past the onset of metastability on its Mott path).",
        ),
    ] = None,
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/adiabaticity"),
) -> None:
    """Release Q from Q* (held at T) over a ring-down and follow the electrons with the
    collisionless time-dependent BCS equations: the quasi-particles n_exc the change of U(Q(t))
    creates, against the thermal n* of the protocol and the n_loss at which the trapped gap is
    lost. Two releases: "ringing" (the free Raman oscillation at omega, U(Q) at 2 omega) and
    "monotonic" (Q* e^-t/tau). Writes release_<protocol>_<T>K.nc/.png, excitations_<T>K.png,
    spectrum_<T>K.png (n_exc over the levels), switch_off_<T>K.nc/.png (n_exc against the time
    over which the holding force is switched off),
    with --map adiabaticity_map_<protocol>.nc and map_<protocol>_<T>K.png (computed one ring-down
    time at a time into --out/adiabaticity_map_<protocol>.zarr: an interrupted run resumes),
    with --driven driven.nc/.png.

    Example: photosc adiabaticity K3C60 --T-K 100 --ringdown-ps 10 --Q-star 3
    """
    from photosc.cli._common import (
        check_executor,
        check_out,
        check_size,
        check_temperatures_K,
        parse_values,
        staged_output,
    )

    check_executor(workers, scheduler)
    temps = parse_values(T_K, "T-K", minimum=0, unit="K")
    checked_value(Q_star, "Q-star")
    checked_value(ringdown_ps, "ringdown-ps", 0.01, unit="ps")
    taus = parse_values(map_ringdown_ps, "map-ringdown-ps", minimum=0.01, unit="ps")
    Qs = parse_values(map_Q_star, "map-Q-star")
    offs = None
    if switch_off_fs:
        offs = parse_values(switch_off_fs, "switch-off-fs", minimum=0.01, unit="fs")
    if path_Z_inv is not None:
        checked_value(path_Z_inv, "path-Z-inv", 1.0)
    check_out(out)
    model = load_model(material, Z, Z_inv, overrides)
    check_temperatures_K(model, temps)
    check_size("adiabaticity", _largest_run_bytes(model, ringdown_ps, taus, offs, do_map), _ADVICE)
    sweep_options = {"workers": workers, "scheduler": scheduler, "restart": restart}
    with staged_output(out) as stage:
        _run(
            model, temps, ringdown_ps, Q_star, taus, Qs, offs, do_map, do_driven, path_Z_inv, stage,
            out, sweep_options,
        )  # fmt: skip
    print(f"Written to {out}/")


_ADVICE = "shorter ring-down or switch-off times"


def _largest_run_bytes(
    model: Model, ringdown_ps: float, taus: np.ndarray, offs: np.ndarray | None, do_map: bool
) -> float:
    """Memory of the longest collisionless run: 6 arrays of levels, 4 of steps (~10 per 1/omega)."""
    from photosc.studies.adiabaticity import RELEASE_EFOLDS, levels_for
    from photosc.units import time_from_ps

    longest_ps = max(ringdown_ps, float(taus.max()) if do_map else 0.0)
    t_end = RELEASE_EFOLDS * float(time_from_ps(longest_ps, model.omega_meV))
    if offs is not None:
        t_end += float(time_from_ps(float(offs.max()) * 1e-3, model.omega_meV))
    return 8.0 * (6 * levels_for(t_end, model.cutoff) + 4 * 10 * t_end)


def _run(
    model: Model,
    temps: np.ndarray,
    ringdown_ps: float,
    Q_star: float,
    taus: np.ndarray,
    Qs: np.ndarray,
    offs: np.ndarray | None,
    do_map: bool,
    do_driven: bool,
    path_Z_inv: float | None,
    out: Path,
    stores: Path,
    sweep_options: dict[str, Any],
) -> None:
    """The runs, written into ``out``; the maps' Zarr stores go to ``stores``."""
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import swept
    from photosc.io import save_dataset
    from photosc.plotting import adiabaticity as plots
    from photosc.plotting import save, talk_style
    from photosc.studies import adiabaticity

    table = Table(title=f"Release from Q* = {Q_star:g} l0, ring-down {ringdown_ps:g} ps")
    for col in ("T [K]", "Delta* [meV]", "n*", "n_loss", "n_exc ringing", "n_exc monotonic"):
        table.add_column(col, justify="right")
    for T in temps:
        runs = {
            p: adiabaticity.release(model, Q_star, float(T), ringdown_ps, p)
            for p in adiabaticity.PROTOCOLS
        }
        for p, ds in runs.items():
            save_dataset(ds, out / f"release_{p}_{T:.0f}K.nc")
        a = runs["ringing"].attrs
        with talk_style():
            save(plots.release_gap(runs["ringing"])[0], out / f"release_ringing_{T:.0f}K.png")
            save(plots.release_gap(runs["monotonic"])[0], out / f"release_monotonic_{T:.0f}K.png")
            save(plots.release_excitations(runs)[0], out / f"excitations_{T:.0f}K.png")
            fig = plots.excitation_spectrum(runs, model.omega_meV)[0]
            save(fig, out / f"spectrum_{T:.0f}K.png")
        table.add_row(
            f"{T:g}",
            f"{a['delta_star_meV']:.2f}",
            f"{a['n_star']:.3g}",
            f"{a['n_loss']:.3g}",
            f"{a['n_exc_final']:.3g}",
            f"{runs['monotonic'].attrs['n_exc_final']:.3g}",
        )
    console = Console()
    console.print(table)
    if offs is not None:
        for T in temps:
            scan = adiabaticity.switch_off_scan(model, Q_star, float(T), ringdown_ps, offs)
            save_dataset(scan, out / f"switch_off_{T:.0f}K.nc")
            with talk_style():
                save(plots.switch_off(scan)[0], out / f"switch_off_{T:.0f}K.png")
            pairs = ", ".join(
                f"{o:g} fs: {n:.2g}" for o, n in zip(offs, scan["n_exc"].values, strict=True)
            )
            console.print(f"n_exc against the switch-off time at {T:g} K: {pairs}")
    if do_map:
        for p in adiabaticity.PROTOCOLS:
            lazy = adiabaticity.adiabaticity_map(model, taus, Qs, temps, protocol=p, chunks=1)
            grid = swept(lazy, stores / f"adiabaticity_map_{p}.zarr", f"map ({p})", **sweep_options)
            save_dataset(grid, out / f"adiabaticity_map_{p}.nc")
            with talk_style():
                for T in temps:
                    save(plots.excitation_map(grid, float(T))[0], out / f"map_{p}_{T:.0f}K.png")
            worst = float(np.nanmax(grid["loss_fraction"].values, initial=0.0))
            console.print(f"{p}: largest n_exc/(n_loss - n*) on the map = {worst:.3g}")
    if do_driven:
        path = _path_model(model, path_Z_inv)
        T_drive = float(temps[-1])
        if path is None or not _metastable_at(path, T_drive):
            console.print(f"driven: no metastable minimum at {T_drive:g} K on the path; skipped")
        else:
            ds = adiabaticity.driven(path, T_drive)
            save_dataset(ds, out / "driven.nc")
            with talk_style():
                save(plots.driven_gap(ds)[0], out / "driven.png")
            console.print(
                f"driven at 1/Z = {path.nu / model.nu:.3g}, {T_drive:g} K: n* = "
                f"{ds.attrs['n_star']:.3g}, n_exc at the end = {ds.attrs['n_exc_final']:.3g} "
                "per site"
            )


def _metastable_at(model: Model, T_K: float) -> bool:
    import numpy as np

    from photosc.physics import landscape
    from photosc.units import temperature_from_K

    T = float(temperature_from_K(T_K, model.omega_meV))
    return bool(np.isfinite(landscape.critical_points(model, T).Q_MS))


def _path_model(model: Model, path_Z_inv: float | None) -> Model | None:
    """The model at 1/Z = path_Z_inv, or itself if metastable, or 0.25 past its Mott onset."""
    import numpy as np

    from photosc.physics import landscape
    from photosc.studies.phase_diagram import mott_onsets

    if path_Z_inv is not None:
        return model.renormalized(1 / path_Z_inv)
    if np.isfinite(landscape.untrapping_temperature(model)):
        return model
    onset, _ = mott_onsets(model)
    return None if not np.isfinite(onset) else model.renormalized(1 / round(onset + 0.25, 2))
