"""One layer for sweeps: a lazy, dask-chunked study output (any ``xarray.apply_ufunc(...,
dask="parallelized")`` kernel, e.g. ``phase_diagram(..., chunks=...)``, or a study of
``photosc.studies.catalog`` on a grid of parameters, ``Sweep``) computed chunk by chunk,
in-process or on a Dask cluster, each chunk written into a Zarr store as it finishes.

- In-process by default (a thread pool, no cluster started); ``workers=N`` starts a
  ``dask.distributed.LocalCluster`` of N single-threaded worker processes; ``scheduler`` is the
  address of an existing cluster (``tcp://HOST:PORT``) or a ``distributed.Client``.
- Resumable: every finished chunk is written to the store at once and marked done in the
  store's ``chunk_done`` array; running the same sweep again computes only the chunks not yet
  marked. The store carries the sweep's fingerprint (study, grid, fixed values, chunks, seed and
  a hash of photosc's code); a different sweep is refused unless ``restart`` overwrites it.
- Fault tolerant: a task lost with its worker is run again (dask reschedules it, with retries).
- Reproducible: a point's result depends only on its parameters and, for stochastic studies, on
  the sweep's seed and the point's index in the whole grid, never on the chunking or the worker.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import math
import os
import shutil
import sys
import time
import tomllib
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from photosc.studies.catalog import STUDIES, Study

#: Name of the store's array of done markers, one element per chunk.
DONE = "chunk_done"
#: zstd level of the store's chunks (zarr's default; ``write_chunk`` encodes them itself).
_ZSTD_LEVEL = 0


@dataclass(frozen=True)
class Sweep:
    """A study on a grid: ``grid`` maps each swept parameter (in order: the dimensions) to its
    1-d values, ``fixed`` gives the others (defaults from the study where omitted), ``chunks``
    the points per chunk along each dimension (default: the whole dimension), ``seed`` the root
    of the per-point seeds of stochastic studies."""

    study: str
    grid: Mapping[str, np.ndarray]
    fixed: Mapping[str, float] = field(default_factory=dict)
    chunks: Mapping[str, int] = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.study not in STUDIES:
            raise ValueError(f"study must be one of {sorted(STUDIES)}, got study={self.study!r}")
        params = self.spec.parameters
        grid = {k: _axis(k, v) for k, v in self.grid.items()}
        if not grid:
            raise ValueError("grid must sweep at least one parameter")
        fixed = {k: _number(k, v) for k, v in self.fixed.items()}
        for name in [*grid, *fixed]:
            if name not in params:
                raise ValueError(
                    f"{name!r} is not a parameter of study {self.study!r}: {sorted(params)}"
                )
        both = set(grid) & set(fixed)
        if both:
            raise ValueError(f"parameters both swept and fixed: {sorted(both)}")
        missing = [k for k, q in params.items() if q.default is None and k not in grid | fixed]
        if missing:
            raise ValueError(f"study {self.study!r} needs values for {missing}")
        for name, size in self.chunks.items():
            if name not in grid:
                raise ValueError(f"chunks names {name!r}, which is not swept: {list(grid)}")
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(f"chunks[{name!r}] must be an integer >= 1, got {size!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got seed={self.seed!r}")
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "fixed", fixed)
        object.__setattr__(self, "chunks", {k: min(self.chunks.get(k, v.size), v.size)
                                            for k, v in grid.items()})  # fmt: skip

    @property
    def spec(self) -> Study:
        """The catalogue entry of the study."""
        return STUDIES[self.study]

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(self.grid)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(v.size for v in self.grid.values())

    @property
    def chunk_grid(self) -> tuple[int, ...]:
        """Number of chunks along each dimension."""
        return tuple(math.ceil(v.size / self.chunks[k]) for k, v in self.grid.items())

    @property
    def n_chunks(self) -> int:
        return math.prod(self.chunk_grid)

    def values(self) -> dict[str, float]:
        """Fixed values with the study's defaults filled in."""
        params = self.spec.parameters
        return {
            k: float(self.fixed[k] if k in self.fixed else q.default)  # type: ignore[arg-type]
            for k, q in params.items()
            if k not in self.grid
        }


def _axis(name: str, values: Any) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"grid values of {name} must be numbers, got {values!r}") from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"grid values of {name} must be a non-empty 1-d list of finite numbers")
    return arr


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {name}={value!r}")
    return float(value)


@cache
def code_version() -> str:
    """photosc's version and a hash of its source files: a changed code is a different sweep."""
    from photosc import __version__

    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


# --- the spec file ---------------------------------------------------------------------------


def from_toml(path: str | Path) -> Sweep:
    """The sweep described by a TOML spec (format in the README and ``examples/``):

    ``[sweep]`` with ``study`` and optionally ``seed`` and ``material`` (a preset or TOML file
    whose parameters, with ``Z`` or ``Z_inv``, fill in the fixed model values); ``[grid]`` with
    each swept parameter as a list or a "start:stop:count" range; ``[fixed]`` and ``[chunks]``.
    """
    path = Path(path)
    try:
        spec = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"sweep spec not found: {str(path)!r}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(spec) - {"sweep", "grid", "fixed", "chunks"}
    if unknown:
        raise ValueError(f"{path}: unknown tables {sorted(unknown)}")
    head = dict(spec.get("sweep", {}))
    if "study" not in head:
        raise ValueError(f"{path}: [sweep] needs a study, one of {sorted(STUDIES)}")
    study = head.pop("study")
    seed = head.pop("seed", 0)
    grid = {k: _grid_values(k, v) for k, v in spec.get("grid", {}).items()}
    fixed = {}
    if "material" in head:
        params = STUDIES[study].parameters if study in STUDIES else {}
        material = _material_values(head.pop("material"), head, path.parent)
        fixed = {k: v for k, v in material.items() if k in params and k not in grid}
    head.pop("Z", None), head.pop("Z_inv", None)
    if head:
        raise ValueError(f"{path}: unknown keys in [sweep]: {sorted(head)}")
    fixed |= spec.get("fixed", {})
    return Sweep(study, grid, fixed, dict(spec.get("chunks", {})), seed)


def _grid_values(name: str, value: Any) -> np.ndarray:
    if isinstance(value, str):
        parts = value.split(":")
        try:
            start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
            if len(parts) != 3 or count < 1:
                raise ValueError
        except (ValueError, IndexError):
            raise ValueError(
                f"grid {name} must be a list or 'start:stop:count', got {name}={value!r}"
            ) from None
        return np.linspace(start, stop, count)
    return _axis(name, value)


def _material_values(name: str, head: Mapping[str, Any], base: Path) -> dict[str, float]:
    """Model values (dE, g, nu, lam_eff, cutoff, omega_meV) of a preset or TOML file."""
    from photosc import materials

    source = str(base / name) if name.endswith(".toml") else name
    Z = head.get("Z", 1.0 / head["Z_inv"] if "Z_inv" in head else None)
    m = materials.load(source, Z=Z)
    return {"dE": m.dE, "g": m.g, "nu": m.nu, "lam_eff": m.lam_eff, "cutoff": m.cutoff,
            "omega_meV": m.omega_meV}  # fmt: skip


# --- the catalogue study as a lazy dataset ---------------------------------------------------


def lazy_dataset(sweep: Sweep) -> xr.Dataset:
    """The sweep as a lazy, dask-chunked Dataset: the study's kernel lifted blockwise with
    ``xarray.apply_ufunc(..., dask="parallelized")`` over the grid."""
    import dask.array as da

    from photosc.io import provenance

    study = sweep.spec
    coords = {
        d: xr.DataArray(v, dims=d, attrs=_attrs(study.parameters[d])) for d, v in sweep.grid.items()
    }
    chunks = {d: sweep.chunks[d] for d in sweep.dims}
    mesh = [c.chunk({d: chunks[d]}) for d, c in coords.items()]
    index = xr.DataArray(
        da.arange(math.prod(sweep.shape), dtype=np.int64)
        .reshape(sweep.shape)
        .rechunk(tuple(chunks.values())),
        dims=sweep.dims,
    )
    outputs = xr.apply_ufunc(
        _catalog_block,
        *xr.broadcast(*mesh),
        index,
        kwargs={"sweep": sweep},
        output_core_dims=[[] for _ in study.outputs],
        dask="parallelized",
        output_dtypes=[np.dtype(q.dtype) for q in study.outputs.values()],
    )
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    ds = xr.Dataset(
        {
            name: da_.assign_attrs(_attrs(q))
            for (name, q), da_ in zip(study.outputs.items(), outputs, strict=True)
        },
        coords=coords,
    )
    ds.attrs = provenance(
        title=study.description,
        study=sweep.study,
        seed=sweep.seed,
        fixed=json.dumps(sweep.values()),
    )
    return ds.transpose(*sweep.dims)


def _attrs(q: Any) -> dict[str, str]:
    return {"units": q.units, "long_name": q.long_name}


def _catalog_block(*arrays: np.ndarray, sweep: Sweep) -> Any:
    """One block of a catalogue study: grid values (then the points' flat indices) -> outputs."""
    *values, index = arrays
    shape = index.shape
    args: dict[str, Any] = dict(zip(sweep.dims, values, strict=True))
    args |= {k: np.full(shape, v) for k, v in sweep.values().items()}
    study = sweep.spec
    if study.stochastic:
        args["seed"] = point_seeds(sweep.seed, index)
    result = study.kernel(**args)
    blocks = tuple(
        np.broadcast_to(np.asarray(result[name], dtype=q.dtype), shape).copy()
        for name, q in study.outputs.items()
    )
    return blocks if len(blocks) > 1 else blocks[0]


def point_seeds(seed: int, index: np.ndarray) -> np.ndarray:
    """One uint64 seed per point, from SeedSequence(seed, spawn_key=(flat index in the grid,))."""
    seeds = [
        np.random.SeedSequence(seed, spawn_key=(int(i),)).generate_state(1, np.uint64)[0]
        for i in np.ravel(index)
    ]
    return np.asarray(seeds, dtype=np.uint64).reshape(np.shape(index))


# --- the store ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The chunk grid of a lazy dataset: dimension names and chunk sizes along each."""

    dims: tuple[str, ...]
    sizes: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, lazy: xr.Dataset) -> _Layout:
        try:
            chunks = dict(lazy.chunks)
        except ValueError as exc:  # inconsistent chunks between variables
            raise ValueError(f"the dataset's variables are chunked differently: {exc}") from None
        if not chunks:
            raise ValueError("the dataset is not chunked: build it with chunks=... (dask)")
        dims = tuple(str(d) for d in chunks)
        return cls(dims, tuple(tuple(int(c) for c in v) for v in chunks.values()))

    @property
    def n_chunks(self) -> int:
        return math.prod(len(s) for s in self.sizes)

    @property
    def chunk_size(self) -> dict[str, int]:
        """The (largest) chunk size along each dimension."""
        return {d: max(s) for d, s in zip(self.dims, self.sizes, strict=True)}

    def index(self, k: int) -> dict[str, int]:
        """Block index of chunk ``k`` (row-major over the chunk grid) along each dimension."""
        index = np.unravel_index(k, [len(s) for s in self.sizes])
        return {d: int(i) for d, i in zip(self.dims, index, strict=True)}

    def region(self, k: int) -> dict[str, slice]:
        """Index ranges of chunk ``k``."""
        region = {}
        for (d, i), sizes in zip(self.index(k).items(), self.sizes, strict=True):
            start = int(sum(sizes[:i]))
            region[d] = slice(start, start + sizes[i])
        return region


def _aligned(lazy: xr.Dataset) -> xr.Dataset:
    """``lazy`` with its in-memory data variables (e.g. a map's per-temperature columns) chunked
    like the dask ones, so that every chunk of the sweep holds its part of every variable."""
    _Layout.of(lazy)  # checks that the dask variables agree
    chunks = dict(lazy.chunks)
    eager = {
        name: var.chunk({d: chunks.get(d, var.sizes[d]) for d in var.dims})
        for name, var in lazy.data_vars.items()
        if var.chunks is None
    }
    return lazy.assign(eager)


def fingerprint(lazy: xr.Dataset) -> str:
    """SHA-256 of what determines the numbers and the layout: variables, coordinates, attrs
    (but the creation time), chunks, ``code_version()`` and the dask graph's names (dask's
    deterministic tokens of each kernel and its arguments, e.g. a spectrum not in the attrs)."""
    attrs = {k: str(v) for k, v in lazy.attrs.items() if k != "created"}
    text = json.dumps(
        {
            "variables": {k: str(v.dtype) for k, v in lazy.data_vars.items()},
            "graph": sorted(str(v.data.name) for v in lazy.data_vars.values() if v.chunks),
            "coords": {
                str(k): [float(x).hex() for x in np.ravel(v.values)] for k, v in lazy.coords.items()
            },
            "attrs": attrs,
            "chunks": {k: list(v) for k, v in dict(lazy.chunks).items()},
            "code": code_version(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _json(attrs: Mapping[Any, Any]) -> dict[str, Any]:
    """attrs as JSON values (numpy scalars and arrays as Python numbers and lists)."""
    return {str(k): v.tolist() if isinstance(v, np.ndarray | np.generic) else v
            for k, v in attrs.items()}  # fmt: skip


def _store_attrs(lazy: xr.Dataset, key: str) -> dict[str, Any]:
    """The dataset attributes of the store of ``lazy`` (fingerprint ``key``), as read back."""
    attrs = _json(lazy.attrs) | {"sweep_fingerprint": key, "code_version": code_version()}
    return dict(json.loads(json.dumps(attrs)))


def _fill(dtype: np.dtype) -> float:
    """The store's fill value of unwritten chunks: NaN for floats, 0 for integers."""
    return np.nan if dtype.kind in "fc" else 0


def _chunk_shape(var: xr.Variable, size: Mapping[str, int]) -> tuple[int, ...]:
    """A variable's chunk shape in the store: ``size`` along the sweep's chunked dimensions,
    whole along the others, 1 along the done markers' ``chunk``."""
    return tuple(size.get(str(d), 1 if d == "chunk" else n) for d, n in var.sizes.items())


def _create_store(lazy: xr.Dataset, store: Path, key: str) -> None:
    """A new store for ``lazy``, made with the zarr API: one array per variable (chunked as the
    sweep, unwritten chunks NaN or 0), coordinates written, metadata consolidated once. xarray
    reads it back: dimensions from the arrays' ``dimension_names``, non-index coordinates from
    the group's CF ``coordinates`` attribute. zarr builds it in memory (8 ms; 25 ms through its
    file store); its files are then written into a temporary folder renamed into place, so a
    store exists whole or not at all."""
    import zarr.api.asynchronous
    import zarr.codecs
    from zarr.core.sync import sync
    from zarr.storage import MemoryStore

    layout = _Layout.of(lazy)
    extra = [str(k) for k in lazy.coords if k not in lazy.dims]
    attrs = _store_attrs(lazy, key)
    if extra:
        attrs["coordinates"] = " ".join(extra)
    done = xr.Variable(
        "chunk", np.zeros(layout.n_chunks, dtype=np.uint8),
        {"units": "1", "long_name": "chunk finished and written (1) or not (0)"},
    )  # fmt: skip
    files: dict[str, Any] = {}
    memory = MemoryStore(files)

    async def create(name: str, var: xr.Variable, root: Any) -> None:
        array = await root.create_array(
            name,
            shape=var.shape,
            chunks=_chunk_shape(var, layout.chunk_size),
            dtype=var.dtype,
            fill_value=_fill(var.dtype),
            dimension_names=[str(d) for d in var.dims],
            chunk_key_encoding={"name": "default", "separator": "."},
            serializer=zarr.codecs.BytesCodec(endian="little"),
            compressors=zarr.codecs.ZstdCodec(level=_ZSTD_LEVEL, checksum=False),
            attributes=_json(var.attrs),
        )
        if name in lazy.coords:
            await array.setitem(Ellipsis, var.values)

    async def create_all() -> None:  # the arrays concurrently, in one call into zarr's loop
        root = await zarr.api.asynchronous.open_group(memory, mode="w-", attributes=attrs)
        variables = [*lazy.variables.items(), (DONE, done)]
        await asyncio.gather(*(create(str(name), var, root) for name, var in variables))
        await zarr.api.asynchronous.consolidate_metadata(memory)

    with warnings.catch_warnings():  # consolidated metadata is not in the v3 spec (yet)
        warnings.simplefilter("ignore", UserWarning)
        sync(create_all())
    temporary = store.parent / f".{store.name}.{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)  # left by a killed run of this pid
    for name, data in files.items():
        path = temporary / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.to_bytes())
    os.rename(temporary, store)


def open_store(lazy: xr.Dataset, store: Path, *, restart: bool = False) -> np.ndarray:
    """Create the store for ``lazy`` (or check that it holds this sweep) and return its done
    markers, one per chunk (1: written). A store of another sweep is refused unless
    ``restart``."""
    import zarr

    store = Path(store)
    key = fingerprint(lazy)
    if restart and store.exists():
        shutil.rmtree(store)
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        _create_store(lazy, store, key)
        return np.zeros(_Layout.of(lazy).n_chunks, dtype=np.uint8)
    try:
        root = zarr.open_group(str(store), mode="r", use_consolidated=True)
        found = dict(root.attrs).get("sweep_fingerprint")
    except Exception:  # not a zarr group: zarr raises several kinds
        raise ValueError(f"{store} exists and is not a photosc sweep store") from None
    if found != key:
        raise ValueError(
            f"{store} holds a different sweep (fingerprint {str(found)[:12]}, this one "
            f"{key[:12]}: study, grid, parameters, chunks or code differ); pass --restart "
            "to overwrite it or choose another --out"
        )
    markers = root[DONE]
    assert isinstance(markers, zarr.Array)  # the store was made by _create_store
    return np.asarray(markers[:])


@cache
def _zstd() -> Any:
    """numcodecs' zstd, as zarr's ZstdCodec uses it (imported on first use: start-up time)."""
    from numcodecs.zstd import Zstd

    return Zstd(level=_ZSTD_LEVEL, checksum=False)


def _chunk_file(
    folder: Path, region: tuple[slice, ...], block: np.ndarray, shape: tuple[int, ...]
) -> None:
    """Write ``block``, the region of the array in ``folder`` that starts one of its chunks (of
    ``shape``), as that chunk's file in the Zarr v3 format: padded with the fill value (edge
    chunks), C order, little-endian bytes, zstd (the codecs ``_create_store`` sets), written to
    a temporary file and renamed over the chunk (a killed run leaves no half-written chunk).
    Not ``io.atomic_write``: its scan of the folder for stale temporaries would make every
    chunk's write grow with the chunks already written."""
    index = [(s.start or 0) // n for s, n in zip(region, shape, strict=True)]
    if block.shape != shape:
        full = np.full(shape, _fill(block.dtype), dtype=block.dtype)
        full[tuple(slice(0, n) for n in block.shape)] = block
        block = full
    data = np.ascontiguousarray(block, dtype=block.dtype.newbyteorder("<"))
    name = "c." + ".".join(map(str, index))
    temporary = folder / f".{name}.{os.getpid()}"
    temporary.write_bytes(_zstd().encode(data))
    os.replace(temporary, folder / name)


def write_chunk(store: Path, k: int, values: Mapping[str, np.ndarray],
                regions: Mapping[str, tuple[slice, ...]],
                shapes: Mapping[str, tuple[int, ...]]) -> None:  # fmt: skip
    """Write chunk ``k``'s ``values`` (by variable, each into its region, chunks of ``shapes``)
    into the ``store``, then (once they are written) mark the chunk done. The chunk files are
    encoded here (``_chunk_file``), not through zarr's array API: zarr takes ~1.3 ms per array
    and chunk (its indexing, and a thread hop per zstd call), this ~0.05 ms; zarr reads them."""
    for name, block in values.items():
        _chunk_file(store / name, regions[name], np.asarray(block), shapes[name])
    _chunk_file(store / DONE, (slice(k, k + 1),), np.ones(1, np.uint8), (1,))


# --- running -------------------------------------------------------------------------------------


def _regions(variables: Mapping[str, Any], layout: _Layout, k: int) -> dict[str, tuple[slice, ...]]:
    """Index ranges of chunk ``k`` in each of ``variables`` (by name)."""
    region = layout.region(k)
    return {name: tuple(region.get(str(d), slice(None)) for d in var.dims)
            for name, var in variables.items()}  # fmt: skip


class _Tasks:
    """The dask graph of a lazy dataset cut per chunk: chunk ``k`` is the culled sub-graph
    that computes its block of every variable (a kernel shared by several outputs runs once)."""

    def __init__(self, lazy: xr.Dataset, layout: _Layout) -> None:
        self.layout = layout
        self.variables = {str(k): v for k, v in lazy.data_vars.items()}
        self.shapes = {name: _chunk_shape(var.variable, layout.chunk_size)
                       for name, var in self.variables.items()}  # fmt: skip
        self.graph: dict[Any, Any] = {}
        for var in self.variables.values():
            self.graph.update(var.data.__dask_graph__())

    def keys(self, k: int) -> list[Any]:
        index = self.layout.index(k)
        return [(var.data.name, *(index.get(str(d), 0) for d in var.dims))
                for var in self.variables.values()]  # fmt: skip

    def regions(self, k: int) -> dict[str, tuple[slice, ...]]:
        return _regions(self.variables, self.layout, k)

    def chunk(self, k: int) -> _Chunk:
        """Chunk ``k``'s sub-graph and output keys."""
        from dask.optimization import cull

        keys = self.keys(k)
        return _Chunk(k, cull(self.graph, keys)[0], keys)


@dataclass(frozen=True)
class _Chunk:
    """One task of a sweep: a sub-graph and its output keys, opaque to the dask scheduler (a
    graph in a task's arguments would be taken for part of the task)."""

    k: int
    graph: dict[Any, Any]
    keys: list[Any]


#: A run keeps the blocks it computed (for ``SweepRun.in_memory``) up to this many bytes.
KEEP_BYTES = 256 * 2**20


@dataclass
class SweepRun:
    """What ``compute`` did: the chunks computed in this run, those found done already, the wall
    time in seconds, the store, and ``dataset`` (lazy, dask-chunked, read from the store). The
    blocks computed in this run are kept while they total at most ``KEEP_BYTES``."""

    computed: int
    skipped: int
    seconds: float
    store: Path
    like: xr.Dataset = field(repr=False)
    blocks: dict[int, list[np.ndarray]] = field(default_factory=dict, repr=False)

    @cached_property
    def dataset(self) -> xr.Dataset:
        """The store's dataset, dask-chunked as stored."""
        return _read(self.store, self.like)

    def in_memory(self) -> xr.Dataset:
        """The result loaded into memory, without the Zarr encodings (ready for NetCDF): from
        the blocks kept if this run computed every chunk, else each variable read whole from
        the store (not chunk by chunk through dask: ~2.5x faster)."""
        layout = _Layout.of(self.like)
        if len(self.blocks) < layout.n_chunks:
            ds = _read(self.store, self.like, dask=False).load()
            for var in ds.variables.values():
                var.encoding = {}
            return ds
        variables = {str(k): v for k, v in self.like.data_vars.items()}
        data = {name: np.empty(var.shape, var.dtype) for name, var in variables.items()}
        for k, values in self.blocks.items():
            regions = _regions(variables, layout, k)
            for name, block in zip(variables, values, strict=True):
                data[name][regions[name]] = block
        return xr.Dataset(
            {name: xr.Variable(var.dims, data[name], var.attrs) for name, var in variables.items()},
            coords={k: c.variable.load() for k, c in self.like.coords.items()},
            attrs=_store_attrs(self.like, fingerprint(self.like)),
        )


def _compute_chunk(chunk: _Chunk) -> list[np.ndarray]:
    """The blocks of chunk ``chunk.k``, one per variable, with dask's synchronous scheduler."""
    from dask.local import get_sync

    return [np.asarray(v) for v in get_sync(chunk.graph, chunk.keys)]


#: Writes a computed chunk (its index and its variables' blocks) into the store.
Writer = Callable[[int, list[np.ndarray]], None]


class _Threads:
    """In-process execution on a thread pool, each chunk with dask's synchronous scheduler;
    chunks are written here as they arrive, while the pool computes the others."""

    def __init__(self, threads: int) -> None:
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads)

    def run(self, chunks: list[_Chunk], tag: str, write: Writer) -> Iterator[int]:
        """Compute and write every chunk; yields each chunk's index once it is written."""
        futures = {self.pool.submit(_compute_chunk, chunk): chunk.k for chunk in chunks}
        for future in concurrent.futures.as_completed(futures):
            write(futures[future], future.result())
            yield futures[future]

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


class _Dask:
    """Execution on a dask.distributed cluster, chunks written here as they arrive; a task lost
    with its worker is run again."""

    def __init__(self, client: Any, owned: list[Any]) -> None:
        self.client, self.owned = client, owned

    def run(self, chunks: list[_Chunk], tag: str, write: Writer) -> Iterator[int]:
        """Compute every chunk on the cluster and write it; yields each index once written."""
        from distributed import as_completed

        futures = {
            self.client.submit(
                _compute_chunk, chunk, key=f"photosc-{tag}-chunk-{chunk.k}", pure=False,
                retries=3,
            ): chunk.k
            for chunk in chunks
        }  # fmt: skip
        for future in as_completed(futures):
            write(futures[future], future.result())
            yield futures[future]

    def close(self) -> None:
        for thing in self.owned:
            thing.close()


def _check_executor(workers: int | None, scheduler: Any, threads: int | None = None) -> None:
    if workers is not None and scheduler is not None:
        raise ValueError("give either workers or scheduler, not both")
    for name, n in (("workers", workers), ("threads", threads)):
        if n is not None and (isinstance(n, bool) or n < 1):
            raise ValueError(f"{name} must be >= 1, got {name}={n!r}")


@contextmanager
def executor(
    workers: int | None = None, scheduler: Any = None, threads: int | None = None
) -> Iterator[Any]:
    """The in-process pool of ``threads`` threads (default one per core), a new LocalCluster of
    ``workers`` processes, or ``scheduler`` (an address ``tcp://HOST:PORT`` or a
    ``distributed.Client``)."""
    _check_executor(workers, scheduler, threads)
    if workers is None and scheduler is None:
        ex: Any = _Threads(threads or os.cpu_count() or 1)
    else:
        from distributed import Client, LocalCluster

        if isinstance(scheduler, Client):
            ex = _Dask(scheduler, [])
        elif scheduler is not None:
            try:
                client = Client(str(scheduler), timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ValueError(f"no dask scheduler at {scheduler!r}: {exc}") from None
            ex = _Dask(client, [client])
        else:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
            ex = _Dask(client, [client, cluster])
    try:
        yield ex
    finally:
        ex.close()


def compute(
    lazy: xr.Dataset,
    store: str | Path,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    restart: bool = False,
    progress: Callable[[int, int], None] | None = None,
    threads: int | None = None,
) -> SweepRun:
    """Compute every chunk of the lazy Dataset ``lazy`` not yet done in the Zarr ``store``,
    writing each as it finishes; returns the whole result read back from the store.

    ``lazy`` is any dask-backed study output (``xarray.apply_ufunc(..., dask="parallelized")``
    kernels, e.g. ``phase_diagram(..., chunks=...)`` or ``lazy_dataset(sweep)``).
    ``progress(done, total)`` is called once before any work (done = chunks found finished)
    and after every chunk written (see ``progress_printer``). ``threads``: the in-process
    pool's size (default one per core); 1 for kernels that hold the GIL (numpy and Python
    loops, e.g. the landscape's), where a second thread only adds contention (``Study.threads``).
    """
    start = time.perf_counter()
    _check_executor(workers, scheduler, threads)
    store = Path(store)
    lazy = _aligned(lazy)
    layout = _Layout.of(lazy)
    done = open_store(lazy, store, restart=restart)
    pending = [int(k) for k in np.flatnonzero(done == 0)]
    skipped = layout.n_chunks - len(pending)
    if progress is not None:
        progress(skipped, layout.n_chunks)
    run = SweepRun(len(pending), skipped, 0.0, store, lazy)
    if pending:
        tasks = _Tasks(lazy, layout)
        kept = 0

        def write(k: int, values: list[np.ndarray]) -> None:
            nonlocal kept
            write_chunk(
                store,
                k,
                dict(zip(tasks.variables, values, strict=True)),
                tasks.regions(k),
                tasks.shapes,
            )
            kept += sum(v.nbytes for v in values)
            if kept <= KEEP_BYTES:
                run.blocks[k] = values
            else:
                run.blocks.clear()

        with executor(workers, scheduler, threads) as ex:
            chunks = [tasks.chunk(k) for k in pending]
            for count, _ in enumerate(ex.run(chunks, fingerprint(lazy)[:16], write), skipped + 1):
                if progress is not None:
                    progress(count, layout.n_chunks)
    run.seconds = time.perf_counter() - start
    return run


def _read(store: Path, like: xr.Dataset, *, dask: bool = True) -> xr.Dataset:
    """The store's dataset (dask-chunked as stored, or lazily indexed arrays), with the
    variables and coordinates in the order of ``like``."""
    stored = xr.open_zarr(str(store), consolidated=True, chunks={} if dask else None)
    return xr.Dataset(
        {k: stored[k].variable for k in like.data_vars},
        coords={k: stored[k].variable for k in like.coords},
        attrs=stored.attrs,
    )


def run(sweep: Sweep, store: str | Path, **options: Any) -> SweepRun:
    """``compute`` the catalogue sweep ``sweep`` into ``store`` (options as for ``compute``;
    in-process threads as its study's ``threads``)."""
    return compute(lazy_dataset(sweep), store, **({"threads": sweep.spec.threads} | options))


class _Progress:
    """Progress of ``compute``: a rich bar on a terminal, else one plain line per 10 %."""

    def __init__(self, label: str) -> None:
        self.label, self.next_percent = label, -1
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.next_percent < 0:  # the first call: chunks found done
            if done:
                print(f"{self.label}: resuming, {done} of {total} chunks already done", flush=True)
            self.next_percent = 10 * (100 * done // total // 10 + 1)
            if sys.stdout.isatty():
                from rich.progress import Progress

                self.bar = Progress()
                self.bar.start()
                self.task = self.bar.add_task(self.label, total=total, completed=done)
        elif self.bar is not None:
            self.bar.update(self.task, completed=done)
            if done >= total:
                self.bar.stop()
        elif 100 * done // total >= self.next_percent or done == total:
            percent = 100 * done // total
            print(f"{self.label}: {done}/{total} chunks ({percent}%)", flush=True)
            self.next_percent = 10 * (percent // 10 + 1)


def progress_printer(label: str) -> Callable[[int, int], None]:
    """A progress callback for ``compute``: a rich bar on a terminal, else one plain line per
    10 %; the first call (chunks already done, total) says what is resumed."""
    return _Progress(label)


def chunk_count(lazy: xr.Dataset) -> int:
    """Number of chunks of a lazy dataset (the tasks of ``compute``)."""
    return _Layout.of(lazy).n_chunks
