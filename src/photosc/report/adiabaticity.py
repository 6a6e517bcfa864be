"""Report section: is the release of the trapping protocol adiabatic for the electrons?
(collisionless BCS under U(Q(t)), ``studies.adiabaticity``)."""

from __future__ import annotations

from pathlib import Path

from photosc.io import save_dataset
from photosc.model import Model
from photosc.plotting import adiabaticity as plots
from photosc.plotting import save
from photosc.report.section import Section
from photosc.studies import adiabaticity, drive

#: Held displacement (l0), as in the trapping section.
Q_STAR = 3.0
#: Bath temperature of the release (K), raised to 2 T_c for presets with T_c above it.
T_RELEASE_K = 100.0
#: n_exc / (n_loss - n*) below which the heating is called negligible.
NEGLIGIBLE = 0.1


def section(model: Model, out: Path) -> Section:
    """Release from Q* = 3 at 100 K (or 2 T_c) over the paper's 10 ps ring-down, ringing and
    monotonic; n_exc against n* and n_loss - n*. The map and the driven trajectory are the
    ``photosc adiabaticity`` command's (they take minutes)."""
    T_K = max(T_RELEASE_K, 2.0 * model.Tc_K)
    tau = drive.RINGDOWN_PS
    runs = {p: adiabaticity.release(model, Q_STAR, T_K, tau, p) for p in adiabaticity.PROTOCOLS}
    for p, ds in runs.items():
        save_dataset(ds, out / f"release_{p}.nc")
    figures = {
        "release_gap_ringing.png": plots.release_gap(runs["ringing"])[0],
        "release_excitations.png": plots.release_excitations(runs)[0],
    }
    for name, fig in figures.items():
        save(fig, out / name)
    a = runs["ringing"].attrs
    margin = a["n_loss"] - a["n_star"]
    rows = {
        "release": f"Q* = {Q_STAR:g} l0 held at {T_K:g} K, ring-down {tau:g} ps",
        "Delta* / n* / n_loss": f"{a['delta_star_meV']:.2f} meV / {a['n_star']:.3g} / "
        f"{a['n_loss']:.3g} per site",
    }
    summary: dict[str, object] = {"Q_star": Q_STAR, "T_K": T_K, "ringdown_ps": tau}
    for p, ds in runs.items():
        n_exc = ds.attrs["n_exc_final"]
        if margin > 0:
            share = n_exc / margin
            verdict = "negligible" if share < NEGLIGIBLE else "NOT negligible"
            rows[f"n_exc, {p}"] = f"{n_exc:.3g} per site = {share:.2g} x (n_loss - n*): {verdict}"
        else:
            rows[f"n_exc, {p}"] = f"{n_exc:.3g} per site (no trapped gap at this n*)"
        summary[p] = {
            "n_exc": n_exc,
            "delta_final_meV": ds.attrs["delta_final_meV"],
            "negligible": bool(margin > 0 and n_exc < NEGLIGIBLE * margin),
        }
    rows["final gap (collisionless / trapped)"] = (
        f"{a['delta_final_meV']:.2f} / {a['delta_tr_meV']:.2f} meV"
    )
    summary |= {k: a[k] for k in ("delta_star_meV", "n_star", "n_loss", "delta_tr_meV")}
    return Section(
        title="Is the release adiabatic? (collisionless BCS)",
        rows=rows,
        figures=list(figures),
        data=[f"release_{p}.nc" for p in runs],
        summary=summary,
        notes="The electrons follow U(Q(t)) by the collisionless time-dependent BCS equations "
        "(Anderson pseudospins). Ringing: Q is released from rest and oscillates at omega while "
        "it rings down, so U(Q) falls from U* within a quarter period (~11 fs for 22 THz), "
        "faster than hbar/Delta*; monotonic: Q* e^(-t/tau). n_exc: quasi-particles above the "
        "instantaneous BCS ground state, eq. 11 normalisation. Map over ring-down time and "
        "Delta*, n_exc against the time over which the holding force is switched off, and a "
        "driven trajectory: photosc adiabaticity.",
    )
