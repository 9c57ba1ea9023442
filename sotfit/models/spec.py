"""The one model protocol: :class:`Param` and :class:`ModelSpec`.

A model is a pure, vectorised, picklable function ``func(x, **params)`` plus a
parameter table (name, unit, default, bounds, doc). Lineshapes and physical
forward models are the same type, so every model plugs into least squares
(:func:`sotfit.fit`), global fits (:func:`sotfit.fit_global`) and posterior
sampling identically.

Some models need per-dataset constants that are not fitted, such as the
microwave frequency of an ST-FMR spectrum. They are listed in ``inputs`` and
are taken from each dataset's metadata by the fitting functions.

This module (like all of :mod:`sotfit.models`) imports neither lmfit, pandas
nor matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

__all__ = ["Param", "ModelSpec", "ModelError", "Reference"]


class ModelError(ValueError):
    """A model called with missing, unknown or impossible parameters."""


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Parameters
    ----------
    name : str
        Keyword name in the model function (a valid Python identifier).
    unit : str
        Unit of the value (house units, see :mod:`sotfit.units`).
    default : float
        Value used when neither a guess nor the user gives one.
    bounds : (float, float)
        Allowed range (``-inf``/``inf`` for none); also the fit bounds.
    doc : str
        One line saying what the parameter is.
    vary : bool
        Whether fits vary it by default (``False`` for parameters that are
        usually known, such as an anisotropy field assumed zero).
    ask : str
        For a parameter held by default whose value others scale with: why a fit warns
        (:class:`~sotfit.fitting.FitWarning`) when it is held at its default rather than at a
        value the user gives (empty: no warning).
    """

    name: str
    unit: str
    default: float
    bounds: tuple[float, float] = (-math.inf, math.inf)
    doc: str = ""
    vary: bool = True
    ask: str = ""

    def __post_init__(self):
        lo, hi = self.bounds
        if not (lo <= self.default <= hi):
            raise ModelError(
                f"parameter {self.name!r}: default {self.default} outside bounds {self.bounds}"
            )


@dataclass(frozen=True)
class Reference:
    """One checked value of a model: given parameters and x, the expected y and its source.

    Every registered model carries at least one (``ModelSpec.references``), and the registry
    test evaluates them all, in the manner of sasmodels' ``tests`` lists.

    Parameters
    ----------
    x : tuple of float
        The x values, in the model's ``x_unit``.
    y : tuple of float
        The expected model values at ``x``, in the model's ``y_unit``.
    source : str
        Where ``y`` comes from: a closed form evaluated independently, a published number
        (paper and place), a limit, or the test that checks the value against an independent
        calculation ("regression value" where nothing independent exists).
    values : mapping of str to float
        Parameter values and inputs (house units) given to the model; the other parameters keep
        their defaults. Stored as a sorted tuple of pairs, so the record stays hashable.
    rtol : float
        Relative tolerance of the comparison.
    atol : float
        Absolute tolerance (in ``y_unit``), for expected values at or near zero.
    """

    x: tuple[float, ...]
    y: tuple[float, ...]
    source: str
    values: tuple[tuple[str, float], ...] = ()
    rtol: float = 1e-12
    atol: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "x", tuple(float(v) for v in np.atleast_1d(self.x)))
        object.__setattr__(self, "y", tuple(float(v) for v in np.atleast_1d(self.y)))
        vals = dict(self.values)
        object.__setattr__(self, "values", tuple(sorted((k, float(v)) for k, v in vals.items())))
        if len(self.x) != len(self.y):
            raise ModelError(f"reference {self.source!r}: {len(self.x)} x values but "
                             f"{len(self.y)} expected values")
        if not self.source:
            raise ModelError("a reference needs a source")

    @property
    def kwargs(self) -> dict[str, float]:
        """``{name: value}`` of the parameters and inputs (house units)."""
        return dict(self.values)


@dataclass(frozen=True)
class ModelSpec:
    """A model: pure function, parameter table, units and an optional guess.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``'stfmr_mixing'``.
    func : callable
        ``func(x, **params, **inputs) -> ndarray``, vectorised over ``x``;
        a module-level function (or a picklable callable object) so that
        models can be sent to worker processes.
    params : tuple of Param
        The parameter table.
    x_name, x_unit, y_name, y_unit : str
        What the model takes and returns, with units.
    doc : str
        What the model is and where it comes from (paper and equation).
    guess : callable, optional
        ``guess(x, y, **inputs) -> dict`` of starting values.
    inputs : tuple of str
        Names of per-dataset constants taken from ``Dataset.meta``.
    linear : tuple of str
        Parameters that enter the model linearly (used by fast batch fitters).
    x_domain : (float, float)
        The x values the model is defined for (inclusive), e.g. ``(0, inf)`` for lineshapes
        written in the field magnitude; fits refuse data outside it.
    references : tuple of Reference
        Checked values of the model (expected y at given parameters and x, with their source).
    lineshape : LinearBasis or None
        For an ST-FMR lineshape, its variable-projection basis
        (:class:`~sotfit.models.lineshape_bases.LinearBasis`), which also says how the ST-FMR
        analysis searches, starts, checks and draws it; None for every other model.
    """

    name: str
    func: Callable
    params: tuple[Param, ...]
    x_name: str
    x_unit: str
    y_name: str
    y_unit: str
    doc: str = ""
    guess: Callable | None = None
    inputs: tuple[str, ...] = ()
    linear: tuple[str, ...] = field(default=())
    x_domain: tuple[float, float] = (-np.inf, np.inf)
    references: tuple[Reference, ...] = ()
    lineshape: Any = None

    def __post_init__(self):
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "linear", tuple(self.linear))
        object.__setattr__(self, "references", tuple(self.references))
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ModelError(f"model {self.name!r}: duplicated parameter names {names}")
        unknown = set(self.linear) - set(names)
        if unknown:
            raise ModelError(f"model {self.name!r}: linear names {sorted(unknown)} are not parameters")
        for ref in self.references:
            unknown = set(ref.kwargs) - set(names) - set(self.inputs)
            if unknown:
                raise ModelError(f"model {self.name!r}: reference {ref.source!r} sets unknown "
                                 f"names {sorted(unknown)}")

    @cached_property
    def param_names(self) -> tuple[str, ...]:
        """Names of the parameters, in table order (the table is immutable: found once)."""
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        """The :class:`Param` called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise ModelError(f"model {self.name!r} has no parameter {name!r}; it has {list(self.param_names)}")

    def defaults(self) -> dict[str, float]:
        """``{name: default}`` for every parameter."""
        return {p.name: p.default for p in self.params}

    def units(self) -> dict[str, str]:
        """``{name: unit}`` for every parameter."""
        return {p.name: p.unit for p in self.params}

    def check(self, values: Mapping[str, float]) -> None:
        """Raise :class:`ModelError` if a value is unknown, non-finite or out of bounds."""
        for k, v in values.items():
            p = self.param(k)
            if not np.isfinite(v):
                raise ModelError(f"model {self.name!r}: parameter {k!r} = {v} is not finite")
            lo, hi = p.bounds
            if not (lo <= v <= hi):
                raise ModelError(
                    f"model {self.name!r}: parameter {k!r} = {v} {p.unit} is outside its "
                    f"allowed range [{lo}, {hi}]"
                )

    def check_domain(self, x, source: str = "data") -> None:
        """Raise :class:`ModelError` if any ``x`` lies outside :attr:`x_domain`."""
        lo, hi = self.x_domain
        x = np.asarray(x, float)
        if x.size and (x.min() < lo or x.max() > hi):
            raise ModelError(
                f"{source}: {self.x_name} runs from {x.min():.6g} to {x.max():.6g} {self.x_unit}, "
                f"but model {self.name!r} is defined for {lo:g} <= {self.x_name} <= {hi:g}"
                + (" (it takes the field magnitude: fit each polarity on its own, e.g. "
                   "d.where(d.x > 0), or use sotfit.analysis.stfmr.analyse_stfmr, which splits "
                   "the branches)" if lo == 0 and self.x_unit == "T" else ""))

    def initial(self, x=None, y=None, inputs: Mapping | None = None) -> dict[str, float]:
        """Starting values: defaults updated by ``guess(x, y, **inputs)`` when available."""
        start = self.defaults()
        if self.guess is not None and x is not None and y is not None:
            g = self.guess(np.asarray(x), np.asarray(y), **dict(inputs or {}))
            unknown = set(g) - set(start)
            if unknown:
                raise ModelError(f"guess of {self.name!r} returned unknown names {sorted(unknown)}")
            start.update({k: float(v) for k, v in g.items()})
        return start

    def __call__(self, x, **kwargs):
        """Evaluate the model; missing parameters take their defaults.

        Inputs listed in ``inputs`` must be given; unknown keywords are an error.
        """
        values = self.defaults()
        allowed = set(values) | set(self.inputs)
        unknown = set(kwargs) - allowed
        if unknown:
            raise ModelError(
                f"model {self.name!r}: unknown argument(s) {sorted(unknown)}; "
                f"parameters are {list(self.param_names)}"
                + (f", inputs are {list(self.inputs)}" if self.inputs else "")
            )
        missing = [k for k in self.inputs if k not in kwargs]
        if missing:
            raise ModelError(f"model {self.name!r} needs input(s) {missing} (from the dataset metadata)")
        values.update(kwargs)
        return self.func(np.asarray(x, dtype=float), **values)

    def with_defaults(self, **defaults) -> "ModelSpec":
        """A copy whose parameter defaults (and, if given as ``(value, vary)``, vary flags) change."""
        new = []
        for p in self.params:
            if p.name in defaults:
                v = defaults[p.name]
                if isinstance(v, tuple):
                    p = replace(p, default=float(v[0]), vary=bool(v[1]))
                else:
                    p = replace(p, default=float(v))
            new.append(p)
        unknown = set(defaults) - set(self.param_names)
        if unknown:
            raise ModelError(f"model {self.name!r} has no parameter(s) {sorted(unknown)}")
        return replace(self, params=tuple(new))

    def __repr__(self) -> str:
        ps = ", ".join(f"{p.name} [{p.unit}]" for p in self.params)
        return f"ModelSpec({self.name}: {self.y_name} [{self.y_unit}] of {self.x_name} [{self.x_unit}]; {ps})"
