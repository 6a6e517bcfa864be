"""How long the metastable state lives by nucleation (``physics.nucleation``), in physical units.

- ``lifetime_curve``: tau(T) along a material's Mott path for a few Raman branch widths.
- ``lifetime_kernel``: tau at (1/Z, width) for one model (at Z = 1, overrides and all) and T,
  a numpy kernel that ``xarray.apply_ufunc(..., dask="parallelized")`` lifts (``lifetime_map``
  does so).
- ``width_for_lifetime``: the branch width needed for a given lifetime (10 ns) versus 1/Z.
- ``lattice_sides``: the lattice side each (1/Z, width) point's saddle search takes, which
  the map and the width search bound (``MAP_MAX_SIDE``) to keep a map within minutes.

Damping from the 10 ps ring-down of the mode (``drive.gamma_from_ringdown``), as in the drive
study. tau is +inf where Q_MS is the stable state (metastability II below its first-order
temperature: nothing decays) and NaN where there is no metastable minimum.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from photosc import materials
from photosc._checks import output
from photosc.io import provenance
from photosc.model import Model
from photosc.physics import landscape, nucleation
from photosc.studies.drive import EXPERIMENT_LIFETIME_NS, RINGDOWN_PS, gamma_from_ringdown
from photosc.units import rate_to_per_s, temperature_from_K

#: Branch width of the presets (``[lattice]``; not measured, see their sources), meV.
DEFAULT_WIDTH_MEV: float = 1.0
#: Widest branch (meV) searched for a lifetime, per lattice dimension (K3C60 at 1/Z = 3.6,
#: 100 K, measured): in d = 3 the saddle costs 2.6 s at 30 meV and 185 s at 60 meV (25^3
#: sites), and 200 meV asks 59^3 sites, beyond ``nucleation.MAX_SIDE``; in d = 2, 100 meV
#: takes 0.5 s and at 200 meV the search finds no saddle of index 1.
MAX_WIDTH_MEV: dict[int, float] = {1: 200.0, 2: 100.0, 3: 30.0}
#: Largest lattice side on which a map or a width search computes a point, per dimension (the
#: saddle's cost grows as side^d; measured, K3C60 at 100 K, d = 3: 6.6 s on 15^3 sites (1/Z =
#: 3.6, 30 meV), 9.7 s on 17^3 and 16 s on 19^3 (1/Z = 3.62, 15 and 20 meV), 182 s on 27^3
#: (3.62, 30 meV), a row of which made ``photosc nucleation --map`` run for more than 15 min).
MAP_MAX_SIDE: dict[int, int] = {1: nucleation.MAX_SIDE[1], 2: nucleation.MAX_SIDE[2], 3: 19}


def _check_dim(dim: Any) -> None:
    """ValueError naming dim unless it is 1, 2 or 3 (the lattice dimensions of the study)."""
    if dim not in MAX_WIDTH_MEV or isinstance(dim, bool):
        raise ValueError(f"dim must be 1, 2 or 3, got dim={dim!r}")


def lattice_of(name: str) -> tuple[float, float]:
    """(spacing in nm, branch width in meV) of a preset's ``[lattice]`` table."""
    table = materials.read(name).get("lattice")
    if table is None:
        raise ValueError(f"material {name!r} has no [lattice] table (spacing_nm, branch_width_meV)")
    return float(table["spacing_nm"]), float(table["branch_width_meV"])


def lattice_width(name: str) -> float:
    """The preset's branch width (meV), or DEFAULT_WIDTH_MEV if it has no [lattice] table."""
    try:
        return lattice_of(name)[1]
    except ValueError:
        return DEFAULT_WIDTH_MEV


def lifetime_ns(
    model: Model, T: float, kappa: ArrayLike, dim: int, gamma: float, sites: float
) -> Any:
    """Lifetime in ns at T (hbar*omega) for each kappa (continuation along kappa, see
    ``nucleation.lattice_nuclei``), inf if Q_MS is stable there, NaN if it does not exist."""
    kind = landscape.critical_points(model, T).kind
    kappa = np.asarray(kappa, dtype=float)
    if kind != "I":
        return output(np.full(kappa.shape, math.nan if kind == "none" else math.inf))
    rate = np.asarray(nucleation.nucleation_rate(model, T, kappa, dim, gamma)) * sites
    return output(1e9 / np.asarray(rate_to_per_s(rate, model.omega_meV)))


def _var(data: Any, dims: tuple[str, ...], units: str, long_name: str) -> xr.Variable:
    return xr.Variable(dims, np.asarray(data), {"units": units, "long_name": long_name})


def lifetime_curve(
    model: Model,
    T_K: ArrayLike,
    width_meV: ArrayLike,
    *,
    dim: int = 3,
    spacing_nm: float = 1.0,
    ringdown_ps: float = RINGDOWN_PS,
    sites: float = 1.0,
) -> xr.Dataset:
    """tau(T) of nucleation (ns) for each Raman branch width (meV), with E_c, E_c/T, the nucleus
    radius (continuum bounce, nm) and Langer's validity (``LatticeNucleus.langer_valid``: E_c/T >=
    5, a growing saddle, E_c above the fluctuation term). E_c is the lattice saddle, found along
    T for each width by continuation (``nucleation.lattice_nuclei``), E_c_continuum the O(d)
    bounce. sites: the probed volume
    (``nucleation.lifetime``; 1 = the local lifetime of a site)."""
    T_K = np.atleast_1d(np.asarray(T_K, dtype=float))
    widths = np.atleast_1d(np.asarray(width_meV, dtype=float))
    if np.any(~np.isfinite(T_K)) or np.any(T_K <= 0):
        raise ValueError(f"T_K must be > 0, got T_K={T_K.tolist()!r}")
    if np.any(~np.isfinite(widths)) or np.any(widths < 0):
        raise ValueError(f"width_meV must be >= 0, got width_meV={widths.tolist()!r}")
    gamma = gamma_from_ringdown(ringdown_ps, model)
    w = model.omega_meV
    shape = (T_K.size, widths.size)
    tau, e_lat, e_cont, radius = (np.full(shape, np.nan) for _ in range(4))
    valid = np.zeros(shape, dtype=bool)
    T_all = np.asarray(temperature_from_K(T_K, w), dtype=float)
    kinds = np.array([landscape.critical_points(model, float(T)).kind for T in T_all])
    tau[kinds == "II"] = math.inf
    decaying = np.flatnonzero(kinds == "I")
    for j, width in enumerate(widths):  # one continuation along T per width
        kappa = float(nucleation.kappa_from_width(width / w, dim))
        if decaying.size == 0:
            break
        T = T_all[decaying]
        rate = np.asarray(nucleation.nucleation_rate(model, T, kappa, dim, gamma)) * sites
        tau[decaying, j] = 1e9 / np.asarray(rate_to_per_s(rate, w))
        saddles = nucleation.lattice_nuclei(model, T, kappa, dim)
        e_lat[decaying, j] = [s.energy for s in saddles]
        valid[decaying, j] = [s.langer_valid for s in saddles]
        nuc = nucleation.critical_nucleus(model, T, kappa, dim)
        e_cont[decaying, j], radius[decaying, j] = nuc.energy, nuc.radius * spacing_nm
    T_int = np.asarray(temperature_from_K(T_K, w))[:, None]
    ratio = e_lat / T_int
    dims = ("T_K", "width_meV")
    return xr.Dataset(
        {
            "tau_ns": _var(tau, dims, "ns", "lifetime by nucleation"),
            "E_c": _var(e_lat, dims, "hbar*omega", "critical nucleus energy (lattice)"),
            "E_c_continuum": _var(
                e_cont, dims, "hbar*omega", "critical nucleus energy (continuum)"
            ),
            "E_c_over_T": _var(ratio, dims, "1", "E_c / T"),
            "radius_nm": _var(radius, dims, "nm", "critical radius (continuum bounce)"),
            "valid": _var(valid, dims, "1", "Langer's rate applies (LatticeNucleus.langer_valid)"),
        },
        coords={
            "T_K": ("T_K", T_K, {"units": "K", "long_name": "temperature"}),
            "width_meV": ("width_meV", widths, {"units": "meV", "long_name": "branch width"}),
        },
        attrs=provenance(
            model,
            dim=dim,
            gamma=gamma,
            ringdown_ps=ringdown_ps,
            sites=sites,
            spacing_nm=spacing_nm,
            experiment_lifetime_ns=EXPERIMENT_LIFETIME_NS,
        ),
    )


def lifetime_kernel(
    Z_inv: ArrayLike,
    width_meV: ArrayLike,
    *,
    model: Model,
    T_K: float,
    dim: int = 3,
    ringdown_ps: float = RINGDOWN_PS,
    sites: float = 1.0,
    max_side: int | None = None,
) -> np.ndarray:
    """tau (ns) by nucleation at T_K of ``model`` (unrenormalised, Z = 1) Mott-renormalised
    to each 1/Z (``Model.renormalized``), elementwise over broadcast arrays of 1/Z and branch
    width (meV): a plain numpy kernel for ``xarray.apply_ufunc`` (with ``dask="parallelized"``
    each chunk runs it independently). inf: Q_MS stable (type II); NaN: no metastable minimum,
    or (with ``max_side``) a nucleus that needs a lattice of larger side (``lattice_sides``):
    not computed."""
    zi, width = np.broadcast_arrays(np.asarray(Z_inv, float), np.asarray(width_meV, float))
    out = np.full(zi.shape, math.nan)
    fits = (
        np.ones(zi.shape, dtype=bool)
        if max_side is None
        else lattice_sides(model, zi, width, T_K=T_K, dim=dim) <= max_side
    )
    T = float(temperature_from_K(T_K, model.omega_meV))
    for z in np.unique(zi):  # one continuation along the width per 1/Z
        at = (zi == z) & fits
        if not at.any():
            continue
        renormalized = model.renormalized(1.0 / float(z))
        gamma = gamma_from_ringdown(ringdown_ps, renormalized)
        kappa = nucleation.kappa_from_width(width[at] / model.omega_meV, dim)
        out[at] = lifetime_ns(renormalized, T, kappa, dim, gamma, sites)
    return out


def lattice_sides(
    model: Model, Z_inv: ArrayLike, width_meV: ArrayLike, *, T_K: float, dim: int = 3
) -> np.ndarray:
    """The lattice side each (1/Z, width) point's saddle search takes
    (``nucleation.lattice_side``; its cost grows as side^d), elementwise over broadcast arrays,
    0 where Q_MS does not decay (no search). Cheap: one continuum bounce per 1/Z."""
    _check_dim(dim)
    zi, width = np.broadcast_arrays(np.asarray(Z_inv, float), np.asarray(width_meV, float))
    out = np.zeros(zi.shape, dtype=int)
    T = float(temperature_from_K(T_K, model.omega_meV))
    for z in np.unique(zi):
        renormalized = model.renormalized(1.0 / float(z))
        if landscape.critical_points(renormalized, T).kind != "I":
            continue
        at = np.flatnonzero(zi == z)
        kappa = nucleation.kappa_from_width(width.flat[at] / model.omega_meV, dim)
        out.flat[at] = [
            nucleation.lattice_side(renormalized, T, float(k), dim) for k in np.ravel(kappa)
        ]
    return out


def lifetime_map(
    model: Model,
    Z_inv: ArrayLike,
    width_meV: ArrayLike,
    *,
    T_K: float = 100.0,
    dim: int = 3,
    chunk: int | None = None,
    max_side: int | None = None,
) -> xr.Dataset:
    """tau (ns) of ``model`` (at Z = 1) over (1/Z, branch width) at T_K, through
    ``lifetime_kernel`` lifted by
    ``xarray.apply_ufunc``. With ``chunk`` (1/Z values per task) the result is a lazy
    dask-backed Dataset for ``photosc.sweep.compute`` (resumable, parallel); else computed.
    Points whose lattice side exceeds ``max_side`` (default MAP_MAX_SIDE[dim]; attrs) are NaN,
    not computed: ``lattice_sides`` tells them from those without a metastable minimum."""
    _check_dim(dim)
    if max_side is None:
        max_side = MAP_MAX_SIDE[dim]
    zi = xr.DataArray(np.asarray(Z_inv, float), dims="Z_inv")
    zi = zi.assign_coords(Z_inv=zi.values)
    if chunk is not None:
        if chunk < 1:
            raise ValueError(f"chunk must be >= 1, got chunk={chunk!r}")
        zi = zi.chunk({"Z_inv": chunk})
    wd = xr.DataArray(np.asarray(width_meV, float), dims="width_meV")
    wd = wd.assign_coords(width_meV=wd.values)
    tau = xr.apply_ufunc(
        lifetime_kernel, zi, wd,
        kwargs={"model": model, "T_K": T_K, "dim": dim, "max_side": max_side},
        dask="parallelized", output_dtypes=[float],
    )  # fmt: skip
    tau.attrs = {"units": "ns", "long_name": "lifetime by nucleation"}
    ds = xr.Dataset({"tau_ns": tau})
    ds["Z_inv"].attrs = {"units": "1", "long_name": "1/Z (Mott renormalisation)"}
    ds["width_meV"].attrs = {"units": "meV", "long_name": "branch width"}
    ds.attrs = provenance(model, T_K=T_K, dim=dim, max_side=max_side)
    return ds


def width_for_lifetime(
    model: Model,
    Z_inv: ArrayLike,
    *,
    T_K: float = 100.0,
    lifetime_ns: float = EXPERIMENT_LIFETIME_NS,
    dim: int = 3,
    max_width_meV: float | None = None,
) -> xr.Dataset:
    """Branch width (meV) whose nucleation lifetime at T_K is ``lifetime_ns``, versus 1/Z
    (``model`` at Z = 1, renormalised to each 1/Z as in ``lifetime_kernel``).

    Root of ln tau(width) - ln lifetime on (0, W] per 1/Z, W = ``max_width_meV`` (default
    MAX_WIDTH_MEV[dim]) or less where the nucleus would need a lattice side above
    MAP_MAX_SIDE[dim] (W is returned as ``searched_up_to_meV``); 0 where even uncoupled sites
    live that long (or Q_MS is stable), NaN where no metastable minimum exists or no width up
    to W suffices (both are per 1/Z, so that a curve over 1/Z survives them)."""
    _check_dim(dim)
    if max_width_meV is None:
        max_width_meV = MAX_WIDTH_MEV[dim]
    for what, value in (("lifetime_ns", lifetime_ns), ("max_width_meV", max_width_meV)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{what} must be > 0, got {what}={value!r}")
    zi = np.atleast_1d(np.asarray(Z_inv, float))
    out = np.full(zi.size, np.nan)
    bound = np.array([_widest(model, float(z), T_K, dim, max_width_meV) for z in zi])
    for k, z in enumerate(zi):

        def excess(width: float, z: float = float(z)) -> float:
            tau = float(lifetime_kernel(z, width, model=model, T_K=T_K, dim=dim))
            return math.log(tau / lifetime_ns) if np.isfinite(tau) else math.inf

        tau_0 = float(lifetime_kernel(z, 0.0, model=model, T_K=T_K, dim=dim))
        if np.isnan(tau_0):
            continue
        if tau_0 >= lifetime_ns:
            out[k] = 0.0
        elif bound[k] > 0 and excess(bound[k]) > 0:
            out[k] = brentq(excess, 0.0, bound[k], xtol=1e-2, rtol=1e-3)
    return xr.Dataset(
        {
            "width_meV": _var(out, ("Z_inv",), "meV", f"branch width for {lifetime_ns:g} ns"),
            "searched_up_to_meV": _var(bound, ("Z_inv",), "meV", "widest branch searched"),
        },
        coords={"Z_inv": ("Z_inv", zi, {"units": "1", "long_name": "1/Z (Mott renormalisation)"})},
        attrs=provenance(model, T_K=T_K, dim=dim, lifetime_ns=lifetime_ns),
    )


def _widest(model: Model, Z_inv: float, T_K: float, dim: int, max_width_meV: float) -> float:
    """The widest branch (meV, <= max_width_meV) whose nucleus fits MAP_MAX_SIDE[dim] at 1/Z
    (the side grows with the width; bisection to 0.1 %, cheap: ``lattice_sides``)."""

    def fits(width: float) -> bool:
        side = lattice_sides(model, Z_inv, width, T_K=T_K, dim=dim)
        return bool(side <= MAP_MAX_SIDE[dim])

    if fits(max_width_meV):
        return max_width_meV
    lo, hi = 0.0, max_width_meV
    while hi - lo > 1e-3 * max_width_meV:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def nucleus_profile(
    model: Model, T_K: float, kappa: float, *, dim: int = 3, spacing_nm: float = 1.0
) -> xr.Dataset:
    """The continuum critical nucleus Q(r) at T_K (K) and stiffness kappa (M omega^2), r in nm,
    with E_c (continuum and lattice, hbar*omega), whether Langer's rate applies to the lattice
    saddle (``langer_valid``, 0/1), the lattice saddle's cluster (``cluster_sites``: sites
    below the midpoint of Q_B and Q_MS), the continuum radius (nm and site spacings) and Q_B,
    Q_MS in the attrs."""
    T = float(temperature_from_K(T_K, model.omega_meV))
    nuc = nucleation.critical_nucleus(model, T, kappa, dim)
    lattice = nucleation.lattice_nucleus(model, T, kappa, dim)
    cp = landscape.critical_points(model, T)
    return xr.Dataset(
        {"Q": _var(nuc.Q, ("r_nm",), "l0", "Raman coordinate Q(r)")},
        coords={"r_nm": ("r_nm", nuc.r * spacing_nm, {"units": "nm", "long_name": "radius r"})},
        attrs=provenance(
            model,
            T_K=T_K,
            kappa=kappa,
            dim=dim,
            spacing_nm=spacing_nm,
            E_c=nuc.energy,
            E_c_lattice=lattice.energy,
            langer_valid=int(lattice.langer_valid),
            cluster_sites=int(np.sum(lattice.Q < 0.5 * (float(cp.Q_B) + float(cp.Q_MS)))),
            radius_nm=nuc.radius * spacing_nm,
            radius_sites=nuc.radius,
            Q_B=float(cp.Q_B),
            Q_MS=float(cp.Q_MS),
        ),
    )


def nucleation_note(
    model: Model, T: float, width_meV: float = DEFAULT_WIDTH_MEV, dim: int = 3
) -> str:
    """One line for other commands: the nucleation lifetime per site at T (hbar*omega) for a
    Raman branch of width ``width_meV``, or why there is none."""
    gamma = gamma_from_ringdown(RINGDOWN_PS, model)
    kappa = nucleation.kappa_from_width(width_meV / model.omega_meV, dim)
    tau = lifetime_ns(model, T, kappa, dim, gamma, 1.0)
    if np.isnan(tau):
        return "none (no metastable minimum)"
    if np.isinf(tau):
        return "infinite (Q_MS is the stable state)"
    return f"{tau:.3g} ns per site (d = {dim}, branch width {width_meV:g} meV; photosc nucleation)"
