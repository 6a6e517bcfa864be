"""Report section: a driven trajectory (eq. 6), escape times and the metastable lifetime."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import landscape
from photosc.plotting import dynamics as plots
from photosc.plotting import save
from photosc.report.section import Section
from photosc.studies import drive
from photosc.studies.nucleation import nucleation_note
from photosc.studies.phase_diagram import mott_onsets
from photosc.units import temperature_from_K, temperature_to_K

#: How far past the onset of metastability (in 1/Z) a non-metastable model is shown.
_PAST_ONSET = 0.25


def section(model: Model, out: Path) -> Section:
    """Pulse into the metastable well at 100 K (or T_B/2 if T_B < 110 K), eq. 6 for each site
    alone (sites = 1; the lifetime of the lattice is the nucleation section's); lifetime versus
    T up to T_B; escape times for a short-lived case
    (sites for a 50 ps lifetime) against the rates. A model without a metastable state is shown
    0.25 in 1/Z past the onset on its Mott path, and the section says so."""
    title = "Driven dynamics and lifetime (eq. 6)"
    T_B = landscape.untrapping_temperature(model)
    shown_at = "this model"
    if not np.isfinite(T_B):
        # not metastable itself: show the first metastable stretch of its Mott path instead
        onset, _ = mott_onsets(model)
        if not np.isfinite(onset):
            return Section(
                title=title,
                rows={"driven dynamics": "no metastable minimum, also not along the Mott path"},
                summary={"metastable": False},
            )
        Z_inv = round(onset + _PAST_ONSET, 2)
        model = model.renormalized(1 / Z_inv)
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
    quick_sites = drive.sites_for_lifetime(model, T, gamma, lifetime_ns=0.05)
    escape = drive.escape_times(model, T_K, gamma=gamma, sites=quick_sites, n_traj=512)

    files = {"drive_trajectories": traj, "lifetime": life, "escape_times": escape}
    for stem, ds in files.items():
        save_dataset(ds, out / f"{stem}.nc")
    figures = {
        "drive_trajectory.png": plots.plot_trajectory(traj),
        "drive_gap.png": plots.plot_gap_trajectory(traj),
        "lifetime_vs_T.png": plots.plot_lifetimes(life),
        "escape_times.png": plots.plot_escape_histogram(escape),
    }
    for name, (fig, _) in figures.items():
        save(fig, out / name)

    at_T = drive.lifetime_curve(model, [T_K])  # one site
    tau = float(at_T["tau_esc"].values[0])
    tau_k = float(at_T["tau_kramers"].values[0])
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
        "escape_rate_per_s": escape.attrs["rate_per_s"],
        "kramers_rate_per_s": escape.attrs["kramers_rate_per_s"],
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
        ),
    }
    return Section(
        title=title,
        rows=rows,
        figures=list(figures),
        data=[f"{stem}.nc" for stem in files],
        summary=summary,
        notes="Eq. 6 integrated with BAOAB in the adiabatic landscape F(Q, T), for each site "
        "alone (sites = 1); how long the lattice stays metastable is set by nucleation (see "
        "that section; the line here uses a 1 meV Raman branch width in d = 3). "
        "With the 10 ps ring-down the mode is weakly damped: escape is limited by energy "
        "diffusion, and the lifetime uses Kramers' rate times the Mel'nikov-Meshkov factor.",
    )
