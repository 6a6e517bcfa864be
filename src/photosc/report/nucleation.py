"""Report section: how long the metastable state lives by nucleation on the lattice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from photosc.io import save_dataset
from photosc.model import Model
from photosc.physics import landscape
from photosc.physics import nucleation as nuc
from photosc.plotting import nucleation as plots
from photosc.plotting import save
from photosc.report.section import Section
from photosc.studies import nucleation as study
from photosc.studies.phase_diagram import mott_onsets
from photosc.units import temperature_from_K, temperature_to_K

#: Raman branch widths shown (meV): the presets' default and a stiffer lattice.
WIDTHS_MEV: tuple[float, ...] = (study.DEFAULT_WIDTH_MEV, 10.0)
#: Branch widths of the (1/Z, width) map (meV), d = 3. Measured per lattice saddle at 100 K,
#: 1/Z = 3.6: 0.15 s at 5 meV, 0.45 s at 10 meV, 1.1-2.6 s at 20-30 meV (9^3 to 15^3 sites),
#: so widths up to 5 meV fit the report's 10 s; there the saddle is a one-site step.
MAP_WIDTHS_MEV: tuple[float, ...] = (1.0, 2.5, 5.0)
#: Spacing of the map's 1/Z points (the metastability-I window at 100 K is ~0.2 wide for K3C60).
_MAP_STEP = 0.05
#: Points of 1/Z in the map: each costs ~0.8 s (two full saddle searches, at 1 and 5 meV).
_MAP_POINTS = 2
#: How far past the onset of metastability (in 1/Z) a non-metastable model is shown.
_PAST_ONSET = 0.25
TITLE = "Lifetime by nucleation on the lattice"


def _decaying_temperature(model: Model) -> float | None:
    """100 K if Q_MS decays there (metastability I), else the middle of the temperatures
    (K) where it does, None if there are none."""
    T_B = landscape.untrapping_temperature(model)
    if not np.isfinite(T_B):
        return None
    T_B_K = float(temperature_to_K(T_B, model.omega_meV))
    temps = np.linspace(0.02, 0.98, 25) * T_B_K
    kinds = [
        landscape.critical_points(model, temperature_from_K(t, model.omega_meV)).kind for t in temps
    ]
    decaying = temps[np.array(kinds) == "I"]
    if decaying.size == 0:
        return None
    if decaying.min() <= 100.0 <= decaying.max():
        return 100.0
    return float(np.median(decaying))


def _lifetime_map(model: Model, Z_inv: float, T_K: float) -> xr.Dataset:
    """tau over (1/Z, width) at T_K for up to _MAP_POINTS points of 1/Z (_MAP_STEP apart,
    nearest the shown Z_inv) where Q_MS decays, with Langer's validity (the same cached saddles)
    and the width for the experiments' lifetime where tau crosses it within MAP_WIDTHS_MEV
    (log-linear in the width), else NaN."""
    T = float(temperature_from_K(T_K, model.omega_meV))
    near = sorted(Z_inv + _MAP_STEP * np.arange(-3, 4), key=lambda z: abs(z - Z_inv))
    candidates = [round(float(z), 2) for z in near if z >= 1.0]
    decaying = [
        z for z in candidates if landscape.critical_points(model.renormalized(1 / z), T).kind == "I"
    ]
    zs = np.sort(decaying[:_MAP_POINTS])
    ds = study.lifetime_map(model, zs, MAP_WIDTHS_MEV, T_K=T_K, dim=3)
    widths = np.asarray(MAP_WIDTHS_MEV)
    valid = np.zeros((zs.size, widths.size), dtype=bool)
    needed = np.full(zs.size, np.nan)
    target = study.EXPERIMENT_LIFETIME_NS
    for i, z in enumerate(zs):
        kappas = nuc.kappa_from_width(widths / model.omega_meV, 3)
        saddles = nuc.lattice_nuclei(model.renormalized(1 / z), T, kappas, 3)
        valid[i] = [s.langer_valid for s in saddles]
        log_tau = np.log(ds["tau_ns"].values[i] / target)
        up = np.flatnonzero((log_tau[:-1] < 0) & (log_tau[1:] >= 0))
        if up.size:
            k = up[0]
            needed[i] = np.interp(0.0, log_tau[k : k + 2], widths[k : k + 2])
    ds["valid"] = (("Z_inv", "width_meV"), valid, {"units": "1", "long_name": "Langer applies"})
    ds["width_for_lifetime_meV"] = (
        ("Z_inv",),
        needed,
        {"units": "meV", "long_name": f"branch width for {target:g} ns (NaN: not in the map)"},
    )
    ds.attrs["experiment_lifetime_ns"] = target
    return ds


def section(model: Model, out: Path) -> Section:
    """Critical nucleus at 100 K (or where Q_MS decays), tau(T) for two branch widths next to
    the experiments' 10 ns, and tau over (1/Z, width) at that temperature (``_lifetime_map``).
    A model without a decaying metastable state is shown 0.25 in 1/Z
    past the onset on its Mott path, or, if there is none there either, the section says so."""
    shown_at, bare, Z_inv = "this model", model, 1.0
    T_K = _decaying_temperature(model)
    if T_K is None:
        onset, _ = mott_onsets(model)
        if np.isfinite(onset):
            Z_inv = round(onset + _PAST_ONSET, 2)
            model = model.renormalized(1 / Z_inv)
            T_K = _decaying_temperature(model)
            shown_at = f"1/Z = {Z_inv:g} on the Mott path (no decaying state at the given Z)"
    if T_K is None:
        return Section(
            title=TITLE,
            rows={
                "nucleation": "no decaying metastable state (metastability I), also not along "
                "the Mott path: nothing to nucleate"
            },
            summary={"metastable": False},
        )
    w = model.omega_meV
    T = float(temperature_from_K(T_K, w))
    kappa = float(nuc.kappa_from_width(study.DEFAULT_WIDTH_MEV / w, 3))
    profile = study.nucleus_profile(model, T_K, kappa, dim=3)
    T_B_K = float(temperature_to_K(landscape.untrapping_temperature(model), w))
    decaying = np.linspace(0.5, 0.97, 4) * T_B_K
    kinds = [landscape.critical_points(model, temperature_from_K(t, w)).kind for t in decaying]
    temps = decaying[np.array(kinds) == "I"]
    life = study.lifetime_curve(model, temps if temps.size else [T_K], WIDTHS_MEV, dim=3)
    tau_map = _lifetime_map(bare, Z_inv, T_K)
    save_dataset(profile, out / "nucleus.nc")
    save_dataset(life, out / "nucleation_lifetime.nc")
    save_dataset(tau_map, out / "nucleation_map.nc")
    figures = {
        "nucleus_profile.png": plots.plot_profile(profile),
        "nucleation_lifetime_vs_T.png": plots.plot_lifetime(life),
        "nucleus_energy_vs_T.png": plots.plot_energy(life),
        "nucleation_map.png": plots.plot_map(tau_map),
    }
    for name, (fig, _) in figures.items():
        save(fig, out / name)
    tau = study.nucleation_note(model, T)
    E_c = profile.attrs["E_c_lattice"]
    return Section(
        title=TITLE,
        rows={
            "shown for": shown_at,
            "temperature": f"{T_K:.0f} K",
            "critical nucleus (1 meV branch, d = 3)": f"E_c = {E_c * w:.3g} meV, "
            f"E_c/T = {E_c / T:.3g}, continuum radius {profile.attrs['radius_sites']:.2g} sites",
            "lifetime": tau,
        },
        figures=list(figures),
        data=["nucleus.nc", "nucleation_lifetime.nc", "nucleation_map.nc"],
        summary={
            "metastable": True,
            "shown_for": shown_at,
            "T_K": T_K,
            "E_c_meV": E_c * w,
            "E_c_over_T": E_c / T,
            "lifetime": tau,
        },
        notes="Each site's Raman coordinate sits in F(Q, T), neighbours coupled by kappa (the "
        "Raman branch width). The critical nucleus is the lattice saddle of the energy; the "
        "rate per site is Langer's (unstable growth rate under eq. 6's damping, lattice "
        "fluctuation determinants, translations as collective coordinates). Hollow points are "
        "outside the formula (E_c/T < 5, a saddle that does not grow into the Q = 0 phase, or "
        "E_c below the Gaussian fluctuation term): there the state is not metastable on any "
        "useful scale. "
        "The map shows tau at the same T over 1/Z (where Q_MS decays) and branch widths up to "
        f"{MAP_WIDTHS_MEV[-1]:g} meV (a lattice saddle costs 2.5 s at 10 meV and ~20 s at 20-30 "
        "meV in d = 3, beyond the report's budget; photosc nucleation --map computes more); "
        "red crosses mark points outside Langer's formula, the white line the width for 10 ns "
        "where the map reaches it. "
        "The branch width of K3C60's Hg(3) mode is not measured; 1 meV is the presets' default.",
    )
