"""Immutable data containers: :class:`Dataset` and :class:`Sweep`.

A :class:`Dataset` is one curve (x, y and optional standard errors of y) with
names, units and free-form metadata (frequency, angle, thickness, sample,
source file, ...). A :class:`Sweep` is an ordered collection of datasets, for
example one ST-FMR spectrum per frequency. Both are frozen: ``where``,
``sel`` and ``replace`` return new objects and never modify the original.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["Dataset", "Sweep", "DataError"]


class DataError(ValueError):
    """Data that cannot be used as given (NaNs, wrong shapes, too few points)."""


def _reduce_frozen(obj):
    """``__reduce__`` of a frozen dataclass whose mappings are read-only views and whose
    arrays are read-only: the fields, with the mappings as dicts (a mappingproxy does not
    pickle), restored by :func:`_restore_frozen`."""
    state, views = {}, []
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, MappingProxyType):
            v = dict(v)
            views.append(f.name)
        state[f.name] = v
    return (_restore_frozen, (type(obj), state, tuple(views)))


def _restore_frozen(cls, state: dict, views: tuple):
    """Unpickle what :func:`_reduce_frozen` saved: the same fields, mappings made read-only
    views again and arrays read-only (the state came from a valid object: not re-checked)."""
    obj = object.__new__(cls)
    for name, value in state.items():
        if name in views:
            value = MappingProxyType(value)
        elif isinstance(value, np.ndarray):
            value.setflags(write=False)
        object.__setattr__(obj, name, value)
    return obj


def _frozen_array(a, what: str, source: str) -> np.ndarray:
    try:
        arr = np.array(a, dtype=float, copy=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{source}: {what} is not numeric ({exc})") from None
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.size == 1 else arr
        if arr.ndim != 1:
            raise DataError(f"{source}: {what} must be one-dimensional, got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Dataset:
    """One curve y(x) with units and metadata.

    Parameters
    ----------
    x, y : array_like
        Independent and dependent values, in the units ``x_unit``/``y_unit``
        (house units by convention, see :mod:`sotfit.units`).
    yerr : array_like, optional
        Standard errors of ``y`` (same unit). ``None`` when unknown; fits then
        estimate the noise from the residual scatter.
    x_name, y_name : str
        Names of the quantities, e.g. ``'field'``, ``'vmix'``.
    x_unit, y_unit : str
        Units as strings.
    meta : mapping
        Anything that travels with the data: ``frequency`` (GHz),
        ``source`` (file name), ``polarity``, ``thickness``, ...

    Raises
    ------
    DataError
        On NaN or infinite values, mismatched lengths, or non-positive errors;
        the message names ``meta['source']`` when known.
    """

    x: np.ndarray
    y: np.ndarray
    yerr: np.ndarray | None = None
    x_name: str = "x"
    y_name: str = "y"
    x_unit: str = ""
    y_unit: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        meta = MappingProxyType(dict(self.meta))
        object.__setattr__(self, "meta", meta)
        src = self.source
        x = _frozen_array(self.x, f"x ({self.x_name})", src)
        y = _frozen_array(self.y, f"y ({self.y_name})", src)
        if x.shape != y.shape:
            raise DataError(f"{src}: {self.x_name} has {x.size} values but {self.y_name} has {y.size}")
        for arr, name in ((x, self.x_name), (y, self.y_name)):
            bad = ~np.isfinite(arr)
            if bad.any():
                idx = np.flatnonzero(bad)[:5].tolist()
                raise DataError(
                    f"{src}: column {name!r} has {bad.sum()} non-finite value(s) "
                    f"(NaN or inf) at row(s) {idx}; remove or fill them explicitly"
                )
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        if self.yerr is not None:
            e = _frozen_array(self.yerr, f"yerr ({self.y_name})", src)
            if e.size == 1 and x.size != 1:
                e = np.full_like(x, float(e[0]))
                e.setflags(write=False)
            if e.shape != x.shape:
                raise DataError(f"{src}: {e.size} errors for {x.size} values of {self.y_name}")
            if not np.all(np.isfinite(e)) or np.any(e <= 0):
                raise DataError(
                    f"{src}: uncertainties of {self.y_name!r} must be finite and > 0 "
                    f"(found {np.sum(~(np.isfinite(e) & (e > 0)))} that are not)"
                )
            object.__setattr__(self, "yerr", e)

    def __reduce__(self):
        # datasets travel to and from worker processes (sotfit.parallel): restored with
        # read-only arrays and meta as a read-only mapping, as the constructor leaves them
        return _reduce_frozen(self)

    @property
    def source(self) -> str:
        """Where the data came from (``meta['source']``), or ``'<dataset>'``."""
        return str(self.meta.get("source", "<dataset>"))

    def __len__(self) -> int:
        return self.x.size

    def replace(self, **changes) -> "Dataset":
        """Return a copy with some fields replaced (``meta`` is merged, not replaced)."""
        if "meta" in changes:
            changes["meta"] = {**self.meta, **changes["meta"]}
        return dataclasses.replace(self, **changes)

    def without_points(self) -> "Dataset":
        """The same dataset with no points (its names, units and metadata, the metadata shared:
        both are read-only)."""
        out = object.__new__(Dataset)
        for f in dataclasses.fields(self):
            object.__setattr__(out, f.name, getattr(self, f.name))
        empty = np.empty(0)
        empty.setflags(write=False)
        object.__setattr__(out, "x", empty)
        object.__setattr__(out, "y", empty)
        object.__setattr__(out, "yerr", None)
        return out

    def where(self, mask) -> "Dataset":
        """Return the points where ``mask`` (boolean array or callable of x) is true."""
        m = mask(self.x) if callable(mask) else np.asarray(mask, dtype=bool)
        if m.shape != self.x.shape:
            raise DataError(f"{self.source}: mask has shape {m.shape}, data {self.x.shape}")
        return dataclasses.replace(
            self, x=self.x[m], y=self.y[m], yerr=None if self.yerr is None else self.yerr[m]
        )

    def sorted(self) -> "Dataset":
        """Return the points ordered by increasing x."""
        order = np.argsort(self.x, kind="stable")
        return dataclasses.replace(
            self, x=self.x[order], y=self.y[order],
            yerr=None if self.yerr is None else self.yerr[order],
        )

    def to_frame(self):
        """A pandas DataFrame with unit-named columns and the metadata in ``attrs``."""
        import pandas as pd

        cols = {f"{self.x_name} ({self.x_unit})": self.x, f"{self.y_name} ({self.y_unit})": self.y}
        if self.yerr is not None:
            cols[f"{self.y_name}_stderr ({self.y_unit})"] = self.yerr
        df = pd.DataFrame(cols)
        df.attrs.update(self.meta)
        return df

    def __repr__(self) -> str:
        keys = ", ".join(f"{k}={v!r}" for k, v in list(self.meta.items())[:4])
        return (f"Dataset({self.y_name} [{self.y_unit}] vs {self.x_name} [{self.x_unit}], "
                f"n={len(self)}{', ' + keys if keys else ''})")


@dataclass(frozen=True, eq=False)
class Sweep:
    """An ordered, immutable collection of :class:`Dataset` objects.

    Examples
    --------
    >>> sweep.sel(frequency=9.0)          # datasets whose meta matches
    >>> sweep.values("frequency")         # one value per dataset
    """

    datasets: tuple[Dataset, ...]

    def __post_init__(self):
        ds = tuple(self.datasets)
        for d in ds:
            if not isinstance(d, Dataset):
                raise TypeError(f"Sweep holds Dataset objects, got {type(d).__name__}")
        object.__setattr__(self, "datasets", ds)

    def __len__(self) -> int:
        return len(self.datasets)

    def __iter__(self) -> Iterator[Dataset]:
        return iter(self.datasets)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sweep(self.datasets[i])
        return self.datasets[i]

    def values(self, key: str) -> list:
        """The metadata value ``key`` of every dataset (``None`` where absent)."""
        return [d.meta.get(key) for d in self.datasets]

    def sel(self, **criteria) -> "Sweep":
        """Datasets whose metadata equal all ``criteria`` (floats compared with isclose)."""

        def match(d: Dataset) -> bool:
            for k, v in criteria.items():
                have = d.meta.get(k)
                if isinstance(v, float) and isinstance(have, (int, float)):
                    if not np.isclose(have, v):
                        return False
                elif have != v:
                    return False
            return True

        return Sweep(tuple(d for d in self.datasets if match(d)))

    def where(self, predicate: Callable[[Dataset], bool]) -> "Sweep":
        """Datasets for which ``predicate(dataset)`` is true."""
        return Sweep(tuple(d for d in self.datasets if predicate(d)))

    def map(self, func: Callable[[Dataset], Dataset]) -> "Sweep":
        """Apply ``func`` to each dataset and collect the results."""
        return Sweep(tuple(func(d) for d in self.datasets))

    def sort_by(self, key: str) -> "Sweep":
        """Datasets ordered by the metadata value ``key``."""
        return Sweep(tuple(sorted(self.datasets, key=lambda d: d.meta[key])))

    @classmethod
    def concat(cls, sweeps: Iterable["Sweep"]) -> "Sweep":
        """Join several sweeps into one."""
        return cls(tuple(d for s in sweeps for d in s))

    def __repr__(self) -> str:
        return f"Sweep({len(self)} datasets)"
