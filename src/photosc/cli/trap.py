"""photosc trap MATERIAL: the quasi-particle trapping protocol and Fig. 4c."""

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
    TKOption,
    WorkersOption,
    ZInvOption,
    ZOption,
)


def command(
    material: Material,
    T_K: TKOption = "100",
    Q_star: Annotated[
        str, typer.Option("--Q-star", help="Held displacements Q* in l0: list or range.")
    ] = "0:5:11",
    n_points: Annotated[int, typer.Option("--n-points", help="Points of n* on Fig. 4c.")] = 400,
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/trap"),
) -> None:
    """Hold Q* at temperature T, release: the trapped gap Delta_tr and lambda (Fig. 4a, eqs. 9-11).

    Writes trapped_state.nc, Fig. 4c per temperature (fig4c_<T>K.png/.nc: Delta_tr against n*
    with every branch, the protocol's points and the saturation Delta0(U0); none where T is so low
    that the normal-state density underflows), and with several Q* and T the map
    trapped_gap_map.png. Files appear in --out only when the run succeeds; the Q* x T map goes
    to --out/trapped_state.zarr one temperature at a time (an interrupted run resumes).

    Example: photosc trap K3C60 --T-K 100 --Q-star 0:5:11
    """
    from photosc.cli._common import (
        check_executor,
        check_out,
        check_size,
        check_temperatures_K,
        load_model,
        parse_values,
    )

    check_executor(workers, scheduler)
    if not 2 <= n_points <= 10**7:
        raise ValueError(f"--n-points must be an integer from 2 to 1e7, got --n-points {n_points}")
    temperatures_K = parse_values(T_K, "T-K", minimum=0, strict=True, unit="K")
    Q = parse_values(Q_star, "Q-star")
    check_out(out)
    # trapped_gap keeps ~120 curve points x a few arrays per (T, n*) or (Q*, T) point
    n_work = temperatures_K.size * (Q.size + n_points)
    check_size("trap", 8.0 * 120 * 8 * n_work, "fewer temperatures, Q* values or --n-points")
    model = load_model(material, Z, Z_inv, overrides)
    check_temperatures_K(model, temperatures_K)

    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import staged_output, swept
    from photosc.io import save_dataset
    from photosc.physics import bcs
    from photosc.plotting import save, talk_style
    from photosc.plotting import trapping as plots
    from photosc.studies import thermodynamics, trapping
    from photosc.units import energy_to_meV, temperature_from_K

    T = temperature_from_K(temperatures_K, model.omega_meV)
    lazy = trapping.trapped_state(model, Q, T, chunks={"T": 1})
    state = swept(lazy, out / "trapped_state.zarr", "trapped state (eqs. 9-11)",
                  workers=workers, scheduler=scheduler, restart=restart)  # fmt: skip
    with staged_output(out) as stage, Console(stderr=True).status("Fig. 4c curves"):
        save_dataset(state, stage / "trapped_state.nc")
        for i, T_i in enumerate(state["T"].values):
            at_T = state.isel(T=[i])
            n_normal = float(bcs.quasiparticle_density(0.0, T_i, model.nu, model.cutoff))
            if n_normal == 0:  # T so low that no state is thermally occupied: no curve to draw
                continue
            held = at_T["n_star"].values[at_T["n_star"].values > 0]
            n_low = min(1e-6 * n_normal, float(held.min()) / 2 if held.size else np.inf)
            n = np.geomspace(n_low, (1 - 1e-9) * n_normal, n_points)
            curve = thermodynamics.trapped_gap_curve(model, [T_i], n)
            stem = f"fig4c_{float(at_T['T_K'][0]):.0f}K"
            save_dataset(curve, stage / f"{stem}.nc")
            with talk_style():
                save(plots.protocol_on_fig4c(curve, at_T)[0], stage / f"{stem}.png")
        if state.sizes["Q_star"] > 1 and state.sizes["T"] > 1:
            with talk_style():
                save(plots.trapped_gap_map(state)[0], stage / "trapped_gap_map.png")

    meV = model.omega_meV
    table = Table(title=f"{material}: trapped state after holding Q* (T_c = {model.Tc_K:.1f} K)")
    for col in (
        "T [K]",
        "Q* [l0]",
        "U*/U0",
        "Delta* [meV]",
        "n*/n_eq",
        "Delta_tr [meV]",
        "lambda [meV]",
        "vs normal",
    ):
        table.add_column(col, justify="right")
    for i in range(state.sizes["T"]):
        for j in range(state.sizes["Q_star"]):
            p = state.isel(T=i, Q_star=j)
            d_tr = float(p["delta_tr"])
            verdict = "-" if d_tr == 0 else ("stable" if bool(p["stable"]) else "metastable")
            table.add_row(
                f"{float(p['T_K']):.1f}",
                f"{float(p['Q_star']):.3g}",
                f"{float(p['U_star']) / model.U0:.3f}",
                f"{energy_to_meV(float(p['delta_star']), meV):.3f}",
                f"{float(p['n_star']) / float(p['n_eq']):.3g}" if float(p["n_eq"]) > 0 else "-",
                f"{energy_to_meV(d_tr, meV):.3f}",
                f"{energy_to_meV(float(p['lam']), meV):.3f}",
                verdict,
            )
    console = Console()
    console.print(table)
    d0 = energy_to_meV(model.Delta0, meV)
    console.print(f"Delta0(U0) = {d0:.3f} meV (the n* -> 0 limit). Written to {out}/")
