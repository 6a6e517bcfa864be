"""Report section: the trapping protocol in the energy-resolved (Chang-Scalapino) kinetics."""

from __future__ import annotations

import math
from pathlib import Path

from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import spectra
from photosc.plotting import kinetic as plots
from photosc.plotting import save
from photosc.report.section import Section
from photosc.studies import quasiparticle_kinetics as qk

#: Held displacement (l0), bath temperature (in T_c) and the run's length after the release (ps).
Q_STAR = 3.0
T_OVER_TC = 2.0
AFTER_PS = 100.0
#: A coarse grid and tolerance keep the section to a few seconds (Delta to ~1e-3 relative).
POINTS = 64
RTOL = 1e-4


def section(model: Model, out: Path) -> Section:
    """One protocol run at 2 T_c (ideal phonon bath, K3C60 model alpha^2 F): f(E, t), Delta(t),
    n(t) and the gap left after the release, beside the frozen-n picture of eqs. 9-11."""
    title = "Energy-resolved quasi-particle kinetics"
    T_K = T_OVER_TC * model.Tc_K
    try:
        ds = qk.trajectory(
            model, spectra.k3c60(model.omega_meV), T_K, Q_STAR, after_ps=AFTER_PS,
            points=POINTS, rtol=RTOL,
        )  # fmt: skip
    except (ValueError, RuntimeError) as exc:
        return Section(
            title=title, rows={"kinetics": f"not run: {exc}"}, summary={"error": str(exc)}
        )
    save_dataset(ds, out / "kinetics.nc")
    figures = {
        "kinetics_distribution.png": plots.distribution(ds)[0],
        "kinetics_gap.png": plots.gap([ds])[0],
        "kinetics_density.png": plots.density([ds])[0],
    }
    for name, fig in figures.items():
        save(fig, out / name)
    a = ds.attrs
    keys = ("delta_release_meV", "n_release", "half_life_ns", "delta_tr_meV", "n_star",
            "half_life_rate_eq_ns", "tau_g_ns")  # fmt: skip
    summary = {"T_K": T_K, "Q_star": Q_STAR, **{k: float(a[k]) for k in keys}}
    trapped = a["delta_release_meV"] > 0
    rows = {
        f"after the release at {T_K:.0f} K": (
            f"Delta = {a['delta_release_meV']:.3g} meV, n = {a['n_release']:.3g}/site, "
            f"half-life {_ns(a['half_life_ns'])}"
            if trapped
            else f"nothing trapped: the gap is gone (n = {a['n_release']:.3g}/site)"
        ),
        "frozen-n picture (eqs. 9-11)": (
            f"Delta_tr = {a['delta_tr_meV']:.3g} meV at n* = {a['n_star']:.3g}/site, "
            f"rate-equation half-life {_ns(a['half_life_rate_eq_ns'])}, "
            f"tau_g = {_ns(a['tau_g_ns'])}"
            if a["delta_tr_meV"] > 0
            else "no trapped gap at this n*"
        ),
    }
    return Section(
        title=title,
        rows=rows,
        figures=list(figures),
        data=["kinetics.nc"],
        summary=summary,
        notes=f"Q ramps to Q* = {Q_STAR:g} l0 over 10 ps, holds 10 ps and relaxes over the "
        "10 ps ring-down; the quasi-particle occupation f(xi, t) and the gap follow Kaplan's "
        "golden-rule kernels (scattering, recombination, pair breaking) with the phonons at the "
        f"bath (coarse grid, {POINTS} nodes; `photosc kinetics` for converged runs and phonon "
        "escape). The frozen-n picture assumes no quasi-particle is generated during the release.",
    )


def _ns(value: float) -> str:
    if math.isnan(value):
        return "-"
    return "beyond the run" if math.isinf(value) else f"{value:.3g} ns"
