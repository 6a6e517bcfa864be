"""photosc lifetime MATERIAL: generation, scattering, recombination times and the half-life."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from photosc.physics.spectra import Spectrum


def load_spectrum(name: str, omega_meV: float, overrides: list[str] | None) -> Spectrum:
    """'k3c60' (the model spectrum, with NAME=VALUE overrides) or a CSV file (Omega_meV, a2F)."""
    from photosc.cli._common import parse_set
    from photosc.physics import spectra

    if name.lower() == "k3c60":
        return spectra.k3c60(omega_meV, **parse_set(overrides))
    if overrides:
        raise ValueError("--spectrum-set applies to the k3c60 model spectrum only")
    path = Path(name)
    if not path.is_file():
        raise ValueError(f"spectrum must be 'k3c60' or a CSV file, got spectrum={name!r}")
    return spectra.Tabulated.from_csv(path, omega_meV)


def command(
    material: Material,
    T_K: TKOption = "20:150:50",
    Q_star: Annotated[float, typer.Option("--Q-star", help="Held displacement Q* in l0.")] = 3.0,
    spectrum: Annotated[
        str, typer.Option("--spectrum", help="'k3c60' or a CSV file of Omega [meV], alpha^2 F.")
    ] = "k3c60",
    spectrum_set: Annotated[
        list[str] | None,
        typer.Option("--spectrum-set", help="k3c60 spectrum parameter, e.g. lam_bath=0.05."),
    ] = None,
    relax_T_K: Annotated[
        float | None,
        typer.Option("--relax-T-K", help="Also integrate the rate equation at this T (in K)."),
    ] = None,
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/lifetime"),
) -> None:
    """tau_g, tau_s, tau_r (eqs. C3-C5) at the trapped state and the half-life of Delta_tr vs T.

    The trapped state comes from holding Q* at each T (see `photosc trap`). Times in ns; the
    experiments' 10 ns is marked on lifetimes.png. Writes lifetimes.nc, lifetimes.png,
    spectrum.png and, with --relax-T-K, relaxation_<T>K.nc/.png (Delta_tr(t), n(t)). The
    temperatures go to --out/lifetimes.zarr one at a time (an interrupted run resumes).

    Example: photosc lifetime K3C60 --T-K 20:150:50 --Q-star 3 --relax-T-K 80
    """
    from photosc.cli._common import (
        check_executor,
        check_out,
        check_size,
        check_temperatures_K,
        checked_value,
        load_model,
        parse_values,
    )

    check_executor(workers, scheduler)
    temperatures_K = parse_values(T_K, "T-K", minimum=0, strict=True, unit="K")
    checked_value(Q_star, "Q-star")
    if relax_T_K is not None:
        checked_value(relax_T_K, "relax-T-K", minimum=0, strict=True, unit="K")
    check_out(out)
    # the pair-rate quadrature holds ~ panels x nodes x theta (~3e3) doubles per temperature
    check_size("lifetime", 8.0 * 3e3 * 4 * temperatures_K.size, "fewer temperatures in --T-K")
    model = load_model(material, Z, Z_inv, overrides)
    check_temperatures_K(model, temperatures_K)
    if relax_T_K is not None:
        check_temperatures_K(model, relax_T_K, "relax-T-K")

    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import staged_output, swept
    from photosc.io import save_dataset
    from photosc.plotting import save, talk_style
    from photosc.plotting import trapping as plots
    from photosc.studies import kinetics, trapping
    from photosc.units import energy_to_meV, temperature_from_K

    a2F = load_spectrum(spectrum, model.omega_meV, spectrum_set)
    T = temperature_from_K(temperatures_K, model.omega_meV)
    n_star = math.nan
    if relax_T_K is not None:  # fails fast, before the sweep, when there is nothing to relax
        T_r = float(temperature_from_K(relax_T_K, model.omega_meV))
        held = trapping.trapped_state(model, Q_star, T_r).isel(Q_star=0, T=0)
        n_star = float(held["n_star"])
        if n_star == 0 or float(held["delta_tr"]) == 0:
            what = "no quasi-particle is trapped" if n_star == 0 else "no gap is trapped"
            raise ValueError(
                f"--relax-T-K {relax_T_K:g}: holding Q* = {Q_star:g} at {relax_T_K:g} K, "
                f"{what}: nothing to relax"
            )
    # one temperature per chunk: a point's numbers do not depend on the rest of the grid
    lazy = kinetics.lifetimes(model, a2F, T, Q_star, chunks=1)
    ds = swept(lazy, out / "lifetimes.zarr", "rates and half-lives", workers=workers,
               scheduler=scheduler, restart=restart)  # fmt: skip
    with staged_output(out) as stage, Console(stderr=True).status("figures"):
        save_dataset(ds, stage / "lifetimes.nc")
        two_delta0 = 2 * energy_to_meV(model.Delta0, model.omega_meV)
        with talk_style():
            save(plots.lifetimes(ds)[0], stage / "lifetimes.png")
            save(plots.spectrum(a2F, model.omega_meV, two_delta0)[0], stage / "spectrum.png")
        if relax_T_K is not None:
            relax = kinetics.relaxation(model, a2F, T_r, n_star)
            save_dataset(relax, stage / f"relaxation_{relax_T_K:.0f}K.nc")
            with talk_style():
                save(plots.relaxation(relax)[0], stage / f"relaxation_{relax_T_K:.0f}K.png")

    table = Table(title=f"{material}: times after holding Q* = {Q_star:g} l0 [ns]")
    for col in (
        "T [K]",
        "Delta_tr [meV]",
        "tau_s",
        "tau_g",
        "tau_g (eqs. 12-13)",
        "tau_r",
        "half-life",
    ):
        table.add_column(col, justify="right")
    for i in range(ds.sizes["T"]):
        p = ds.isel(T=i)
        cells = [
            f"{float(p[k]):.3g}" if np.isfinite(p[k]) or np.isinf(p[k]) else "-"
            for k in ("tau_s", "tau_g", "tau_g_asym", "tau_r", "half_life")
        ]
        d_tr = energy_to_meV(float(p["delta_tr"]), model.omega_meV)
        table.add_row(f"{float(p['T_K']):.1f}", f"{d_tr:.3f}", *cells)
    console = Console()
    console.print(table)
    console.print(f"T_c = {model.Tc_K:.1f} K; written to {out}/")
