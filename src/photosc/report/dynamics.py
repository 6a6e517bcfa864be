"""Report section: a driven trajectory (eq. 6), escape times and the metastable lifetime."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import landscape
from photosc.plotting import dynamics as plots
from photosc.plotting import save
from photosc.report.section import ReportContext, Section
from photosc.studies import drive
from photosc.studies.nucleation import nucleation_note
from photosc.studies.phase_diagram import mott_onsets
from photosc.units import temperature_from_K, temperature_to_K

#: How far past the onset of metastability (in 1/Z) a non-metastable model is shown.
_PAST_ONSET = 0.25
#: Escapes are simulated only where the one-site lifetime is at most this (ns): 512 runs.
_QUICK_NS = 0.05


def section(model: Model, out: Path, *, context: ReportContext | None = None) -> Section:
    """Pulse into the metastable well at 100 K (or T_B/2 if T_B < 110 K), eq. 6 for each site
    alone (sites = 1; the lifetime of the lattice is the nucleation section's); lifetime versus
    T up to T_B; escape times for a short-lived case
    (sites for a 50 ps lifetime) against the rates. A model without a metastable state is shown
    0.25 in 1/Z past the onset on its Mott path (1/Z counted from the material's bare
    parameters, ``context.base``), and the section says so. Where even the one-site lifetime is
    too long to watch escapes (> 50 ps), the escape simulation is left out and the section says
    so."""
    title = "Driven dynamics and lifetime (eq. 6)"
    T_B = landscape.untrapping_temperature(model)
    base, Z_inv0 = (model, 1.0) if context is None else (context.base, context.Z_inv)
    shown_at = "this model" if context is None else context.label
    if not np.isfinite(T_B):
        # not metastable itself: show the first metastable stretch of its Mott path instead
        onset, _ = mott_onsets(base)
        if not np.isfinite(onset) or onset < Z_inv0:
            return Section(
                title=title,
                rows={"driven dynamics": "no metastable minimum, also not along the Mott path"},
                summary={"metastable": False},
            )
        Z_inv = round(onset + _PAST_ONSET, 2)
        model = base.renormalized(1 / Z_inv)
        T_B = landscape.untrapping_temperature(model)
        shown_at = f"1/Z = {Z_inv:g} on the Mott path (not metastable at the given Z)"
    T_B_K = float(temperature_to_K(T_B, model.omega_meV))
    T_K = 100.0 if T_B_K > 110.0 else 0.5 * T_B_K
    T = float(temperature_from_K(T_K, model.omega_meV))
    gamma = drive.gamma_from_ringdown(drive.RINGDOWN_PS, model)
    sites = 1.0
    note = nucleation_note(model, T)
    traj = drive.drive_trajectories(model, T_K, gamma=gamma, sites=sites, n_traj=32)
    life = drive.lifetime_curve(model, np.linspace(0.05, 0.98, 12) * T_B_K, sites=sites)
    at_T = drive.lifetime_curve(model, [T_K])  # one site
    tau = float(at_T["tau_esc"].values[0])
    tau_k = float(at_T["tau_kramers"].values[0])
    files = {"drive_trajectories": traj, "lifetime": life}
    stamp = "" if context is None else shown_at
    if context is not None and shown_at != context.label:
        stamp = f"{context.material}, {shown_at}"
    figures = {
        "trajectory.png": plots.plot_trajectory(traj),
        "gap_trajectory.png": plots.plot_gap_trajectory(traj),
        "lifetime_vs_T.png": plots.plot_lifetimes(life),
    }
    escape = None
    if tau <= _QUICK_NS:
        quick_sites = drive.sites_for_lifetime(model, T, gamma, lifetime_ns=_QUICK_NS)
        escape = drive.escape_times(model, T_K, gamma=gamma, sites=quick_sites, n_traj=512)
        files["escape_times"] = escape
        figures["escape_times.png"] = plots.plot_escape_histogram(escape)
    for stem, ds in files.items():
        save_dataset(ds, out / f"{stem}.nc")
    for name, (fig, _) in figures.items():
        save(fig, out / name, stamp=stamp)

    summary = {
        "metastable": True,
        "shown_for": shown_at,
        "T_K": T_K,
        "gamma": gamma,
        "nucleation_lifetime": note,
        "trapped_fraction": traj.attrs["trapped_fraction"],
        "barrier_meV": traj.attrs["barrier_meV"],
        "tau_esc_ns_one_site": tau,
        "tau_kramers_ns_one_site": tau_k,
        "escape_rate_per_s": None if escape is None else escape.attrs["rate_per_s"],
        "kramers_rate_per_s": None if escape is None else escape.attrs["kramers_rate_per_s"],
    }
    rows = {
        "shown for": shown_at,
        "bath temperature": f"{T_K:.0f} K (T_B = {T_B_K:.1f} K)",
        "damping": f"gamma = {gamma:.3g} omega (10 ps ring-down)",
        "barrier per site": f"{traj.attrs['barrier_meV']:.3f} meV",
        "lifetime, one site": f"{tau:.3g} ns (turnover), {tau_k:.3g} ns (Kramers)",
        "nucleation lifetime": note,
        "trapped by the default pulse": f"{100 * traj.attrs['trapped_fraction']:.0f}%",
        "escape rate, simulated / turnover / Kramers": (
            f"{escape.attrs['rate_per_s']:.3g} / {escape.attrs['turnover_rate_per_s']:.3g} / "
            f"{escape.attrs['kramers_rate_per_s']:.3g} s^-1"
            if escape is not None
            else f"not simulated: the one-site lifetime {tau:.3g} ns is too long to watch "
            f"escapes (> {_QUICK_NS * 1e3:g} ps); rates only"
        ),
    }
    captions = {
        "trajectory.png": f"Raman coordinate Q(t) (ℓ₀) of 32 trajectories of eq. 6 under "
        f"the default pulse at {T_K:.0f} K; trapped in colour, Q_B and Q_MS marked; {shown_at}.",
        "gap_trajectory.png": "The adiabatic gap Δ(Q(t)) (meV) along the same trajectories; "
        f"{shown_at}.",
        "lifetime_vs_T.png": "Lifetime of one site's metastable state (ns) against T; hollow "
        f"where barrier / T < 2 (outside the rate formulas' regime); {shown_at}.",
        "escape_times.png": f"Simulated escape times at {T_K:.0f} K against the turnover and "
        f"Kramers laws; {shown_at}.",
    }
    return Section(
        title=title,
        rows=rows,
        figures=list(figures),
        data=[f"{stem}.nc" for stem in files],
        summary=summary,
        captions={k: v for k, v in captions.items() if k in figures},
        notes="Eq. 6 integrated with BAOAB in the adiabatic landscape F(Q, T), for each site "
        "alone (sites = 1); how long the lattice stays metastable is set by nucleation (see "
        "that section; the line here uses a 1 meV Raman branch width in d = 3). "
        "With the 10 ps ring-down the mode is weakly damped: escape is limited by energy "
        "diffusion, and the lifetime uses Kramers' rate times the Mel'nikov-Meshkov factor.",
    )
