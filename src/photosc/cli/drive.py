"""photosc drive MATERIAL: a laser pulse pushes Q over the barrier (eq. 6); does it stay trapped?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photosc.cli._common import (
    Material,
    OutOption,
    RestartOption,
    SchedulerOption,
    SetOption,
    WorkersOption,
    ZInvOption,
    ZOption,
    check_executor,
    check_out,
    check_size,
    checked_value,
    load_model,
    staged_output,
    swept,
)

#: Rough cost of one BAOAB step of one trajectory on one core, for the time estimate (s).
_SECONDS_PER_STEP = 2e-8


def _estimate_steps(
    omega_meV: float,
    duration_ps: float | None,
    rise_ps: float,
    ringdown_ps: float,
    carrier_THz: float,
    shape: str,
) -> float:
    """Time steps of the run (pulse, then 3/gamma to settle; dt = 0.05/omega or 0.05/carrier),
    as ``drive_trajectories`` will take them, from the options alone (units: see ``command``)."""
    from photosc.units import THz_to_meV, meV_to_inverse_ps

    per_ps = float(meV_to_inverse_ps(omega_meV))  # 1/omega per ps
    gamma = 2.0 / (ringdown_ps * per_ps)
    duration = max(2.0 * per_ps, 4.0 / gamma) if duration_ps is None else duration_ps * per_ps
    end = 3.0 * rise_ps * per_ps + duration if shape == "flat" else 3.6 * duration
    carrier = float(THz_to_meV(carrier_THz)) / omega_meV
    dt = 0.05 if carrier == 0 else min(0.05, 0.05 / carrier)
    return (end + 3.0 / gamma) / dt


def command(
    material: Material,
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    T_K: Annotated[float, typer.Option("--T-K", help="Bath temperature in K.")] = 100.0,
    amplitude: Annotated[
        float,
        typer.Option(
            help="Plateau z E0^2 in units of the largest restoring force on [0, Q_B] "
            "(> 1 pulls Q over the barrier)."
        ),
    ] = 1.25,
    duration_ps: Annotated[
        float | None,
        typer.Option(help="Plateau (flat) or FWHM (gauss) in ps; default max(2 ps, 4/gamma)."),
    ] = None,
    rise_ps: Annotated[float, typer.Option(help="Ramp time of the flat-top pulse, ps.")] = 1.0,
    shape: Annotated[str, typer.Option(help="Pulse envelope: flat or gauss.")] = "flat",
    carrier_THz: Annotated[
        float, typer.Option("--carrier-THz", help="Carrier frequency of E(t), THz (0: none).")
    ] = 0.0,
    ringdown_ps: Annotated[
        float, typer.Option(help="Amplitude ring-down time of the mode, ps (gamma = 2/ringdown).")
    ] = 10.0,
    sites: Annotated[
        float | None,
        typer.Option(help="Sites moving together (default 1: eq. 6 for each site alone)."),
    ] = None,
    n_traj: Annotated[int, typer.Option(help="Trajectories in the ensemble.")] = 64,
    seed: Annotated[int, typer.Option(help="Seed of the noise.")] = 0,
    threads: Annotated[
        int, typer.Option(help="Threads for the ensembles (the numbers do not depend on it).")
    ] = 1,
    trapping_map: Annotated[
        bool, typer.Option("--map/--no-map", help="Also map trapping over amplitude x duration.")
    ] = True,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/drive"),
) -> None:
    """Drive the Raman coordinate with a pulse and follow it: trajectories, gap, trapped fraction,
    and the lifetime of the metastable state versus T. The trapping map goes to
    --out/trapping_map.zarr one amplitude at a time (an interrupted run resumes).

    Example: photosc drive K3C60 --Z-inv 3.6 --T-K 100 --amplitude 1.5 --duration-ps 20
    """
    check_executor(workers, scheduler)
    if shape not in ("flat", "gauss"):
        raise ValueError(f"--shape must be 'flat' or 'gauss', got --shape {shape!r}")
    checked_value(T_K, "T-K", minimum=0, unit="K")
    checked_value(amplitude, "amplitude", minimum=0)
    if duration_ps is not None:
        checked_value(duration_ps, "duration-ps", minimum=0, strict=True, unit="ps")
    checked_value(rise_ps, "rise-ps", minimum=0, strict=True, unit="ps")
    checked_value(carrier_THz, "carrier-THz", minimum=0, unit="THz")
    checked_value(ringdown_ps, "ringdown-ps", minimum=0, strict=True, unit="ps")
    if sites is not None:
        checked_value(sites, "sites", minimum=0, strict=True)
    if n_traj < 1:
        raise ValueError(f"--n-traj must be >= 1, got --n-traj {n_traj}")
    if seed < 0:
        raise ValueError(f"--seed must be >= 0, got --seed {seed}")
    if threads < 1:
        raise ValueError(f"--threads must be >= 1, got --threads {threads}")
    check_out(out)
    model = load_model(material, Z, Z_inv, overrides)
    steps = _estimate_steps(model.omega_meV, duration_ps, rise_ps, ringdown_ps, carrier_THz, shape)
    # drive and time grids (2 doubles per step) and ~10 doubles of state per trajectory
    check_size(
        "drive", 16.0 * steps + 80.0 * n_traj, "a shorter --duration-ps, a lower --carrier-THz "
        "or fewer --n-traj",
    )  # fmt: skip

    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from photosc.io import save_dataset
    from photosc.physics import landscape
    from photosc.physics.dynamics import FlatTopPulse, GaussianPulse, Pulse
    from photosc.physics.kramers import well_parameters
    from photosc.plotting import dynamics as plots
    from photosc.plotting import save, talk_style
    from photosc.studies import drive
    from photosc.studies.nucleation import lattice_width, nucleation_note
    from photosc.units import (
        THz_to_meV,
        rate_to_per_s,
        temperature_from_K,
        temperature_to_K,
        time_from_ps,
    )

    w = model.omega_meV
    T = float(temperature_from_K(T_K, w))
    if not np.isfinite(landscape.critical_points(model, T).Q_MS):
        raise ValueError(
            f"--T-K {T_K:g}: the landscape of {material} has no metastable minimum at {T_K:g} K "
            "(nothing to trap; see `photosc landscape` for T_B, or renormalise with --Z-inv)"
        )
    gamma = drive.gamma_from_ringdown(ringdown_ps, model)
    n_sites = 1.0 if sites is None else sites
    base = drive.default_pulse(model, T, gamma)
    force = drive.spinodal_force(model, T)
    duration = base.duration if duration_ps is None else float(time_from_ps(duration_ps, w))
    rise = float(time_from_ps(rise_ps, w))
    carrier = float(THz_to_meV(carrier_THz)) / w
    pulse: Pulse
    if shape == "flat":
        pulse = FlatTopPulse(amplitude * force, rise, duration, rise, carrier=carrier)
    else:
        pulse = GaussianPulse(amplitude * force, 2.0 * duration, duration, carrier=carrier)
    dt = 0.05 if carrier == 0 else min(0.05, 0.05 / carrier)

    tmap = None
    if trapping_map:  # before the status display below: the sweep shows its own progress
        lazy = drive.trapping_map(
            model, T_K, np.linspace(0.6, 1.6, 6), np.array([0.5, 2.0, 5.0, 10.0, 20.0]),
            gamma=gamma, sites=n_sites, n_traj=16, seed=seed, chunks=1,
        )  # fmt: skip
        tmap = swept(lazy, out / "trapping_map.zarr", "trapping map", workers=workers,
                     scheduler=scheduler, restart=restart)  # fmt: skip
    console = Console(stderr=True)
    seconds = _SECONDS_PER_STEP * n_traj * steps
    with (
        staged_output(out) as stage,
        console.status(
            f"integrating eq. 6: {n_traj} trajectories x {steps:.3g} steps (~{seconds:.2g} s)"
        ),
        talk_style(),
    ):
        ds = drive.drive_trajectories(
            model,
            T_K,
            pulse,
            gamma=gamma,
            sites=n_sites,
            n_traj=n_traj,
            dt=dt,
            seed=seed,
            threads=threads,
        )
        save_dataset(ds, stage / "drive_trajectories.nc")
        save(plots.plot_trajectory(ds)[0], stage / "trajectory.png")
        save(plots.plot_gap_trajectory(ds)[0], stage / "gap_trajectory.png")
        if tmap is not None:
            save_dataset(tmap, stage / "trapping_map.nc")
            save(plots.plot_trapping_map(tmap)[0], stage / "trapping_map.png")
        T_B_K = float(temperature_to_K(landscape.untrapping_temperature(model), w))
        life = drive.lifetime_curve(
            model, np.linspace(0.05, 0.98, 16) * T_B_K, ringdown_ps=ringdown_ps, sites=n_sites
        )
        save_dataset(life, stage / "lifetime.nc")
        save(plots.plot_lifetimes(life)[0], stage / "lifetime_vs_T.png")

    ps = float(time_from_ps(1.0, w))
    params = well_parameters(model, T)
    tau_ns = 1e9 / float(rate_to_per_s(params.rate(gamma, n_sites), w))
    tau_kramers_ns = 1e9 / float(rate_to_per_s(params.rate(gamma, n_sites, turnover=False), w))
    table = Table(title=f"photosc drive {material}", show_header=False, title_justify="left")
    for key, value in {
        "T": f"{T_K:g} K (metastable up to T_B = {T_B_K:.1f} K)",
        "gamma": f"{gamma:.3g} omega (ring-down {ringdown_ps:g} ps)",
        "sites": f"{n_sites:.3g}",
        "nucleation lifetime": nucleation_note(model, T, lattice_width(material)),
        "Q_B, Q_MS": f"{ds.attrs['Q_B']:.4f}, {ds.attrs['Q_MS']:.4f} l0",
        "barrier per site": f"{ds.attrs['barrier_meV']:.3f} meV",
        "pulse": f"{shape}, z E0^2 = {amplitude:g} x {force:.4g} hbar*omega/l0, "
        f"{'plateau' if shape == 'flat' else 'FWHM'} {duration / ps:.3g} ps",
        "trapped": f"{100 * ds.attrs['trapped_fraction']:.1f}% of {n_traj}",
        "lifetime": f"{tau_ns:.3g} ns (turnover); {tau_kramers_ns:.3g} ns (Kramers, moderate)",
    }.items():
        table.add_row(key, value)
    Console().print(table)
    console.print(f"written to {out}/")
