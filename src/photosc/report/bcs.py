"""Report section: the equilibrium superconductor at Q = 0 and the quasi-particle-trapped gap."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import bcs
from photosc.plotting import bcs as plots
from photosc.plotting import save
from photosc.report.section import ReportContext, Section
from photosc.studies import thermodynamics
from photosc.units import energy_to_meV, temperature_from_K


def section(model: Model, out: Path, *, context: ReportContext | None = None) -> Section:
    """Delta(T), F_SC(Delta) at a few T, Delta_tr(n*) (Fig. 4c shape); NetCDF and PNG."""
    label = "" if context is None else context.label
    Tc, d0 = model.Tc, model.Delta0
    curve = thermodynamics.gap_curve(model, np.linspace(0, 1.5 * Tc, 301))
    T_few = np.array([0.0, 0.5, 0.9, 1.2]) * Tc
    landscape = thermodynamics.free_energy_curves(model, T_few, np.linspace(0, 1.4 * d0, 281))
    T_trap = temperature_from_K(np.array([1.0, 2.0, 3.0]) * model.Tc_K, model.omega_meV)
    n_max = 0.9 * float(bcs.quasiparticle_density(0.0, T_trap[0], model.nu, model.cutoff))
    trapped = thermodynamics.trapped_gap_curve(
        model, T_trap, np.geomspace(1e-9 * n_max, n_max, 400)
    )

    files = {"gap": curve, "bcs_free_energy": landscape, "trapped_gap": trapped}
    for stem, ds in files.items():
        save_dataset(ds, out / f"{stem}.nc")
    save(plots.gap_vs_temperature(curve)[0], out / "gap_vs_T.png", stamp=label)
    save(plots.free_energy_vs_gap(landscape)[0], out / "bcs_free_energy.png", stamp=label)
    save(plots.trapped_gap_vs_density(trapped)[0], out / "trapped_gap_vs_n.png", stamp=label)
    at = f"{label}: " if label else ""
    captions = {
        "gap_vs_T.png": f"{at}equilibrium BCS gap Δ(T) (meV) at Q = 0, cutoff at ħω "
        f"(eq. 7's gap equation); T_c = {model.Tc_K:.1f} K.",
        "bcs_free_energy.png": f"{at}BCS free energy F_SC(Δ) relative to the normal state "
        "(eq. 7) at T = 0, 0.5, 0.9 and 1.2 T_c; minima marked.",
        "trapped_gap_vs_n.png": f"{at}trapped gap Δ_tr against the frozen quasi-particle "
        "density n* (eqs. 10-11; the shape of Fig. 4c) at T = 1, 2 and 3 T_c; further solutions "
        "dotted, the saturation Δ₀(U₀) dashed.",
    }

    meV = model.omega_meV
    summary = {
        "Tc": Tc,
        "Tc_K": model.Tc_K,
        "Delta0": d0,
        "Delta0_meV": energy_to_meV(d0, meV),
        "two_Delta0_over_Tc": 2 * d0 / Tc,
        "model_internal": model.as_attrs(),
        "model_physical": {
            "omega_meV": meV,
            "dE_meV": energy_to_meV(model.dE, meV),
            "U0_meV": energy_to_meV(model.U0, meV),
            "cutoff_meV": energy_to_meV(model.cutoff, meV),
            "g_l0_over_omega": model.g,
            "nu0_per_meV": model.nu / meV,
        },
    }
    rows = {
        "material": label or "-",
        "hbar*omega": f"{meV:.2f} meV",
        "Delta E": f"{energy_to_meV(model.dE, meV):.1f} meV  ({model.dE:.4g} hbar*omega)",
        "g l0/omega": f"{model.g:.3g}",
        "nu(0) omega": f"{model.nu:.4g}",
        "lam_eff = nu U0": f"{model.lam_eff:.4g}  (U0 = {energy_to_meV(model.U0, meV):.2f} meV)",
        "T_c": f"{model.Tc_K:.2f} K",
        "Delta0": f"{energy_to_meV(d0, meV):.3f} meV",
        "2 Delta0 / T_c": f"{2 * d0 / Tc:.4f}",
    }
    return Section(
        title="Equilibrium superconductor and trapped gap",
        rows=rows,
        figures=["gap_vs_T.png", "bcs_free_energy.png", "trapped_gap_vs_n.png"],
        data=[f"{stem}.nc" for stem in files],
        summary=summary,
        captions=captions,
        notes="BCS with the cutoff at the phonon energy (eq. 7). The trapped gap solves eqs. 10-11 "
        "at fixed quasi-particle density n*; dotted lines are further solutions where they exist.",
    )
