"""The input contract of every public physics function, driven generically from one table.

For each function: valid inputs (ordinary and extreme magnitudes, 1e-300 to 1e300) give a
result, or a ValueError that names one of the parameters (a documented domain refusing the
input); never another exception type and never a silent NaN (NaN only in the outputs where the
docstring says a quantity does not exist). A scalar in gives Python floats out; arrays broadcast
like a ufunc and agree with the scalar results; empty arrays give empty results; strings,
complex numbers, None, dicts, booleans, NaN and out-of-range values are refused with a
ValueError naming the parameter; shapes that do not broadcast are refused with a ValueError
naming the parameters. In the style of qutip's ``assert_guarantees`` (DESIGN.md).
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photosc import materials
from photosc.physics import bcs, dynamics, kramers, landscape, pairing, rates, spectra

#: Fixed examples in CI; PHOTOSC_CONTRACT_RANDOM=N explores N times as many new ones (with
#: --hypothesis-seed to reproduce a run).
_DERANDOMIZE = not os.environ.get("PHOTOSC_CONTRACT_RANDOM")
_SCALE = int(os.environ.get("PHOTOSC_CONTRACT_RANDOM") or 1)
SPECTRUM = spectra.k3c60()
METASTABLE = materials.load("K3C60", Z_inv=3.8)  # metastable up to T_B ~ 0.09 hbar*omega


@dataclass(frozen=True)
class P:
    """A numeric parameter: its rule ("real", "nonneg", "pos") and its ordinary range."""

    rule: str
    lo: float
    hi: float
    inf_ok: bool = False  # +inf is a valid value (a rate of an infinitely fast process, ...)
    array: bool = True  # broadcast like a ufunc argument (else a single number)


@dataclass(frozen=True)
class Entry:
    """A function under contract: numeric parameters (passed by keyword), fixed arguments."""

    fn: Callable[..., Any]
    params: dict[str, P]
    fixed: dict[str, Any] = field(default_factory=dict)
    nan_ok: bool = False  # NaN is a documented output ("does not exist")
    inf_ok: bool = False  # inf is a documented output (a time of a zero rate, ...)
    examples: int = 60

    @property
    def name(self) -> str:
        return f"{self.fn.__module__.rsplit('.', 1)[-1]}.{self.fn.__qualname__}"

    def __call__(self, **kwargs: Any) -> Any:
        return self.fn(**self.fixed, **kwargs)


def _p(rule: str, lo: float, hi: float, **kw: Any) -> P:
    return P(rule, lo, hi, **kw)


DELTA, T0, T, CUT = (
    _p("nonneg", 1e-3, 0.3),
    _p("nonneg", 1e-3, 0.3),
    _p("pos", 1e-3, 0.3),
    _p("pos", 0.5, 2.0),
)
LAM, NU, U = _p("real", -0.1, 0.1), _p("pos", 0.3, 3.0), _p("pos", 0.05, 2.0)
Q, DE, G, U0 = (
    _p("real", -5.0, 5.0),
    _p("pos", 0.3, 5.0),
    _p("nonneg", 0.05, 1.2),
    _p("nonneg", 0.05, 1.0),
)
SPEC = {"spectrum": SPECTRUM}
MODEL = {"model": METASTABLE}
TABLE = [
    Entry(bcs.gap_integral, {"delta": DELTA, "T": T0, "cutoff": CUT, "lam": LAM}),
    Entry(bcs.gap_integral_ddelta, {"delta": DELTA, "T": T0, "cutoff": CUT, "lam": LAM}),
    Entry(bcs.gap, {"U": U, "T": T0, "nu": NU, "cutoff": CUT, "lam": LAM}),
    Entry(bcs.critical_temperature, {"U": U, "nu": NU, "cutoff": CUT}),
    Entry(bcs.coupling_for_critical_temperature, {"Tc": _p("pos", 1e-4, 0.5), "cutoff": CUT}),
    Entry(bcs.free_energy, {"delta": DELTA, "U": U, "T": T0, "nu": NU, "cutoff": CUT}),
    Entry(
        bcs.quasiparticle_density, {"delta": DELTA, "T": T0, "nu": NU, "cutoff": CUT, "lam": LAM}
    ),
    Entry(
        bcs.trapped_gap,
        {"n_star": _p("pos", 1e-8, 0.1), "U": U, "T": T, "nu": NU, "cutoff": CUT},
        nan_ok=True,  # lam is NaN where no superconducting solution exists (Delta_tr = 0)
        examples=25,
    ),
    Entry(
        bcs.trapped_free_energy,
        {
            "delta": _p("pos", 1e-3, 0.2),
            "lam": LAM,
            "n_star": _p("pos", 1e-8, 0.1),
            "U": U,
            "T": T,
            "nu": NU,
            "cutoff": CUT,
        },
    ),
    Entry(rates.generation_rate, {"delta": DELTA, "T": T0, "lam": LAM}, SPEC),
    Entry(rates.scattering_rate, {"delta": DELTA, "T": T0, "lam": LAM}, SPEC),
    Entry(rates.recombination_rate, {"delta": DELTA, "T": T0, "lam": LAM}, SPEC),
    Entry(rates.pair_rates, {"delta": DELTA, "T": T0, "nu": NU, "lam": LAM}, SPEC, examples=25),
    Entry(rates.generation_rate_asymptotic, {"delta": _p("pos", 1e-3, 0.3), "T": T}, SPEC),
    Entry(
        rates.generation_time_asymptotic,
        {"delta": _p("pos", 1e-3, 0.3), "T": T},
        SPEC,
        inf_ok=True,  # a rate that underflows (or a2F(2 Delta) = 0): an infinite time
    ),
    Entry(rates.tau0, {"delta": _p("pos", 1e-3, 0.3)}, SPEC, inf_ok=True),
    Entry(rates.activation_factor, {"gap_ratio": _p("nonneg", 0.1, 30.0)}, inf_ok=True),
    Entry(
        rates.rate_per_s,
        {
            "rate": _p("nonneg", 1e-6, 1.0, inf_ok=True),
            "omega_meV": _p("pos", 10, 100, array=False),
        },
        inf_ok=True,
    ),
    Entry(
        rates.time_ns,
        {
            "rate": _p("nonneg", 1e-6, 1.0, inf_ok=True),
            "omega_meV": _p("pos", 10, 100, array=False),
        },
        inf_ok=True,
    ),
    Entry(
        kramers.kramers_rate_from_curvatures,
        {
            "barrier": _p("pos", 1e-3, 0.1),
            "omega_well": _p("pos", 0.1, 2.0),
            "omega_barrier": _p("pos", 0.1, 2.0),
            "T": T,
            "gamma": _p("nonneg", 1e-3, 10.0),
            "sites": _p("pos", 1.0, 100.0),
        },
    ),
    Entry(kramers.depopulation_factor, {"delta": _p("pos", 1e-3, 100.0)}),
    Entry(
        kramers.kramers_rate,
        {"T": _p("pos", 5e-3, 0.08), "gamma": _p("nonneg", 1e-3, 1.0), "sites": _p("pos", 1, 10)},
        MODEL,
        examples=8,
    ),
    Entry(pairing.effective_splitting, {"Q": Q, "dE": DE, "g": G}),
    Entry(pairing.attraction, {"Q": Q, "dE": DE, "g": G, "U0": U0}),
    Entry(pairing.attraction_slope, {"Q": Q, "dE": DE, "g": G}),
    Entry(landscape.free_energy, {"Q": Q, "T": T0}, MODEL),
    Entry(landscape.force, {"Q": Q, "T": T0}, MODEL),
    Entry(landscape.curvature, {"Q": Q, "T": T0}, MODEL),
    Entry(landscape.free_energy_map, {"Q": Q, "delta": DELTA, "T": T0}, MODEL),
    Entry(
        landscape.critical_points_kernel,
        {"dE": DE, "g": G, "nu": NU, "U0": U0, "T": _p("nonneg", 1e-3, 0.1), "cutoff": CUT},
        nan_ok=True,  # Q_B, Q_MS, ... are NaN where there is no metastable minimum
        examples=25,
    ),
    Entry(
        landscape.untrapping_temperature_kernel,
        {"dE": DE, "g": G, "nu": NU, "U0": U0, "cutoff": CUT},
        nan_ok=True,  # no metastable state at T = 0
        examples=15,
    ),
    Entry(
        dynamics.amplitude_from_displacement_pm,
        {
            "displacement_pm": _p("nonneg", 0.1, 10.0),
            "omega_meV": _p("pos", 10, 100, array=False),
            "mass_amu": _p("pos", 1, 1000, array=False),
        },
    ),
    Entry(SPECTRUM.__call__, {"Omega": _p("real", 0.0, 2.0)}),
    Entry(
        pairing.oscillating_attraction,  # dE = 1 (the resonance) is refused: kept off the range
        {"Q2": _p("nonneg", 1e-3, 10.0), "dE": _p("pos", 1.5, 5.0), "g": G},
    ),
    Entry(dynamics.GaussianPulse(1.5, 40.0, 20.0, carrier=2.0).__call__, {"t": _p("real", 0, 99)}),
    Entry(dynamics.FlatTopPulse(1.5, 5.0, 30.0, 10.0).__call__, {"t": _p("real", 0.0, 60.0)}),
]
IDS = [e.name for e in TABLE]


# --- strategies ------------------------------------------------------------------------------


def _magnitudes(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Log-uniform in [lo, hi] (lo > 0)."""
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: float(10.0**e))


def values(p: P) -> st.SearchStrategy[float]:
    """Valid values of ``p``: its ordinary range, exact zeros, and extreme magnitudes."""
    extreme = st.floats(-300.0, 300.0).map(lambda e: float(10.0**e))
    if p.rule == "real":
        ordinary = st.floats(p.lo, p.hi)
        return st.one_of(ordinary, ordinary, st.just(0.0), extreme, extreme.map(lambda x: -x))
    ordinary = _magnitudes(max(p.lo, 1e-300), p.hi)
    choices = [ordinary, ordinary, extreme]
    if p.rule == "nonneg":
        choices.append(st.just(0.0))
    if p.inf_ok:
        choices.append(st.just(math.inf))
    return st.one_of(*choices)


def typical(p: P) -> float:
    """A valid value inside the ordinary range."""
    return float(math.sqrt(p.lo * p.hi)) if p.lo > 0 else 0.5 * (p.lo + p.hi)


# --- the guarantees --------------------------------------------------------------------------


def leaves(result: Any) -> list[Any]:
    """Every numeric output: items of tuples and dicts, fields of dataclasses."""
    if isinstance(result, tuple | list):
        return [x for r in result for x in leaves(r)]
    if isinstance(result, dict):
        return [x for r in result.values() for x in leaves(r)]
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return [x for f in dataclasses.fields(result) for x in leaves(getattr(result, f.name))]
    return [result]


def names_a_parameter(exc: ValueError, names: list[str]) -> bool:
    message = str(exc)
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", message) for n in names)


def assert_guarantees(entry: Entry, kwargs: dict[str, Any], scalar: bool) -> Any:
    """Result (floats for scalar input, no undocumented NaN/inf) or a ValueError naming a
    parameter. Returns the result, or None if refused."""
    try:
        result = entry(**kwargs)
    except ValueError as exc:
        assert names_a_parameter(exc, list(kwargs)), f"{entry.name}{kwargs}: {exc}"
        assert "\n" not in str(exc) and "array(" not in str(exc)
        return None
    for leaf in leaves(result):
        if scalar:
            assert isinstance(leaf, float | int) and not isinstance(leaf, bool), (entry.name, leaf)
        arr = np.asarray(leaf, dtype=float)
        if not entry.nan_ok:
            assert not np.any(np.isnan(arr)), f"silent NaN: {entry.name}{kwargs} -> {result}"
        if not entry.inf_ok:
            assert not np.any(np.isinf(arr)), f"silent inf: {entry.name}{kwargs} -> {result}"
    return result


@pytest.mark.parametrize("entry", TABLE, ids=IDS)
def test_valid_scalars_give_floats_or_a_named_refusal(entry: Entry) -> None:
    strategy = st.fixed_dictionaries({k: values(p) for k, p in entry.params.items()})

    @settings(max_examples=entry.examples * _SCALE, derandomize=_DERANDOMIZE)
    @given(strategy)
    def check(kwargs: dict[str, float]) -> None:
        assert_guarantees(entry, kwargs, scalar=True)

    check()


@pytest.mark.parametrize("entry", TABLE, ids=IDS)
def test_ordinary_inputs_are_computed(entry: Entry) -> None:
    """Inside every parameter's ordinary range (chosen physically valid) nothing is refused."""

    def ordinary(p: P) -> st.SearchStrategy[float]:
        return st.floats(p.lo, p.hi) if p.rule == "real" else _magnitudes(p.lo, p.hi)

    strategy = st.fixed_dictionaries({k: ordinary(p) for k, p in entry.params.items()})

    @settings(max_examples=max(entry.examples // 2, 5) * _SCALE, derandomize=_DERANDOMIZE)
    @given(strategy)
    def check(kwargs: dict[str, float]) -> None:
        assert assert_guarantees(entry, kwargs, scalar=True) is not None, kwargs

    check()


@pytest.mark.parametrize("entry", TABLE, ids=IDS)
def test_typical_inputs_give_a_result(entry: Entry) -> None:
    kwargs = {k: typical(p) for k, p in entry.params.items()}
    assert assert_guarantees(entry, kwargs, scalar=True) is not None


@pytest.mark.parametrize("entry", TABLE, ids=IDS)
def test_arrays_broadcast_and_agree_with_scalars(entry: Entry) -> None:
    array_params = [k for k, p in entry.params.items() if p.array]
    first = array_params[0]
    p = entry.params[first]
    grid = (
        np.linspace(p.lo, p.hi, 3) if p.rule == "real" else np.geomspace(max(p.lo, 1e-6), p.hi, 3)
    )
    base = {k: typical(q) for k, q in entry.params.items()}
    together = assert_guarantees(entry, {**base, first: grid}, scalar=False)
    one_by_one = [assert_guarantees(entry, {**base, first: float(x)}, scalar=True) for x in grid]
    if together is None:  # refused as a whole: then some point alone is refused too
        assert any(r is None for r in one_by_one)
        return
    for i, single in enumerate(one_by_one):
        if single is None:
            continue
        for a, b in zip(leaves(together), leaves(single), strict=True):
            # same numbers up to the solvers' tolerances (blocks of points share no state)
            np.testing.assert_allclose(np.asarray(a)[i], b, rtol=1e-9, atol=1e-300)
    # a second array argument of another shape must be refused, naming parameters
    if len(array_params) > 1:
        second = array_params[1]
        q = entry.params[second]
        with pytest.raises(ValueError) as exc:
            entry(**{**base, first: grid, second: np.full(2, typical(q))})
        assert names_a_parameter(exc.value, [first, second]), str(exc.value)


@pytest.mark.parametrize("entry", TABLE, ids=IDS)
def test_empty_arrays_give_empty_results(entry: Entry) -> None:
    first = next(k for k, p in entry.params.items() if p.array)
    base = {k: typical(q) for k, q in entry.params.items()}
    result = entry(**{**base, first: np.array([])})
    for leaf in leaves(result):
        assert np.asarray(leaf).size == 0, (entry.name, leaf)


BAD_TYPES: list[Any] = ["1.5", "abc", 1 + 1j, None, {}, True, [1.0, "a"], math.nan]


@pytest.mark.parametrize("entry", TABLE, ids=IDS)
def test_bad_values_are_refused_naming_the_parameter(entry: Entry) -> None:
    base = {k: typical(q) for k, q in entry.params.items()}
    for name, p in entry.params.items():
        bad = list(BAD_TYPES)
        bad += {"pos": [0.0, -1.0], "nonneg": [-1.0], "real": []}[p.rule]
        if not p.inf_ok:
            bad.append(math.inf if p.rule != "real" else -math.inf)
        if not p.array:
            bad.append(np.array([typical(p), typical(p)]))
        for value in bad:
            with pytest.raises(ValueError) as exc:
                entry(**{**base, name: value})
            assert names_a_parameter(exc.value, [name]), f"{entry.name} {name}={value!r}: {exc}"
            assert "\n" not in str(exc.value)
