"""Report section for several materials: the screening table of ``studies.screening``.

Not in ``SECTIONS`` (those take one model): ``photosc screen`` builds it, and a report of several
materials can append it with ``section(names, out)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import xarray as xr

from photosc import materials
from photosc.io import save_dataset
from photosc.plotting import save
from photosc.plotting import screening as plots
from photosc.report.section import Section
from photosc.studies import screening


def _show(value: float, fmt: str, unit: str = "") -> str:
    return f"{value:{fmt}}{unit}" if math.isfinite(value) else "-"


def row(ds: xr.Dataset, i: int) -> str:
    """One material's verdicts as a line of text."""
    p = ds.isel(material=i)
    kind = screening.PATH_KINDS[int(p["kind_at_Z"])]
    path = (
        "no Mott path (g = 0)"
        if kind == "no path"
        else f"metastable from 1/Z = {_show(float(p['onset_Z_inv']), '.2f')}, at 1/Z = "
        f"{ds.attrs['Z_inv']:g}: {kind}, T_B = {_show(float(p['T_B_K']), '.0f', ' K')}"
    )
    rule = "inside" if bool(p["in_gap"]) else "outside"
    trap = (
        "no trapped gap"
        if float(p["delta_tr_meV"]) == 0
        else f"Delta_tr = {float(p['delta_tr_meV']):.2f} meV, window weight "
        f"{float(p['weight_above_2delta_tr']):.2g}, tau_g = {float(p['tau_g_ns']):.3g} ns, "
        f"half-life = {_show(float(p['half_life_ns']), '.3g', ' ns')}"
    )
    return (
        f"2Delta0 = {float(p['two_delta0_meV']):.2f} meV {rule} the alpha^2F gap "
        f"(tau0 = {float(p['tau0_ns']):.3g} ns); {path}; at {ds.attrs['T_K']:g} K: {trap}"
    )


def section(
    names: list[str],
    out: Path,
    T_K: float = 100.0,
    Z_inv: float = 5.0,
    Q_star: float = 3.0,
) -> Section:
    """Screen ``names`` (presets or TOML files): screening.nc, screening.png and one row each."""
    ds = screening.screen(names, T_K, Z_inv, Q_star)
    save_dataset(ds, out / "screening.nc")
    models = [materials.load(n) for n in names]
    spectra = [materials.spectrum(n, m.omega_meV) for n, m in zip(names, models, strict=True)]
    fig, _ = plots.screening(ds, spectra, [m.omega_meV for m in models])
    save(fig, out / "screening.png")
    rows = {str(n): row(ds, i) for i, n in enumerate(ds["material"].values)}
    summary = {
        str(n): {k: float(ds[k][i]) for k in screening.COLUMNS}
        for i, n in enumerate(ds["material"].values)
    }
    return Section(
        title=f"Screening of {len(names)} materials",
        rows=rows,
        figures=["screening.png"],
        data=["screening.nc"],
        summary={
            "T_K": T_K,
            "Z_inv": Z_inv,
            "Q_star": Q_star,
            # NaN (a quantity that does not exist) is not valid JSON: null
            "materials": {
                n: {k: (None if math.isnan(v) else v) for k, v in d.items()}
                for n, d in summary.items()
            },
        },
        notes="Metastability: the Mott path dE -> Z dE, nu -> nu/Z at fixed lam_eff from the "
        "preset (1/Z = 1) up to 1/Z = 7. Trapping: the rule of the Discussion (2 Delta_0 where "
        "alpha^2 F is below 1% of its maximum), then hold Q* at T and release: the weight of "
        "alpha^2 F within [2 Delta_tr, 2 Delta_tr + T], tau_g = 1/Gamma_g (eq. C3) and the "
        "half-life of the trapped gap. tau_0 is eq. 13 with its missing 2 Delta_0 restored; for "
        "alpha^2 F = b Omega^2 it is Kaplan's tau_0 divided by sqrt(pi) (2 Delta_0/k_B T_c)^3 "
        "(~78). Presets without an alpha^2 F file use the K3C60 model spectrum.",
    )
