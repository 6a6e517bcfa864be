"""Material screening: the paper's two routes to long-lived superconductivity, one row per material.

Metastability (Figs. 2, App. D): along the material's Mott path dE -> Z dE, nu -> nu/Z at fixed
lam_eff, the Z_inv = 1/Z where a metastable state appears (type I) and where it becomes type II,
and at a chosen Z_inv the kind and the untrapping temperature T_B. A material with g = 0 (no
Raman-coupled transition, e.g. the conventional metals) has no path: NaN and kind "no path".

Quasi-particle trapping (Fig. 4, eqs. 9-13, Discussion): the screening rule of the paper's
Discussion, 2 Delta_0 inside a window where alpha^2 F is small, and at temperature T the state
trapped by the protocol of ``studies.trapping`` (hold Q*, release): Delta_tr, the fraction of the
alpha^2 F weight within [2 Delta_tr, 2 Delta_tr + T] (the phonons that dominate pair breaking:
n(Omega) falls by 1/e across the window), the generation time tau_g = 1/Gamma_g (eq. C3) and the
half-life of the trapped gap (``studies.kinetics.half_life``). The trapping uses the preset at
Z = 1, as ``photosc report`` does.

Energies in meV, temperatures in K, times in ns; NaN where a quantity does not exist.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from photosc import materials
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import landscape, rates, spectra
from photosc.studies.kinetics import half_life, time_ns
from photosc.studies.phase_diagram import mott_onsets
from photosc.studies.trapping import meta, trapped_state
from photosc.units import energy_to_meV, temperature_from_K, temperature_to_K

#: alpha^2 F below this fraction of its maximum counts as "small" (the window of the rule).
SMALL_FRACTION = 0.01
#: Width of the window above 2 Delta_tr, in units of T.
WINDOW_T = 1.0
#: The Mott path is searched up to this Z_inv (the paper's K3C60 path ends at 1/Z = 7).
Z_INV_MAX = 7.0
#: Kind labels of the metastability at the chosen Z_inv.
PATH_KINDS = ("none", "I", "II", "no path")

#: Output variables: name -> (units, long_name).
COLUMNS: dict[str, tuple[str, str]] = {
    "Tc_K": ("K", "BCS critical temperature at Q = 0"),
    "two_delta0_meV": ("meV", "2 Delta_0, twice the T = 0 gap"),
    "lam": ("1", "electron-phonon coupling 2 int alpha^2 F / Omega"),
    "omega_log_meV": ("meV", "logarithmic average phonon energy omega_log"),
    "a2F_at_2delta0": ("1", "alpha^2 F(2 Delta_0) / max alpha^2 F"),
    "gap_low_meV": ("meV", "lower end of the widest window where alpha^2 F is small"),
    "gap_high_meV": ("meV", "upper end of the widest window where alpha^2 F is small"),
    "in_gap": ("1", "2 Delta_0 lies in that window"),
    "tau0_ns": ("ns", "tau_0 = 1/(2 pi^1.5 alpha^2 F(2 Delta_0) 2 Delta_0) (eq. 13 corrected)"),
    "onset_Z_inv": ("1", "1/Z at the onset of metastability (type I) on the Mott path"),
    "type_II_Z_inv": ("1", "1/Z at the type I -> II boundary on the Mott path"),
    "kind_at_Z": ("1", "metastability at the chosen 1/Z"),
    "T_B_K": ("K", "untrapping temperature T_B at the chosen 1/Z"),
    "delta_tr_meV": ("meV", "trapped gap Delta_tr at T after holding Q*"),
    "weight_above_2delta_tr": ("1", "fraction of alpha^2 F weight in [2 Delta_tr, 2 Delta_tr + T]"),
    "tau_g_ns": ("ns", "generation time 1/Gamma_g at the trapped state (eq. C3)"),
    "half_life_ns": ("ns", "time for Delta_tr to fall to half (rate equation)"),
}


def _spectral(model: Model, a2F: spectra.Spectrum) -> dict[str, float]:
    """The screening rule of the Discussion: where 2 Delta_0 sits in alpha^2 F."""
    w = model.omega_meV
    two_d = 2 * model.Delta0
    Omega, y = spectra.sample(a2F)
    windows = spectra.small_windows(Omega, y, SMALL_FRACTION)
    lo, hi = windows[0] if windows else (math.nan, math.nan)
    tau0 = float(time_ns(float(rates.tau0(model.Delta0, a2F)), w))
    return {
        "Tc_K": model.Tc_K,
        "two_delta0_meV": energy_to_meV(two_d, w),
        "lam": a2F.coupling(),
        "omega_log_meV": energy_to_meV(a2F.omega_log(), w),
        "a2F_at_2delta0": float(a2F(two_d)) / float(y.max()),
        "gap_low_meV": energy_to_meV(lo, w),
        "gap_high_meV": energy_to_meV(hi, w),
        "in_gap": float(lo <= two_d <= hi),
        "tau0_ns": tau0,
    }


def _path(model: Model, Z_inv: float) -> dict[str, float]:
    """Onsets along the Mott path and the kind and T_B at Z_inv; 'no path' for g = 0."""
    nan = math.nan
    if model.g == 0:
        return {
            "onset_Z_inv": nan,
            "type_II_Z_inv": nan,
            "kind_at_Z": float(PATH_KINDS.index("no path")),
            "T_B_K": nan,
        }
    onset, type_II = mott_onsets(model, max(Z_INV_MAX, Z_inv))
    m = model.renormalized(1.0 / Z_inv)
    res = landscape.metastability_kernel(m.dE, m.g, m.nu, m.U0, m.cutoff)
    return {
        "onset_Z_inv": onset,
        "type_II_Z_inv": type_II,
        "kind_at_Z": float(res["kind_code"]),
        "T_B_K": float(temperature_to_K(float(res["T_B"]), m.omega_meV)),
    }


def _trapping(model: Model, a2F: spectra.Spectrum, T_K: float, Q_star: float) -> dict[str, float]:
    """The trapped state at T after holding Q*, its window weight, tau_g and half-life."""
    w = model.omega_meV
    T = float(temperature_from_K(T_K, w))
    state = trapped_state(model, Q_star, T).isel(Q_star=0, T=0)
    d, lam, n = (float(state[k]) for k in ("delta_tr", "lam", "n_star"))
    nan = math.nan
    if d == 0:
        return {
            "delta_tr_meV": 0.0,
            "weight_above_2delta_tr": nan,
            "tau_g_ns": nan,
            "half_life_ns": nan,
        }
    gamma_g = float(rates.generation_rate(d, T, a2F, lam))
    t_half = float(half_life(model, a2F, T, n)["t_half"])
    return {
        "delta_tr_meV": energy_to_meV(d, w),
        "weight_above_2delta_tr": a2F.weight_fraction(2 * d, 2 * d + WINDOW_T * T),
        "tau_g_ns": float(rates.time_ns(gamma_g, w)),
        "half_life_ns": float(time_ns(t_half, w)),
    }


def screen_material(
    name: str, T_K: float = 100.0, Z_inv: float = 5.0, Q_star: float = 3.0
) -> dict[str, Any]:
    """One row of the screening table for preset or TOML file ``name`` (see the module)."""
    model = materials.load(name)
    a2F = materials.spectrum(name, model.omega_meV)
    return {
        **_spectral(model, a2F),
        **_path(model, Z_inv),
        **_trapping(model, a2F, T_K, Q_star),
        "spectrum": "file" if "spectrum" in materials.read(name) else "K3C60 model",
    }


def check_names(names: list[str]) -> None:
    """Refuse an empty list, a material given twice and, before any work, any name that is
    not a preset or a readable TOML file (ValueError from ``materials.load``)."""
    if not names:
        raise ValueError("names must list at least one material")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"each material may be given once, got {', '.join(twice)} twice")
    for name in names:
        materials.load(name)


def screen(
    names: list[str], T_K: float = 100.0, Z_inv: float = 5.0, Q_star: float = 3.0
) -> xr.Dataset:
    """The screening table of ``names`` (presets or TOML files) at temperature ``T_K`` (K > 0),
    the Mott path evaluated at ``Z_inv`` (>= 1), the trapping protocol holding ``Q_star`` (l0).

    Variables on dimension ``material`` as listed in ``COLUMNS`` (``kind_at_Z`` codes index
    ``PATH_KINDS``), plus ``spectrum`` (where alpha^2 F came from).
    """
    check_names(names)
    if not (math.isfinite(T_K) and T_K > 0):
        raise ValueError(f"T_K must be finite and > 0, got T_K={T_K!r}")
    if not (math.isfinite(Z_inv) and Z_inv >= 1):
        raise ValueError(f"Z_inv must be finite and >= 1, got Z_inv={Z_inv!r}")
    if not math.isfinite(Q_star):
        raise ValueError(f"Q_star must be finite, got Q_star={Q_star!r}")
    rows = [screen_material(n, T_K, Z_inv, Q_star) for n in names]
    data: dict[str, Any] = {
        k: ("material", np.array([r[k] for r in rows], dtype=float), meta(*COLUMNS[k]))
        for k in COLUMNS
    }
    data["kind_at_Z"] = (
        "material",
        np.array([r["kind_at_Z"] for r in rows], dtype=np.int8),
        {
            **meta("1", COLUMNS["kind_at_Z"][1]),
            "flag_values": np.arange(len(PATH_KINDS), dtype=np.int8),
            "flag_meanings": "none metastable_I metastable_II no_path",
        },
    )
    data["spectrum"] = ("material", [r["spectrum"] for r in rows], meta("1", "source of alpha^2 F"))
    return xr.Dataset(
        data,
        coords={"material": ("material", list(names), meta("1", "material preset or TOML file"))},
        attrs=provenance(
            T_K=T_K,
            Z_inv=Z_inv,
            Q_star=Q_star,
            small_fraction=SMALL_FRACTION,
            window_T=WINDOW_T,
            title="Material screening: metastability on the Mott path, quasi-particle trapping",
        ),
    )
