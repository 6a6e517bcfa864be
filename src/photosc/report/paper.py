"""Report section: the paper's Figs. 2a, 2b, 2c, 3 and 4c, reproduced at the paper's parameters.

The paper's model is the bundled K3C60 preset (App. D: Hg(3) at 22 THz, g l0/omega = 0.6,
nu(0) omega = 0.603, Delta E = 250 meV, lam_eff = 0.3) on its Mott path Z^-1 = 1..7. The figures
are drawn where the paper's are: type I (Fig. 2a and Fig. 3 left) in the middle of the window
of 1/Z where the path is of type I, type II (Fig. 2c and Fig. 3 right) at 1/Z = 3.6, where both
minima and the barrier between them exist at T = 0; Fig. 4c at the bare parameters (Z = 1) at the
experiments' 100 K. Every figure states its point. The section is the same for every material:
it is the paper's, not the material's.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from photosc import materials
from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import bcs, landscape
from photosc.plotting import landscape as plots
from photosc.plotting import save
from photosc.plotting import trapping as trap_plots
from photosc.report.section import Section
from photosc.studies import landscape as curves_study
from photosc.studies import thermodynamics, trapping
from photosc.studies.phase_diagram import metastability_path, phase_diagram
from photosc.units import temperature_from_K, temperature_to_K

#: The paper's material preset and the top of its Mott path (Fig. 2b: Z = 1 to 1/7).
PAPER_PRESET, Z_INV_MAX = "K3C60", 7.0
#: 1/Z of the type-II figures: past the I -> II boundary (3.44), where Q = 0 is still a local
#: minimum at T = 0 as in the paper's Figs. 2c and 3 (from 1/Z ~ 4.5 on it is unstable).
Z_INV_TYPE_II = 3.6
#: Temperature of Fig. 4c (K): the experiments' 100 K.
FIG4C_T_K = 100.0
#: Points per axis of Fig. 2b: smooth contours in about a second.
GRID = 100


def paper_model(Z_inv: float = 1.0) -> Model:
    """The paper's K3C60 model (App. D) at 1/Z = ``Z_inv``."""
    return materials.load(PAPER_PRESET, Z=1.0 / Z_inv)


def type_I_point(onset: float, type_II: float) -> float:
    """1/Z in the middle of the type-I window (onset, type_II) of the Mott path, to 0.01
    (0.25 past the onset when the path never turns to type II)."""
    return round(0.5 * (onset + type_II) if math.isfinite(type_II) else onset + 0.25, 2)


def _K(T: float, model: Model) -> float:
    return float(temperature_to_K(T, model.omega_meV))


def _fig2_temperatures(model: Model, kind: str) -> np.ndarray:
    """Fig. 2a (type I): T = 0, T_c < T < T_B, T > T_B; Fig. 2c (type II): T = 0, the
    first-order T_c, between it and T_B, T > T_B (hbar*omega)."""
    T_B = landscape.untrapping_temperature(model)
    above = 1.15 * T_B
    if kind == "I":
        middle = 0.5 * (model.Tc + T_B) if T_B > 1.1 * model.Tc else 0.6 * T_B
        return np.array([0.0, middle, above])
    T_1 = landscape.first_order_temperature(model)
    return np.array([0.0, T_1, 0.5 * (T_1 + T_B), above])


def _fig2(model: Model, kind: str, Z_inv: float) -> tuple[xr.Dataset, xr.Dataset, plt.Figure]:
    T_B = landscape.untrapping_temperature(model)
    curves = curves_study.landscape_curves(model, _fig2_temperatures(model, kind))
    gaps = curves_study.landscape_curves(model, np.linspace(0.0, 1.1 * T_B, 89), Q=np.array([0.0]))
    fig, ax = plots.landscapes_with_gap(curves, gaps)
    ax.set_title(f"type {kind}: K3C60 at 1/Z = {Z_inv:g}, T_B = {_K(T_B, model):.0f} K")
    return curves, gaps, fig


def _fig3(models: dict[str, tuple[float, Model]]) -> tuple[dict[str, xr.Dataset], plt.Figure]:
    fig, axs = plt.subplots(1, 2, figsize=(13.0, 5.2), gridspec_kw={"wspace": 0.35})
    surfaces = {}
    for ax, (kind, (Z_inv, m)) in zip(axs, models.items(), strict=True):
        cp = landscape.critical_points(m)
        Q = np.linspace(0.0, 1.35 * float(cp.Q_MS), 141)
        delta = np.linspace(0.0, 1.3 * float(cp.Delta_MS), 121)
        ds = curves_study.free_energy_surface(m, Q, delta)
        lowest = min(float(cp.F_0), float(cp.F_MS))
        top = float(cp.F_B) + 1.5 * (float(cp.F_B) - lowest)  # the saddle well inside the scale
        plots.free_energy_surface(ds, ax, top_meV=top * m.omega_meV)
        ax.set_title(f"metastable {kind}: K3C60 at 1/Z = {Z_inv:g}, T = 0")
        surfaces[kind] = ds
    return surfaces, fig


def _fig4c(model: Model) -> tuple[xr.Dataset, xr.Dataset, plt.Figure]:
    T = float(temperature_from_K(FIG4C_T_K, model.omega_meV))
    n_normal = float(bcs.quasiparticle_density(0.0, T, model.nu, model.cutoff))
    curve = thermodynamics.trapped_gap_curve(
        model, [T], np.geomspace(1e-7 * n_normal, (1 - 1e-9) * n_normal, 400)
    )
    held = trapping.trapped_state(model, np.linspace(0.0, 5.0, 11), T)
    fig, ax = trap_plots.protocol_on_fig4c(curve, held)
    ax.set_title(f"K3C60 at Z = 1, T = {FIG4C_T_K:.0f} K")
    return curve, held, fig


def section(model: Model, out: Path) -> Section:
    """Figs. 2a, 2b, 2c, 3 and 4c of the paper for the paper's K3C60 model (``model`` unused:
    the figures are the paper's, whatever the report is of)."""
    del model
    bare = paper_model()
    Z_inv = np.unique(np.concatenate([np.linspace(1.0, Z_INV_MAX, 121), np.arange(1.0, 8.0)]))
    path = metastability_path(bare, Z_inv, Z_inv_max=Z_INV_MAX)
    path.attrs["material"] = PAPER_PRESET
    onset, type_II = float(path.attrs["onset_Z_inv"]), float(path.attrs["type_II_Z_inv"])
    z_I = type_I_point(onset, type_II)
    m_I, m_II = paper_model(z_I), paper_model(Z_INV_TYPE_II)

    dE = np.linspace(0.2, 3.0, GRID)
    nu = np.linspace(0.3, 4.6, GRID)
    diagram = phase_diagram(dE, nu, bare.g, bare.lam_eff, bare.cutoff, omega_meV=bare.omega_meV)
    marks = [
        (m_I.nu, m_I.dE, f"Fig. 2a/3: 1/Z = {z_I:g} (type I)"),
        (m_II.nu, m_II.dE, f"Fig. 2c/3: 1/Z = {Z_INV_TYPE_II:g} (type II)"),
    ]
    fig2b, ax2b = plots.phase_diagram(diagram, path, marks=marks)
    ax2b.set_title("Fig. 2b: g ℓ₀/ω = 0.6, λ_eff = 0.3, T = 0")
    curves_I, gaps_I, fig2a = _fig2(m_I, "I", z_I)
    curves_II, gaps_II, fig2c = _fig2(m_II, "II", Z_INV_TYPE_II)
    surfaces, fig3 = _fig3({"I": (z_I, m_I), "II": (Z_INV_TYPE_II, m_II)})
    curve4c, held4c, fig4c = _fig4c(bare)

    files = {
        "fig2a_landscape": curves_I,
        "fig2a_gaps": gaps_I,
        "fig2b_phase_diagram": diagram,
        "fig2b_mott_path": path,
        "fig2c_landscape": curves_II,
        "fig2c_gaps": gaps_II,
        "fig3_type_I": surfaces["I"],
        "fig3_type_II": surfaces["II"],
        "fig4c_trapped_gap": curve4c,
        "fig4c_protocol": held4c,
    }
    for stem, ds in files.items():
        save_dataset(ds, out / f"{stem}.nc")
    figures = {
        "fig2a.png": fig2a,
        "fig2b.png": fig2b,
        "fig2c.png": fig2c,
        "fig3.png": fig3,
        "fig4c.png": fig4c,
    }
    for name, fig in figures.items():
        save(fig, out / name, stamp="the paper's K3C60 model (App. D)")

    T_I, T_II = (_fig2_temperatures(m, k) for m, k in ((m_I, "I"), (m_II, "II")))
    K_I = ", ".join(f"{_K(t, m_I):.0f}" for t in T_I)
    K_II = ", ".join(f"{_K(t, m_II):.0f}" for t in T_II)
    w = bare.omega_meV
    params = (
        f"g ℓ₀/ω = {bare.g:g}, ν(0)ω = {bare.nu:g}/Z, ΔE = {bare.dE * w:.0f} meV·Z, "
        f"λ_eff = {bare.lam_eff:g}, ħω = {w:.1f} meV"
    )
    captions = {
        "fig2a.png": f"Reproduces Fig. 2a: type-I landscape F(Q) - F(0) at T = {K_I} K (T = 0, "
        "T_c < T < T_B, T > T_B in grey) with the inset Δ_MS(T) against the equilibrium Δ(T). "
        f"K3C60 at 1/Z = {z_I:g}, the middle of the type-I window {onset:.3f} < 1/Z < "
        f"{type_II:.3f}; T_c = {m_I.Tc_K:.1f} K. {params}.",
        "fig2b.png": "Reproduces Fig. 2b: kind of metastability at T = 0 on (ν(0), ΔE), T_B "
        "contours in K, the K3C60 Mott path from the DFT values (Z = 1, top left) to Z = 1/7, "
        f"stars labelled with 1/Z, and the points of Figs. 2a, 2c and 3. {GRID} x {GRID} grid; "
        "g ℓ₀/ω = 0.6, λ_eff = 0.3.",
        "fig2c.png": f"Reproduces Fig. 2c: type-II landscape at T = {K_II} K (T = 0, the "
        "first-order transition, between it and T_B, T > T_B) with the inset Δ_MS(T) against "
        f"Δ(T). K3C60 at 1/Z = {Z_INV_TYPE_II:g}, past the I-II boundary at {type_II:.3f}. "
        f"{params}.",
        "fig3.png": "Reproduces Fig. 3: F(Q, Δ) (meV, Δ not self-consistent) at T = 0 for "
        f"type I (left, 1/Z = {z_I:g}) and type II (right, 1/Z = {Z_INV_TYPE_II:g}); both minima "
        "and the saddle marked; values above the colour bar's arrow share its top colour.",
        "fig4c.png": "Reproduces Fig. 4c: trapped gap Δ_tr (meV) against the frozen "
        f"quasi-particle density n* at T = {FIG4C_T_K:.0f} K, saturating at Δ₀(U₀) (dashed); "
        "the points are the states reached by holding Q* = 0..5 ℓ₀. K3C60 at Z = 1 (Δ_tr in "
        "meV does not depend on Z at fixed λ_eff; n* scales with ν(0)).",
    }
    summary = {
        "preset": PAPER_PRESET,
        "onset_Z_inv": onset,
        "type_II_Z_inv": type_II,
        "fig2a_Z_inv": z_I,
        "fig2c_Z_inv": Z_INV_TYPE_II,
        "fig2a_T_K": [_K(t, m_I) for t in T_I],
        "fig2c_T_K": [_K(t, m_II) for t in T_II],
        "fig2a_T_B_K": _K(landscape.untrapping_temperature(m_I), m_I),
        "fig2c_T_B_K": _K(landscape.untrapping_temperature(m_II), m_II),
        "fig2c_first_order_K": _K(landscape.first_order_temperature(m_II), m_II),
        "fig4c_T_K": FIG4C_T_K,
        "grid": GRID,
    }
    first_order = summary["fig2c_first_order_K"]
    rows = {
        "model": "the bundled K3C60 preset (App. D), on its Mott path 1/Z = 1..7",
        "type-I window of 1/Z": f"{onset:.4f} to {type_II:.4f}",
        "Fig. 2a / Fig. 3 left": f"1/Z = {z_I:g}, T_B = {summary['fig2a_T_B_K']:.1f} K",
        "Fig. 2c / Fig. 3 right": (
            f"1/Z = {Z_INV_TYPE_II:g}, first order at {first_order:.1f} K, "
            f"T_B = {summary['fig2c_T_B_K']:.1f} K"
        ),
        "Fig. 4c": f"Z = 1 at {FIG4C_T_K:.0f} K",
    }
    if not math.isfinite(type_II):
        rows["type-I window of 1/Z"] = f"from {onset:.4f} (no type II by 1/Z = {Z_INV_MAX:g})"
    return Section(
        title="The paper's figures (Figs. 2a, 2b, 2c, 3, 4c)",
        rows=rows,
        figures=list(figures),
        data=[f"{stem}.nc" for stem in files],
        summary=summary,
        captions=captions,
        notes="The paper's figures, recomputed at the paper's parameters whatever material the "
        "report is of. The paper calls its landscapes schematic; these are the model's. "
        f"Parameters are those of Appendix D with λ_eff = 0.3, which gives T_c = {bare.Tc_K:.1f} "
        "K rather than the 20 K the paper states (see the table of the paper's numbers).",
    )
