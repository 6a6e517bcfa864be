"""Sweeps and protocols that return xarray Datasets.

Temperatures: a parameter named ``T_K`` is in kelvin (``drive``), one named ``T`` is in
hbar*omega/k_B, the internal unit (``landscape``, ``thermodynamics``, ``trapping``, ``kinetics``;
convert with ``photosc.units.temperature_from_K(T_K, model.omega_meV)``). A ``T`` above 10 BCS
cutoffs (~10 hbar*omega, ~10^4 K) is refused: it is almost always kelvin passed as hbar*omega.
Every dataset carries both a ``T`` (or ``T_K``) coordinate and its kelvin/internal twin.

Every study checks that ``model`` is a ``photosc.model.Model`` and refuses empty grids.
The submodules load on first use; ``photosc.studies.phase_diagram(...)`` calls
``photosc.studies.phase_diagram.phase_diagram``.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = ("drive", "kinetics", "landscape", "phase_diagram", "thermodynamics", "trapping")


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
