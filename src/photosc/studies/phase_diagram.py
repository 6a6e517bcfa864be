"""The metastability phase diagram on (dE, nu) (Fig. 2b of the paper) and a material's path
through it under Mott renormalisation (Appendix D).

Internal units: dE in hbar*omega, nu = nu(0)*omega, Q in l0, T in hbar*omega/k_B; kelvin and
meV columns use the dataset's ``omega_meV``.
"""

from __future__ import annotations

import functools
import math
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy import optimize

from photosc import materials
from photosc._checks import checked, checked_model
from photosc.io import provenance
from photosc.model import HG3_OMEGA_MEV, Model
from photosc.physics.landscape import KINDS, critical_points_kernel, metastability_kernel
from photosc.units import energy_to_meV, temperature_to_K

#: Largest 1/Z of a Mott path: beyond, dE Z and nu / Z leave the range the landscape solvers are
#: tested in (the T = 0 analysis still works at 1e6, the first-order temperature fails at 1e9).
Z_INV_MAX: float = 1e4

#: Kernel outputs, in order: name -> (dtype, units, long_name).
_OUTPUTS: dict[str, tuple[type, str, str]] = {
    "kind_code": (np.int8, "1", "kind of metastability at T = 0"),
    "Q_B": (float, "l0", "barrier position Q_B at T = 0"),
    "Q_MS": (float, "l0", "metastable minimum Q_MS at T = 0"),
    "barrier": (float, "hbar*omega", "barrier F(Q_B) - F(Q_MS) at T = 0"),
    "Delta_MS": (float, "hbar*omega", "gap in the metastable state at T = 0"),
    "T_B": (float, "hbar*omega/k_B", "untrapping temperature T_B"),
    "T_first_order": (float, "hbar*omega/k_B", "first-order transition temperature (type II)"),
}
_KIND_ATTRS = {
    "flag_values": np.arange(len(KINDS), dtype=np.int8),
    "flag_meanings": "none metastable_I metastable_II",
}


def _kernel(
    dE: np.ndarray,
    nu: np.ndarray,
    *,
    g: float,
    lam_eff: float,
    cutoff: float,
    pairing: str = "schrieffer-wolff",
) -> tuple[np.ndarray, ...]:
    """Numpy kernel for apply_ufunc: blocks of (dE, nu) -> the _OUTPUTS arrays."""
    res = metastability_kernel(dE, g, nu, lam_eff / nu, cutoff, pairing)
    shape = np.broadcast_shapes(np.shape(dE), np.shape(nu))
    return tuple(
        np.broadcast_to(np.asarray(res[name], dtype=dtype), shape).copy()
        for name, (dtype, _, _) in _OUTPUTS.items()
    )


def _coordinate(name: str, values: ArrayLike, units: str, long_name: str) -> xr.DataArray:
    arr = checked(name, values, positive=True)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    return xr.DataArray(arr, dims=name, attrs={"units": units, "long_name": long_name})


def phase_diagram(
    dE: ArrayLike,
    nu: ArrayLike,
    g: float = 0.6,
    lam_eff: float = 0.3,
    cutoff: float = 1.0,
    omega_meV: float = HG3_OMEGA_MEV,
    chunks: Mapping[str, int] | None = None,
    pairing: str = "schrieffer-wolff",
) -> xr.Dataset:
    """Metastability phase diagram on the grid dE x nu (Fig. 2b of the paper).

    dE (hbar*omega) and nu (nu(0)*omega) are 1-d coordinates; g = g*l0/omega and lam_eff =
    nu U0 (the paper: 0.6 and 0.3) are fixed. Returns the kind (0 none, 1 I, 2 II), Q_B, Q_MS,
    barrier and Delta_MS at T = 0, T_B and the first-order temperature, also in K. ``pairing``:
    U(Q) of eq. 5 ("schrieffer-wolff") or of the exact local problem ("exact").
    With ``chunks`` (e.g. {"dE": 32}) the result is a lazy dask-backed Dataset: call
    ``.compute()`` (locally, under a progress bar, or on a dask cluster).
    """
    model = Model.from_lam_eff(lam_eff, dE=1.0, g=g, nu=1.0, cutoff=cutoff, omega_meV=omega_meV)
    if chunks is not None and not (
        isinstance(chunks, Mapping)
        and set(chunks) <= {"dE", "nu"}
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in chunks.values())
    ):
        raise ValueError(f"chunks must map 'dE'/'nu' to integers >= 1, got chunks={chunks!r}")
    model = model.replace(pairing=pairing)
    dE_c = _coordinate("dE", dE, "hbar*omega", "level splitting Delta E")
    nu_c = _coordinate("nu", nu, "1/(hbar*omega)", "density of states nu(0) per spin per site")
    dE_b, nu_b = xr.broadcast(dE_c, nu_c)
    if chunks is not None:
        dE_b, nu_b = dE_b.chunk(dict(chunks)), nu_b.chunk(dict(chunks))
    outputs = xr.apply_ufunc(
        _kernel,
        dE_b,
        nu_b,
        kwargs={"g": model.g, "lam_eff": lam_eff, "cutoff": model.cutoff, "pairing": pairing},
        output_core_dims=[[] for _ in _OUTPUTS],
        dask="parallelized",
        output_dtypes=[dtype for dtype, _, _ in _OUTPUTS.values()],
    )
    ds = xr.Dataset(coords={"dE": dE_c, "nu": nu_c})
    for (name, (_, units, long_name)), da in zip(_OUTPUTS.items(), outputs, strict=True):
        ds[name] = da.assign_attrs(units=units, long_name=long_name)
    ds = ds.rename({"kind_code": "kind"})
    ds["kind"].attrs.update(_KIND_ATTRS)
    for name in ("T_B", "T_first_order"):
        ds[name + "_K"] = temperature_to_K(ds[name], omega_meV).assign_attrs(
            units="K", long_name=ds[name].attrs["long_name"]
        )
    ds.attrs = provenance(
        title="Photo-induced metastability phase diagram (Fig. 2b)",
        g=model.g,
        lam_eff=lam_eff,
        cutoff=model.cutoff,
        omega_meV=omega_meV,
        T=0.0,
        pairing=pairing,
    )
    return ds


def mott_path(model: Model, Z_inv: ArrayLike) -> xr.Dataset:
    """(dE, nu, U0) of ``model`` renormalised by Z = 1/Z_inv (Appendix D of the paper).

    dE -> Z dE, nu -> nu / Z, U0 -> Z U0, so that lam_eff = nu U0 stays fixed and the path is
    the hyperbola dE * nu = const through the model. 1 <= Z_inv <= ``Z_INV_MAX`` (Z_inv = 1 is
    ``model``).
    """
    checked_model(model)
    z = np.atleast_1d(checked("Z_inv", Z_inv, positive=True))
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"Z_inv must be a scalar or a non-empty 1-d array, got shape {z.shape}")
    if np.any(z < 1.0) or np.any(z > Z_INV_MAX):
        bad = float(z.min()) if np.any(z < 1.0) else float(z.max())
        raise ValueError(f"Z_inv must be in [1, {Z_INV_MAX:g}], got Z_inv={bad!r}")
    models = [model.renormalized(1.0 / float(v)) for v in z]
    data = {
        "dE": ([m.dE for m in models], "hbar*omega", "level splitting Delta E"),
        "nu": ([m.nu for m in models], "1/(hbar*omega)", "density of states nu(0)"),
        "U0": ([m.U0 for m in models], "hbar*omega", "equilibrium attraction U0"),
    }
    return xr.Dataset(
        {
            k: ("Z_inv", np.asarray(v), {"units": u, "long_name": ln})
            for k, (v, u, ln) in data.items()
        },
        coords={
            "Z_inv": ("Z_inv", z, {"units": "1", "long_name": "inverse quasi-particle residue"})
        },
        attrs=provenance(model),
    )


def material_path(name: str, Z_inv: ArrayLike, **overrides: float) -> xr.Dataset:
    """The (dE, nu, U0) of material preset ``name`` (with ``overrides``, as in
    ``materials.load``) along its Mott renormalisation Z = 1/Z_inv, Z_inv = 1 the DFT values."""
    ds = mott_path(materials.load(name, **overrides), Z_inv)
    ds.attrs["material"] = name
    return ds


def _at_T0(model: Model) -> Any:
    return critical_points_kernel(model.dE, model.g, model.nu, model.U0, 0.0, model.cutoff,
                                  model.pairing)  # fmt: skip


def path_onsets(
    model_at: Callable[[float], Model], Z_inv_max: float = 7.0, xtol: float = 1e-11
) -> tuple[float, float]:
    """Z_inv at the onset of metastability and at the I -> II boundary along a path of models
    ``model_at(Z_inv)`` from Z_inv = 1 to Z_inv_max, to ``xtol`` (nan where not crossed).

    The onset is where max_Q (superconducting pull / elastic force) = 1 at T = 0; the I -> II
    boundary where F(Q_MS) = F(0) at T = 0.
    """
    Z_inv_max = _z_inv_max(Z_inv_max)
    at_T0 = functools.cache(lambda z: _at_T0(model_at(z)))  # one solution per point
    margin = lambda z: float(at_T0(z).ratio_max) - 1.0  # noqa: E731
    advantage = lambda z: float(at_T0(z).F_MS - at_T0(z).F_0)  # noqa: E731
    nan = float("nan")
    if margin(Z_inv_max) <= 0:
        return nan, nan
    onset = nan if margin(1.0) > 0 else optimize.brentq(margin, 1.0, Z_inv_max, xtol=xtol)
    start = 1.0 if math.isnan(onset) else max(onset * (1 + 1e-9), onset + 2 * xtol)
    if advantage(start) <= 0 or advantage(Z_inv_max) >= 0:
        return onset, nan
    return onset, optimize.brentq(advantage, start, Z_inv_max, xtol=xtol)


def mott_onsets(model: Model, Z_inv_max: float = 7.0, xtol: float = 1e-11) -> tuple[float, float]:
    """Z_inv at the onset of metastability (type I) and at the I -> II boundary along the Mott
    path of ``model`` (``path_onsets`` of ``model.renormalized(1/Z_inv)``), with its pairing;
    nan where not crossed, e.g. when ``model`` itself is already metastable, or of type II.
    Cached per (model, Z_inv_max, xtol): the report's sections ask for the same paths."""
    checked_model(model)
    return _mott_onsets(model, float(Z_inv_max), float(xtol))


@functools.lru_cache(maxsize=64)
def _mott_onsets(model: Model, Z_inv_max: float, xtol: float) -> tuple[float, float]:
    return path_onsets(lambda z: model.renormalized(1.0 / z), Z_inv_max, xtol)


def metastability_path(
    material: str | Model,
    Z_inv: ArrayLike,
    Z_inv_max: float | None = None,
    pairing: str | None = None,
    xtol: float = 1e-11,
    **overrides: float,
) -> xr.Dataset:
    """Metastability along the Mott path of a preset (or a Model): kind, Q_B, Q_MS, Delta_MS and
    barrier (meV), T_B and first-order temperature (K), with the onset and I -> II values of
    Z_inv in the attrs (searched up to ``Z_inv_max``, default max(Z_inv)). ``pairing`` (one of
    ``photosc.model.PAIRINGS``) replaces the model's; by default it is kept. ``xtol``: tolerance
    of the onset and I -> II values of Z_inv."""
    if Z_inv_max is not None:
        _z_inv_max(Z_inv_max)
    if isinstance(material, Model):
        base, path = material, mott_path(material, Z_inv)
    else:
        base, path = (
            materials.load(material, **overrides),
            material_path(material, Z_inv, **overrides),
        )
    if pairing is not None:
        base = base.replace(pairing=pairing)
    path.attrs["model_pairing"] = base.pairing
    res = metastability_kernel(
        path["dE"].values, base.g, path["nu"].values, path["U0"].values, base.cutoff, base.pairing
    )
    w = base.omega_meV
    columns: dict[str, tuple[Any, str, str]] = {
        "kind": (np.asarray(res["kind_code"], dtype=np.int8), "1", "kind of metastability (T = 0)"),
        "Q_B": (res["Q_B"], "l0", "barrier position Q_B (T = 0)"),
        "Q_MS": (res["Q_MS"], "l0", "metastable minimum Q_MS (T = 0)"),
        "Delta_MS": (energy_to_meV(res["Delta_MS"], w), "meV", "gap at Q_MS (T = 0)"),
        "barrier": (energy_to_meV(res["barrier"], w), "meV", "barrier F(Q_B) - F(Q_MS) (T = 0)"),
        "T_B": (temperature_to_K(res["T_B"], w), "K", "untrapping temperature T_B"),
        "T_first_order": (
            temperature_to_K(res["T_first_order"], w),
            "K",
            "first-order transition temperature (type II)",
        ),
    }
    for key, (values, units, long_name) in columns.items():
        path[key] = ("Z_inv", np.atleast_1d(values), {"units": units, "long_name": long_name})
    path["kind"].attrs.update(_KIND_ATTRS)
    top = float(path["Z_inv"].max()) if Z_inv_max is None else _z_inv_max(Z_inv_max)
    onset, type_II = mott_onsets(base, top, xtol)
    path.attrs.update({"onset_Z_inv": onset, "type_II_Z_inv": type_II, "Tc_K": base.Tc_K})
    return path


def _z_inv_max(value: Any) -> float:
    z = checked("Z_inv_max", value)
    if z.ndim or not 1 <= z <= Z_INV_MAX:
        raise ValueError(f"Z_inv_max must be in [1, {Z_INV_MAX:g}], got Z_inv_max={value!r}")
    return float(z)


class _CallableModule(types.ModuleType):
    """This module, callable: ``photosc.studies.phase_diagram(...)`` is ``phase_diagram(...)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> xr.Dataset:
        return phase_diagram(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
