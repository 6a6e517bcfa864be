"""photosc nucleation MATERIAL: the critical nucleus and the lifetime of the metastable state."""

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
)


def command(
    material: Material,
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    T_K: Annotated[float, typer.Option("--T-K", help="Temperature in K.")] = 100.0,
    width_meV: Annotated[
        float | None,
        typer.Option("--width-meV", help="Raman branch width in meV (default: the preset's)."),
    ] = None,
    kappa: Annotated[
        float | None,
        typer.Option("--kappa", help="Stiffness between neighbours in M omega^2 (not with width)."),
    ] = None,
    dim: Annotated[int, typer.Option("--dim", help="Lattice dimension 1, 2 or 3.")] = 3,
    spacing_nm: Annotated[
        float | None,
        typer.Option("--spacing-nm", help="Site spacing in nm (default: the preset's)."),
    ] = None,
    curve: Annotated[
        bool, typer.Option("--curve/--no-curve", help="Also tau(T) and E_c(T) for 3 widths.")
    ] = True,
    width_map: Annotated[
        bool,
        typer.Option(
            "--map/--no-map", help="Also tau over (1/Z, width) and the width for 10 ns at --T-K."
        ),
    ] = False,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    restart: RestartOption = False,
    out: OutOption = Path("photosc-out/nucleation"),
) -> None:
    """Critical nucleus of the uniform metastable state on a lattice of Raman coordinates, its
    energy E_c and radius, and the lifetime tau = 1/(nucleation rate per site) by Langer's
    formula (damping from the 10 ps ring-down). Writes nucleus.nc, nucleus_profile.png and with
    --curve lifetime_vs_T.nc/.png and nucleus_energy_vs_T.png, with --map lifetime_map.nc/.png
    and width_for_10ns.nc (the map's 1/Z rows go to --out/lifetime_map.zarr as they finish: an
    interrupted run resumes; --workers/--scheduler run them on a Dask cluster).

    Example: photosc nucleation K3C60 --Z-inv 3.6 --T-K 100 --width-meV 20 --dim 3
    """
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import check_executor, checked_value, load_model, swept
    from photosc.io import save_dataset
    from photosc.physics import landscape
    from photosc.physics import nucleation as nuc
    from photosc.plotting import nucleation as plots
    from photosc.plotting import save, talk_style
    from photosc.studies import nucleation as study
    from photosc.studies.drive import RINGDOWN_PS, gamma_from_ringdown
    from photosc.units import rate_to_per_s, temperature_from_K

    checked_value(T_K, "T-K", minimum=0)
    check_executor(workers, scheduler)
    if dim not in (1, 2, 3):
        raise ValueError(f"dim must be 1, 2 or 3, got dim={dim}")
    if width_meV is not None and kappa is not None:
        raise ValueError("give either --width-meV or --kappa, not both")
    for name, value in (("width-meV", width_meV), ("kappa", kappa), ("spacing-nm", spacing_nm)):
        if value is not None:
            checked_value(value, name, minimum=0)
    model = load_model(material, Z, Z_inv, overrides)
    w = model.omega_meV
    a_nm = spacing_nm if spacing_nm is not None else study.lattice_of(material)[0]
    if kappa is None:
        width = width_meV if width_meV is not None else study.lattice_of(material)[1]
        kappa = float(nuc.kappa_from_width(width / w, dim))
    width = float(nuc.width_from_kappa(kappa, dim)) * w
    T = float(temperature_from_K(T_K, w))
    cp = landscape.critical_points(model, T)
    if cp.kind != "I":
        verdict = "no metastable minimum" if cp.kind == "none" else "Q_MS is the stable state"
        raise ValueError(f"at T-K={T_K:g} the model has no decaying metastable state ({verdict})")
    gamma = gamma_from_ringdown(RINGDOWN_PS, model)

    out.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    with console.status("critical nucleus and Langer's rate"), talk_style():
        profile = study.nucleus_profile(model, T_K, kappa, dim=dim, spacing_nm=a_nm)
        save_dataset(profile, out / "nucleus.nc")
        save(plots.plot_profile(profile)[0], out / "nucleus_profile.png")
        rate = nuc.nucleation_rate(model, T, kappa, dim, gamma)
        tau_ns = 1e9 / float(rate_to_per_s(rate, w))
        if curve:
            T_B_K = float(T_K / T * landscape.untrapping_temperature(model))
            temps = np.linspace(0.5 * T_B_K, 0.97 * T_B_K, 8)
            widths = sorted({round(width, 3), 1.0, 10.0, 30.0})
            life = study.lifetime_curve(model, temps, widths, dim=dim, spacing_nm=a_nm)
            save_dataset(life, out / "lifetime_vs_T.nc")
            save(plots.plot_lifetime(life)[0], out / "lifetime_vs_T.png")
            save(plots.plot_energy(life)[0], out / "nucleus_energy_vs_T.png")
        if width_map:
            zi = (
                np.linspace(3.5, 3.7, 6)  # K3C60 at 100 K: type I for 1/Z ~ 3.5-3.64
                if Z_inv is None
                else np.linspace(Z_inv - 0.1, Z_inv + 0.1, 6)
            )
            unrenormalized = load_model(material, None, None, overrides)  # the map sets Z
            map_widths = [x for x in (1.0, 5.0, 10.0, 30.0, 100.0) if x <= study.MAX_WIDTH_MEV[dim]]
            lazy = study.lifetime_map(unrenormalized, zi, map_widths, T_K=T_K, dim=dim, chunk=1)
            tmap = swept(lazy, out / "lifetime_map.zarr", "lifetime map",
                         workers=workers, scheduler=scheduler, restart=restart)  # fmt: skip
            needed = study.width_for_lifetime(unrenormalized, zi, T_K=T_K, dim=dim)
            sides = study.lattice_sides(
                unrenormalized, zi[:, None], np.asarray(map_widths)[None, :], T_K=T_K, dim=dim
            )
            tmap["lattice_side"] = (
                ("Z_inv", "width_meV"),
                sides,
                {"units": "sites", "long_name": "lattice side of the saddle search"},
            )
            skipped = int(np.count_nonzero(sides > tmap.attrs["max_side"]))
            if skipped:
                console.print(
                    f"{skipped} map points not computed: their nucleus needs a lattice side above "
                    f"{tmap.attrs['max_side']} (run them one by one with --Z-inv and --width-meV)"
                )
            save_dataset(tmap, out / "lifetime_map.nc")
            save_dataset(needed, out / "width_for_10ns.nc")
            save(plots.plot_map(tmap, needed)[0], out / "lifetime_map.png")

    E_c = profile.attrs["E_c_lattice"]
    table = Table(title=f"photosc nucleation {material}", show_header=False, title_justify="left")
    for key, text in {
        "T": f"{T_K:g} K, d = {dim}",
        "branch width": f"{width:.3g} meV (kappa = {kappa:.3g} M omega^2)",
        "E_c (lattice saddle)": f"{E_c:.4g} hbar*omega = {E_c * w:.4g} meV, E_c/T = {E_c / T:.3g}",
        "E_c (continuum bounce)": f"{profile.attrs['E_c']:.4g} hbar*omega",
        "critical cluster (lattice)": f"{profile.attrs['cluster_sites']} sites",
        "critical radius (continuum)": f"{profile.attrs['radius_nm']:.3g} nm (spacing {a_nm:g} nm)",
        "lifetime per site": f"{tau_ns:.3g} ns"
        + ("" if profile.attrs["langer_valid"] else "  (outside Langer's formula)"),
    }.items():
        table.add_row(key, text)
    Console().print(table)
    console.print(f"written to {out}/")
