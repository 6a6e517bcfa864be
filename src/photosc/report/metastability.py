"""Report section: photo-induced metastability (Figs. 2 and 3 of the paper) for one model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import xarray as xr

from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import landscape
from photosc.plotting import landscape as plots
from photosc.plotting import save
from photosc.report.section import ReportContext, Section
from photosc.studies import landscape as curves_study
from photosc.studies.phase_diagram import metastability_path, phase_diagram
from photosc.units import energy_to_meV, temperature_to_K

_VERDICTS = {
    "none": "no metastable state (no local minimum at Q > 0)",
    "I": "metastable I: hidden superconducting minimum above F(0)",
    "II": "metastable II: distorted superconducting ground state (first-order transition)",
}
#: The Mott path drawn on the phase diagram runs from the material's bare parameters (1/Z = 1) to
#: 1/Z = _Z_INV_MAX (the paper's K3C60 path), shortened so that nu stays within the paper's window.
_Z_INV_MAX, _NU_WINDOW = 7.0, 5.0
#: Points per axis of the phase diagram.
_GRID = 80


def _report_temperatures(model: Model, T_B: float) -> np.ndarray:
    if math.isnan(T_B):
        return np.array([0.0, model.Tc, 2.0 * model.Tc])
    return np.unique(np.array([0.0, model.Tc, 0.5 * T_B, 0.9 * T_B, 1.05 * T_B]))


def _path_text(onset: float, type_II: float) -> str:
    def at(z: float) -> str:
        return f"from 1/Z = {z:.4f}" if math.isfinite(z) else f"not by 1/Z = {_Z_INV_MAX:g}"

    if math.isnan(onset) and math.isfinite(type_II):
        return f"type I at the bare parameters; type II {at(type_II)}"
    return f"type I {at(onset)}; type II {at(type_II)}"


def section(model: Model, out: Path, *, context: ReportContext | None = None) -> Section:
    """Verdict, Q_B, Q_MS, barrier, T_B, first-order T; landscapes F(Q) at several T (Fig. 2a/c),
    the metastable gap against T, F(Q, Delta) (Fig. 3) and the (dE, nu) phase diagram with the
    material's Mott path from its bare parameters (Fig. 2b), the model itself marked. NetCDF and
    PNG."""
    if context is None:
        context = ReportContext(material="model", base=model)
    base, label = context.base, context.label
    res = landscape.metastability_kernel(model.dE, model.g, model.nu, model.U0, model.cutoff)
    cp = landscape.critical_points(model)
    T_B, T_first = float(res["T_B"]), float(res["T_first_order"])
    w = model.omega_meV
    files: dict[str, xr.Dataset] = {}

    curves = curves_study.landscape_curves(model, _report_temperatures(model, T_B))
    files["landscape"] = curves
    save(plots.landscapes(curves)[0], out / "landscape.png", stamp=label)
    figures = ["landscape.png"]
    if cp.kind != "none":
        gap_T = curves_study.landscape_curves(
            model, np.linspace(0.0, 1.1 * T_B, 89), Q=np.array([0.0])
        )
        files["metastable_gap"] = gap_T
        save(plots.metastable_gap(gap_T)[0], out / "metastable_gap.png", stamp=label)
        figures.append("metastable_gap.png")

    Q_top = float(curves["Q"].max())
    delta_top = 1.3 * float(np.nanmax(curves["Delta"].isel(T=0)))
    surface = curves_study.free_energy_surface(
        model, np.linspace(0.0, Q_top, 121), np.linspace(0.0, delta_top, 101)
    )
    files["free_energy_surface"] = surface
    save(plots.free_energy_surface(surface)[0], out / "free_energy_surface.png", stamp=label)
    figures.append("free_energy_surface.png")

    z_max = float(np.clip(_NU_WINDOW / base.nu, max(2.0, context.Z_inv), _Z_INV_MAX))
    Z_inv = np.unique(np.concatenate([np.linspace(1, z_max, 61), np.arange(1.0, z_max + 1e-9)]))
    path = metastability_path(base, Z_inv, Z_inv_max=_Z_INV_MAX)
    path.attrs["material"] = context.material
    dE_grid = np.linspace(min(0.2, 0.9 * base.dE / z_max), max(3.0, 1.1 * base.dE), _GRID)
    nu_grid = np.linspace(min(0.3, 0.9 * base.nu), max(_NU_WINDOW, 1.1 * z_max * base.nu), _GRID)
    diagram = phase_diagram(dE_grid, nu_grid, model.g, model.lam_eff, model.cutoff, omega_meV=w)
    files["path"] = path
    files["phase_diagram"] = diagram
    mark = (model.nu, model.dE, f"this report: 1/Z = {context.Z_inv:.3g}")
    save(
        plots.phase_diagram(diagram, path, marks=[mark])[0], out / "phase_diagram.png", stamp=label
    )
    figures.append("phase_diagram.png")
    for stem, ds in files.items():
        save_dataset(ds, out / f"{stem}.nc")

    onset, type_II = path.attrs["onset_Z_inv"], path.attrs["type_II_Z_inv"]
    numbers = {
        "Q_B": cp.Q_B,
        "Q_MS": cp.Q_MS,
        "barrier": cp.barrier,
        "barrier_meV": energy_to_meV(cp.barrier, w),
        "Delta_MS_meV": energy_to_meV(cp.Delta_MS, w),
        "T_B": T_B,
        "T_B_K": float(temperature_to_K(T_B, w)),
        "T_first_order": T_first,
        "T_first_order_K": float(temperature_to_K(T_first, w)),
        "mott_onset_Z_inv": onset,
        "mott_type_II_Z_inv": type_II,
    }
    # quantities that do not exist are null in summary.json (NaN is not valid JSON)
    summary = {
        "Z": context.Z,
        "Z_inv": context.Z_inv,
        "kind": cp.kind,
        **{k: None if math.isnan(v) else float(v) for k, v in numbers.items()},
    }

    def show(value: float, unit: str, digits: int = 2) -> str:
        return f"{value:.{digits}f} {unit}" if math.isfinite(value) else "- (does not exist)"

    rows = {
        "verdict (T = 0)": _VERDICTS[cp.kind],
        "Q_B, Q_MS": f"{show(cp.Q_B, 'l0', 5)}, {show(cp.Q_MS, 'l0', 5)}",
        "barrier F(Q_B) - F(Q_MS)": show(numbers["barrier_meV"], "meV", 3),
        "Delta at Q_MS (at Q = 0)": (
            f"{show(numbers['Delta_MS_meV'], 'meV')} ({energy_to_meV(cp.Delta_0, w):.2f} meV)"
        ),
        "untrapping temperature T_B": show(numbers["T_B_K"], "K"),
        "first-order transition": show(numbers["T_first_order_K"], "K"),
        "material, Z": label,
        "Mott path (1/Z from the bare parameters)": _path_text(onset, type_II),
    }
    at = f"{label}; T_c = {model.Tc_K:.1f} K"
    captions = {
        "landscape.png": "Adiabatic landscape F(Q) - F(0) (meV) against the Raman coordinate Q "
        "(ℓ₀) at several temperatures (as Fig. 2a/c of the paper); open circles Q_B, filled "
        f"Q_MS, grey: no metastable minimum. {at}.",
        "metastable_gap.png": "The gap at the metastable minimum Δ_MS(T) against the "
        f"equilibrium gap Δ(T) at Q = 0 (the insets of Fig. 2a/c). {at}.",
        "free_energy_surface.png": "F(Q, Δ) at T = 0 with Δ not self-consistent (as Fig. 3): "
        f"minima and saddle marked, the self-consistent Δ(Q) dashed. {at}.",
        "phase_diagram.png": "Metastability phase diagram on (ν(0), ΔE) at this material's "
        f"g = {model.g:.3g}, λ_eff = {model.lam_eff:.3g} (as Fig. 2b), with its Mott path "
        "from the bare parameters (stars at integer 1/Z) and this report's point (diamond). "
        f"{label}.",
    }
    return Section(
        title="Photo-induced metastability",
        rows=rows,
        figures=figures,
        data=[f"{stem}.nc" for stem in files],
        summary=summary,
        captions={k: v for k, v in captions.items() if k in figures},
        notes="Adiabatic landscape F(Q, T) = Q^2/2 + F_SC at the self-consistent gap (eq. 7 "
        "relative to the normal state, U(Q) of eq. 5). Q_B is the barrier top, Q_MS the "
        "metastable minimum (Q_B = 0 when the undistorted lattice is itself unstable); T_B is "
        "where they merge. The phase diagram keeps g, lam_eff and the cutoff of this model; the "
        "white curve is the Mott renormalisation of the bare parameters, dE -> Z dE, "
        "nu -> nu/Z (stars at integer 1/Z). "
        "With U0 = 0 the critical points obey Q^2 = dE Delta / (sqrt(2) g^2) exactly (eq. 8 has "
        "a stray factor omega); the paper's E(Q) omits the constant -1 in coth - 1.",
    )
