"""Report section: quasi-particle trapping (Fig. 4), golden-rule times and the gap's half-life."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import bcs, rates, spectra
from photosc.plotting import save
from photosc.plotting import trapping as plots
from photosc.report.section import ReportContext, Section
from photosc.studies import kinetics, thermodynamics, trapping
from photosc.units import energy_to_meV, temperature_from_K

#: Held displacement of the protocol (l0) used for the times versus T.
Q_STAR = 3.0
#: A trapped gap below this fraction of Delta0(U0) counts as nothing trapped.
_TRAPPED = 1e-3
#: The paper's weak-coupling ratio 2 Delta0 / T_c (Discussion of eq. 12).
PAPER_GAP_RATIO = 3.54


def section(model: Model, out: Path, *, context: ReportContext | None = None) -> Section:
    """Delta_tr over (Q*, T), Fig. 4c with the protocol at 2 T_c, alpha^2 F, tau_g, tau_s, tau_r
    and the half-life versus T (K3C60 model spectrum), a relaxation Delta_tr(t) at 2 T_c.

    Where holding Q* = 3 traps no gap at 2 T_c (weak coupling g, a large dE, a strong U0),
    there is nothing to relax: the section says so and shows the maps and Fig. 4c only."""
    label = context.label if context is not None else ""
    meV = model.omega_meV
    a2F = spectra.k3c60(meV)
    Tc_K = model.Tc_K
    T_map = temperature_from_K(np.linspace(0.5, 3.0, 26) * Tc_K, meV)
    Q = np.linspace(0.0, 5.0, 26)
    state = trapping.trapped_state(model, Q, T_map)

    T_fig = float(temperature_from_K(2.0 * Tc_K, meV))
    at_T = trapping.trapped_state(model, Q[::5], T_fig)
    n_normal = float(bcs.quasiparticle_density(0.0, T_fig, model.nu, model.cutoff))
    curve = thermodynamics.trapped_gap_curve(
        model, [T_fig], np.geomspace(1e-7 * n_normal, (1 - 1e-9) * n_normal, 400)
    )
    T_low = float(temperature_from_K(0.3 * Tc_K, meV))
    low = trapping.trapped_state(model, Q[::5], T_low)
    n_low = np.geomspace(1e-7 * n_normal, 0.5 * 4 * model.nu * model.cutoff, 400)
    bistable = thermodynamics.trapped_gap_curve(model, [T_low], n_low)
    several = (bistable["Delta_branches"].notnull().sum("branch") > 1).squeeze("T")
    T_times = temperature_from_K(np.linspace(0.5, 3.5, 31) * Tc_K, meV)
    times = kinetics.lifetimes(model, a2F, T_times, Q_STAR)
    held = at_T.sel(Q_star=Q_STAR).squeeze()
    traps = float(held["delta_tr"]) > _TRAPPED * model.Delta0

    # file names as from `photosc trap` and `photosc lifetime`
    fig_2Tc, fig_low = f"fig4c_{2 * Tc_K:.0f}K", f"fig4c_{0.3 * Tc_K:.0f}K"
    relax_stem = f"relaxation_{2 * Tc_K:.0f}K"
    files = {"trapped_state": state, fig_2Tc: curve, fig_low: bistable, "lifetimes": times}
    figures = {
        "trapped_gap_map.png": plots.trapped_gap_map(state)[0],
        f"{fig_2Tc}.png": plots.protocol_on_fig4c(curve, at_T)[0],
        f"{fig_low}.png": plots.protocol_on_fig4c(bistable, low)[0],
        "spectrum.png": plots.spectrum(a2F, meV, 2 * energy_to_meV(model.Delta0, meV))[0],
    }
    if np.isfinite(times["tau_g"]).any():
        figures["lifetimes.png"] = plots.lifetimes(times)[0]
    relax = kinetics.relaxation(model, a2F, T_fig, float(held["n_star"])) if traps else None
    if relax is not None:
        files[relax_stem] = relax
        figures[f"{relax_stem}.png"] = plots.relaxation(relax)[0]
    for stem, ds in files.items():
        save_dataset(ds, out / f"{stem}.nc")
    for name, fig in figures.items():
        save(fig, out / name, stamp=label)

    bound = float(rates.activation_factor(PAPER_GAP_RATIO))
    paper = math.sqrt(PAPER_GAP_RATIO / 2) * math.exp(PAPER_GAP_RATIO)
    above = times.where(times["T_K"] > Tc_K, drop=True)
    finite = above["half_life"].where(np.isfinite(above["half_life"]), drop=True)
    longest = float(finite.max()) if finite.size else math.nan
    n_two = bistable["n_star"].where(several, drop=True).values
    two_branches = [float(n_two.min()), float(n_two.max())] if n_two.size else []
    T2_K = 2.0 * Tc_K
    summary: dict[str, object] = {
        "Q_star": Q_STAR,
        "traps_at_2Tc": traps,
        "two_branch_n_star_range_at_0.3Tc": two_branches,
        "spectrum": dict(spectra.K3C60_DEFAULTS),
        "tau_g_over_tau0_bound_at_Tc": bound,
        "paper_quoted_bound": 45.9,
        "longest_half_life_above_Tc_ns": None if math.isnan(longest) else longest,
        "relaxation_2Tc": None,
    }
    rows = {
        "alpha^2F model": f"K3C60 (lam_bath = {a2F.coupling(a2F.parts[0].omega_max):.3g}, "
        f"lam_Hg(1) = {a2F.parts[1].coupling():.3g}; scales are choices)",
        "tau_g/tau_0 bound at T_c": f"{bound:.2f} for 2Delta0/T_c = {PAPER_GAP_RATIO} "
        f"(paper: 45.9 = {paper:.2f}, a slip)",
        "eq. 13": "1/tau_0 = 2 pi^1.5 a2F(2Delta0) * 2Delta0 / hbar (printed without 2Delta0)",
    }
    if relax is not None:
        d_relax = energy_to_meV(relax.attrs["delta_tr0"], meV)
        summary["relaxation_2Tc"] = {
            "T_K": relax.attrs["T_K"],
            "delta_tr0_meV": d_relax,
            "half_life_ns": relax.attrs["half_life_ns"],
            "tau_g_ns": relax.attrs["tau_g_ns"],
            "tau_g_asymptotic_ns": relax.attrs["tau_g_asymptotic_ns"],
        }
        rows[f"trapped gap at {T2_K:.0f} K, Q* = {Q_STAR:g}"] = f"{d_relax:.3f} meV"
        rows[f"half-life at {T2_K:.0f} K"] = (
            f"{relax.attrs['half_life_ns']:.3g} ns (tau_g = {relax.attrs['tau_g_ns']:.3g} ns)"
        )
    else:
        rows[f"trapped gap at {T2_K:.0f} K, Q* = {Q_STAR:g}"] = (
            "none: holding Q* traps no gap at 2 T_c, nothing to relax (no relaxation shown)"
        )
    rows["longest half-life above T_c"] = (
        f"{longest:.3g} ns (experiments: > 10 ns)"
        if finite.size
        else "- (no gap trapped above T_c)"
    )
    rows["two trapped-gap branches (0.3 T_c)"] = (
        f"n* in [{two_branches[0]:.3g}, {two_branches[1]:.3g}] per site (lam < 0 only)"
        if two_branches
        else "none found"
    )
    at = f"{label}; " if label else ""
    captions = {
        "trapped_gap_map.png": "Trapped gap Δ_tr (meV) after holding Q* (ℓ₀) at temperature T "
        f"and releasing it (eqs. 9-11); hatched: loses to the normal state. {at}"
        f"T_c = {Tc_K:.1f} K.",
        f"{fig_2Tc}.png": "Fig. 4c of the paper at T = 2 T_c = "
        f"{T2_K:.0f} K: Δ_tr against the frozen density n*, every solution of eqs. 10-11 "
        f"dotted, the states reached by holding Q* = 0..5 ℓ₀ as points. {at}",
        f"{fig_low}.png": f"As Fig. 4c at T = 0.3 T_c = {0.3 * Tc_K:.0f} K, where "
        f"two superconducting branches coexist (λ < 0). {at}",
        "spectrum.png": "Model electron-phonon spectral density α²F(Ω) of K3C60 "
        "(cf. Fig. 4b): a weakly coupled bath below 6 meV, the Hg(1) mode at 33 meV; "
        "2Δ₀ marked.",
        "lifetimes.png": f"Golden-rule times τ_g, τ_s, τ_r (eqs. C3-C5) and the half-life "
        f"of Δ_tr after holding Q* = {Q_STAR:g} ℓ₀, against T; eq. 12-13's asymptote dotted. "
        f"{at}",
        f"{relax_stem}.png": f"Δ_tr(t) after the pulse at T = {T2_K:.0f} K from dn/dt = G - R "
        f"with the gap re-solved from n; Q* = {Q_STAR:g} ℓ₀. {at}",
    }
    return Section(
        title="Quasi-particle trapping and its lifetime",
        rows=rows,
        figures=list(figures),
        data=[f"{stem}.nc" for stem in files],
        summary=summary,
        captions={k: v for k, v in captions.items() if k in figures},
        notes="Hold Q* at T, release: the frozen density n* keeps a gap Delta_tr (eqs. 9-11); "
        "hatched map cells are trapped states that lose to the normal state at the same n*. "
        "Times from the golden-rule rates C3-C5 at the trapped state; the half-life integrates "
        "dn/dt = G - R per site with the gap re-solved from n. C5 as printed carries "
        "(1 - f(Delta)); detailed balance with C3 needs f(Delta): the rates here are per tagged "
        "state given its occupation.",
    )
