"""photosc kinetics MATERIAL: the trapping protocol in the energy-resolved kinetics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
)

if TYPE_CHECKING:
    import xarray as xr
    from rich.table import Table


def _escape_times(text: str) -> list[float]:
    """'0,100,inf' -> [0.0, 100.0, inf] (ps); every value >= 0, 'inf' for a closed system."""
    import math

    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"tau-esc-ps must be a list 'a,b,inf', got tau-esc-ps={text!r}") from None
    bad = [v for v in values if math.isnan(v) or v < 0]
    if bad:
        raise ValueError(f"tau-esc-ps must be >= 0 (or inf), got tau-esc-ps={bad[0]:g}")
    return values


def command(
    material: Material,
    T_K: Annotated[
        str, typer.Option("--T-K", help="Bath temperatures in K: list 'a,b' or 'start:stop:count'.")
    ] = "100",
    Q_star: Annotated[float, typer.Option("--Q-star", help="Held displacement Q* in l0.")] = 3.0,
    tau_esc_ps: Annotated[
        str,
        typer.Option(
            "--tau-esc-ps", help="Phonon escape times in ps, list; 0 = ideal bath, inf = closed."
        ),
    ] = "0",
    hold_ps: Annotated[float, typer.Option("--hold-ps", help="Hold of Q* in ps.")] = 10.0,
    ramp_ps: Annotated[
        float, typer.Option("--ramp-ps", help="Ramp up and release (ring-down) in ps.")
    ] = 10.0,
    after_ps: Annotated[
        float, typer.Option("--after-ps", help="Time followed after the release, ps.")
    ] = 1000.0,
    points: Annotated[int, typer.Option("--points", help="xi-grid nodes (multiple of 4).")] = 128,
    gap_floors: Annotated[
        str | None,
        typer.Option(
            "--gap-floors",
            help="Also sweep the K3C60 alpha^2 F in 10-33 meV (fraction of its acoustic-edge "
            "value), list 'a,b,c': half-lives over T x tau_esc x floor (96 nodes).",
        ),
    ] = None,
    spectrum: Annotated[
        str, typer.Option("--spectrum", help="'k3c60' or a CSV file of Omega (meV), alpha^2 F.")
    ] = "k3c60",
    spectrum_set: Annotated[
        list[str] | None,
        typer.Option("--spectrum-set", help="k3c60 spectrum parameter, e.g. gap_floor=0.001."),
    ] = None,
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/kinetics"),
) -> None:
    """Ramp Q to Q*, hold, release over the ring-down; follow f(E, t), N(Omega, t) and Delta(t)
    (Chang-Scalapino kinetics with Kaplan's kernels) and the half-life of the gap left after
    the release, beside the frozen-n picture of eqs. 9-11 (rate equation, tau_g).

    Writes kinetics_<T>K_<tau>ps.nc and distribution_<T>K_<tau>ps.png (f over E and t) per run,
    gap.png and density.png (Delta(t), n(t) of every run); with --gap-floors, window_sweep.nc
    and its table (computed one gap floor at a time into --out/window_sweep.zarr: an interrupted
    run resumes).

    Example: photosc kinetics K3C60 --T-K 100 --Q-star 3 --tau-esc-ps 0,100
    """
    import math

    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import check_executor, checked_value, load_model, parse_values, swept
    from photosc.cli.lifetime import load_spectrum
    from photosc.io import save_dataset
    from photosc.plotting import kinetic as plots
    from photosc.plotting import save, talk_style
    from photosc.studies import quasiparticle_kinetics as qk

    check_executor(workers, scheduler)
    temps = parse_values(T_K, "T-K", minimum=0)
    if (temps <= 0).any():
        raise ValueError(f"T-K must be > 0, got T-K={float(temps.min()):g}")
    taus = _escape_times(tau_esc_ps)
    checked_value(Q_star, "Q-star")
    checked_value(hold_ps, "hold-ps", minimum=0)
    for name, value in (("ramp-ps", ramp_ps), ("after-ps", after_ps)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be > 0, got {name}={value:g}")
    if points < 8 or points % 4:
        raise ValueError(f"points must be a multiple of 4 and >= 8, got points={points}")
    floors = None if gap_floors is None else parse_values(gap_floors, "gap-floors", minimum=0)
    model = load_model(material, Z, Z_inv, overrides)
    a2F = load_spectrum(spectrum, model.omega_meV, spectrum_set)
    out.mkdir(parents=True, exist_ok=True)

    table = Table(
        title=f"{material}: Q* = {Q_star:g} l0, hold {hold_ps:g} ps, release {ramp_ps:g} ps"
    )
    columns = (
        "T (K)", "tau_esc (ps)", "Delta_rel (meV)", "n_rel", "t_half (ns)",
        "Delta_tr (meV)", "n*", "t_half RE (ns)", "tau_g (ns)",
    )  # fmt: skip
    for col in columns:
        table.add_column(col, justify="right")
    runs = []
    with talk_style():
        for T in temps:
            for tau in taus:
                ds = qk.trajectory(
                    model, a2F, float(T), Q_star, tau_esc_ps=tau, hold_ps=hold_ps,
                    ramp_ps=ramp_ps, after_ps=after_ps, points=points,
                )  # fmt: skip
                stem = f"{T:g}K_{tau:g}ps"
                save_dataset(ds, out / f"kinetics_{stem}.nc")
                save(plots.distribution(ds)[0], out / f"distribution_{stem}.png")
                runs.append(ds)
                a = ds.attrs
                table.add_row(
                    f"{T:g}", f"{tau:g}", f"{a['delta_release_meV']:.3g}", f"{a['n_release']:.3g}",
                    f"{a['half_life_ns']:.3g}", f"{a['delta_tr_meV']:.3g}", f"{a['n_star']:.3g}",
                    f"{a['half_life_rate_eq_ns']:.3g}", f"{a['tau_g_ns']:.3g}",
                )  # fmt: skip
        save(plots.gap(runs)[0], out / "gap.png")
        save(plots.density(runs)[0], out / "density.png")
    console = Console()
    console.print(table)
    console.print(
        "Delta_rel, n_rel: at the end of the release; t_half: from then until Delta is halved "
        f"(inf: not within {after_ps:g} ps; nan: no gap left). Delta_tr, n*, t_half RE (rate "
        "equation), tau_g: the frozen-n picture of eqs. 9-11. "
        f"T_c = {model.Tc_K:.1f} K; written to {out}/"
    )
    if floors is not None:
        lazy = qk.half_lives(model, temps, taus, floors, Q_star, after_ps=after_ps, chunks=1)
        sweep = swept(lazy, out / "window_sweep.zarr", "half-lives over the window",
                      workers=workers, scheduler=scheduler, restart=restart)  # fmt: skip
        save_dataset(sweep, out / "window_sweep.nc")
        console.print(_sweep_table(sweep))


def _sweep_table(sweep: xr.Dataset) -> Table:
    """The half-lives of ``quasiparticle_kinetics.half_lives`` as a rich table."""
    from rich.table import Table

    table = Table(title="half-life (ns) vs the alpha^2 F weight in 10-33 meV (nan: no gap left)")
    for col in ("T (K)", "tau_esc (ps)", "gap_floor", "weight (meV)", "t_half", "t_half RE"):
        table.add_column(col, justify="right")
    for T in sweep["T_K"].values:
        for tau in sweep["tau_esc_ps"].values:
            for floor in sweep["gap_floor"].values:
                p = sweep.sel(T_K=T, tau_esc_ps=tau, gap_floor=floor)
                table.add_row(
                    f"{T:g}", f"{tau:g}", f"{floor:g}", f"{float(p['window_weight']):.3g}",
                    f"{float(p['half_life']):.3g}", f"{float(p['half_life_rate_eq']):.3g}",
                )  # fmt: skip
    return table
