"""photosc landscape MATERIAL: the free-energy landscape F(Q) at several temperatures."""

from __future__ import annotations

from pathlib import Path

from photosc.cli._common import (
    Material,
    OutOption,
    PairingOption,
    SetOption,
    TKOption,
    ZInvOption,
    ZOption,
    load_model,
)


def command(
    material: Material,
    T_K: TKOption = "0,50,100",
    Z: ZOption = None,
    Z_inv: ZInvOption = None,
    overrides: SetOption = None,
    pairing: PairingOption = "schrieffer-wolff",
    out: OutOption = Path("photosc-out/landscape"),
) -> None:
    """Landscape F(Q) of MATERIAL at temperatures T (Fig. 2a/c), its critical points, T_B, the
    first-order temperature, and the map F(Q, Delta) at T = 0 (Fig. 3). NetCDF + PNG in --out.

    Example: photosc landscape K3C60 --Z-inv 3.4 --T-K 0,50,100 --pairing exact
    """
    from photosc.cli._common import check_out, check_size, check_temperatures_K, parse_values

    temperatures_K = parse_values(T_K, "T-K", minimum=0, unit="K")
    check_out(out)
    # F, F_meV, Delta and their temporaries on 301 Q points per temperature
    check_size("landscape", 8.0 * 301 * 12 * temperatures_K.size, "fewer temperatures in --T-K")
    model = load_model(material, Z, Z_inv, overrides).replace(pairing=pairing)
    check_temperatures_K(model, temperatures_K)

    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from photosc.cli._common import staged_output
    from photosc.io import save_dataset
    from photosc.plotting import landscape as plots
    from photosc.plotting import save, talk_style
    from photosc.studies.landscape import free_energy_surface, landscape_curves
    from photosc.units import energy_to_meV, temperature_from_K

    with staged_output(out) as stage, Console(stderr=True).status("landscape F(Q, T)"):
        curves = landscape_curves(model, temperature_from_K(temperatures_K, model.omega_meV))
        Q_top = float(curves["Q"].max())
        delta_top = 1.3 * float(np.nanmax(curves["Delta"].isel(T=0)))
        surface = free_energy_surface(
            model, np.linspace(0, Q_top, 161), np.linspace(0, delta_top, 141), float(curves["T"][0])
        )
        save_dataset(curves, stage / "landscape.nc")
        save_dataset(surface, stage / "free_energy_surface.nc")
        with talk_style():
            fig, ax = plots.landscapes(curves)
            ax.set_title(f"{ax.get_title()}; U(Q): {model.pairing}")
            save(fig, stage / "landscape.png")
            save(plots.free_energy_surface(surface)[0], stage / "free_energy_surface.png")

    w = model.omega_meV
    table = Table(title=f"{material}: landscape", title_justify="left")
    for col in ("T [K]", "kind", "Q_B [l0]", "Q_MS [l0]", "barrier [meV]", "Delta_MS [meV]"):
        table.add_column(col, justify="right")
    for i, T in enumerate(temperatures_K):
        row = curves.isel(T=i)
        table.add_row(
            f"{T:g}",
            ("none", "I", "II")[int(row["kind"])],
            f"{float(row['Q_B']):.5f}",
            f"{float(row['Q_MS']):.5f}",
            f"{float(row['barrier_meV']):.3f}",
            f"{float(row['Delta_MS_meV']):.3f}",
        )
    console = Console()
    console.print(table)
    a = curves.attrs
    console.print(
        f"dE = {energy_to_meV(model.dE, w):.1f} meV, nu = {model.nu:.4g}, g = {model.g:.3g}, "
        f"lam_eff = {model.lam_eff:.3g}; U(Q): {model.pairing}; T_c(Q=0) = {model.Tc_K:.1f} K; "
        f"T_B = {a['T_B_K']:.2f} K; first-order T = {a['T_first_order_K']:.2f} K"
    )
    console.print(f"written to {out}/: landscape.nc/png, free_energy_surface.nc/png")
