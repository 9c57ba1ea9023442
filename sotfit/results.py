"""Immutable fit results: :class:`FitResult` and :class:`ResultTable`.

A :class:`FitResult` holds the fitted parameters as ``uncertainties`` values
that keep their correlations (from the covariance matrix), the goodness of
fit, convergence diagnostics, units and provenance. A :class:`ResultTable`
collects one result per dataset and turns a parameter into the next fit's
input with :meth:`ResultTable.as_dataset` (spectra -> Kittel -> efficiency ->
thickness dependence).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from .data import Dataset
from .models.spec import ModelSpec

__all__ = ["FitResult", "LazyParams", "ResultTable", "quantity_dict", "open_new",
           "TORQUE_PAIRS", "pair_correlations"]


def open_new(path, overwrite: bool = False, mode: str = "w"):
    """Open ``path`` for writing, refusing to replace an existing file unless ``overwrite``."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; pass overwrite=True (or --overwrite) to replace it")
    p.parent.mkdir(parents=True, exist_ok=True)
    return open(p, mode, encoding=None if "b" in mode else "utf-8")


def quantity_dict(value, unit: str) -> dict:
    """``{"value", "stderr", "unit"}`` for a float or an uncertainties value."""
    nominal = getattr(value, "nominal_value", value)
    std = getattr(value, "std_dev", None)
    return {"value": float(nominal), "stderr": None if std is None else float(std), "unit": unit}


#: Field-like and damping-like quantities reported side by side (FL first): their correlation
#: is written with them (:func:`pair_correlations`) and their ratio compared with theory.
TORQUE_PAIRS = (("xi_fl", "xi_dl"), ("xi_e_fl", "xi_e_dl"), ("mu0_h_fl", "mu0_h_dl"))


def pair_correlations(values: Mapping) -> dict[str, float]:
    """Correlations of the field-like and damping-like quantities of ``values``.

    Parameters
    ----------
    values : mapping of str to uncertainties value (or float)
        Quantities by name, as a summary section holds them before they are written.

    Returns
    -------
    dict
        ``{"FL,DL": correlation}`` for each pair of :data:`TORQUE_PAIRS`, and for
        ``mu0_h_fl_oe`` (the field-like field with the Oersted field, measured before the
        sample allows its removal) with ``mu0_h_dl``, present with standard errors > 0 (the FL/DL ratio's error needs it: both often come from the same
        fit, or share M_eff and the current). Pairs without errors are left out.
    """
    from .stats import covariance_matrix

    out = {}
    for fl, dl in (*TORQUE_PAIRS, ("mu0_h_fl_oe", "mu0_h_dl")):
        a, b = values.get(fl), values.get(dl)
        if not all(getattr(v, "std_dev", 0) and np.isfinite(v.std_dev) for v in (a, b)):
            continue
        (saa, sab), (_, sbb) = covariance_matrix([a, b])
        c = sab / np.sqrt(saa * sbb)
        if np.isfinite(c):
            out[f"{fl},{dl}"] = float(np.clip(c, -1.0, 1.0))
    return out


class ParameterAccess:
    """Read access to a result's ``params`` mapping of uncertain values, shared by
    :class:`FitResult` (best-fit values and standard errors) and
    :class:`sotfit.bayes.PosteriorResult` (posterior medians and half 16-84 % widths)."""

    def __getitem__(self, name: str):
        try:
            return self.params[name]
        except KeyError:
            raise KeyError(f"no parameter {name!r}; have {list(self.params)}") from None

    def value(self, name: str) -> float:
        """Central value of ``name`` (best fit, or posterior median)."""
        return float(getattr(self[name], "nominal_value", self[name]))

    def stderr(self, name: str) -> float:
        """Standard error of ``name`` (0 for fixed parameters; half the 16-84 % width for a
        posterior)."""
        return float(getattr(self[name], "std_dev", 0.0))

    @property
    def values(self) -> dict[str, float]:
        """``{name: central value}``."""
        return {k: self.value(k) for k in self.params}


class LazyParams(Mapping):
    """A fit's parameters as correlated ``uncertainties`` values, built when first read.

    Many fits are read only for their best values and the diagonal of their covariance (a
    batch of spectra, a summary); the correlated values (an eigen-decomposition of the
    correlation matrix and one object per parameter and direction) are built on the first
    item read, all at once, so that they keep their correlations. Pickled, only the numbers
    travel (values, names, covariance) and the values are built again where they are read:
    whatever is computed from them must be computed there as well (see
    :class:`sotfit.analysis.stfmr.spectra.SpectrumFit`).

    Parameters
    ----------
    nominal : mapping of str to float
        Every parameter's best value, in the model's order.
    varied : sequence of str
        The varied parameters, in the order of ``covar``.
    covar : ndarray or None
        Their covariance; None when it could not be estimated (the varied values then have a
        NaN standard error).
    """

    __slots__ = ("_nominal", "_varied", "_covar", "_built")

    def __init__(self, nominal: Mapping[str, float], varied: Sequence[str], covar=None):
        self._nominal = dict(nominal)
        self._varied = tuple(varied)
        self._covar = covar
        self._built = None

    def _build(self) -> dict:
        if self._built is None:
            from uncertainties import correlated_values, ufloat

            names = list(self._varied)
            if not names:
                uvals = {}
            elif self._covar is not None:
                uvals = dict(zip(names, correlated_values(
                    [self._nominal[k] for k in names], self._covar, tags=names)))
            else:
                uvals = {k: ufloat(self._nominal[k], float("nan"), tag=k) for k in names}
            self._built = {k: uvals.get(k, float(v)) for k, v in self._nominal.items()}
        return self._built

    def __getitem__(self, name: str):
        return self._build()[name]

    @staticmethod
    def build_many(many: Sequence[LazyParams]) -> None:
        """Build the uncertain values of many fits at once: what each one's first read builds
        (:func:`uncertainties.correlated_values`: the correlation matrix diagonalised, one new
        independent variable per eigenvector), with the eigen-decompositions of all fits of
        one size in one call."""
        from math import sqrt

        try:        # the classes correlated_values builds with (uncertainties >= 3.1)
            from uncertainties.core import AffineScalarFunc, LinearCombination, Variable
        except ImportError:     # pragma: no cover - a later layout: one at a time
            for p in many:
                p._build()
            return
        groups: dict[int, list[LazyParams]] = {}
        for p in many:
            if p._built is None and p._covar is not None:
                groups.setdefault(len(p._varied), []).append(p)
        for k, ps in groups.items():
            if k == 0:
                continue
            cov = np.stack([np.asarray(p._covar, float) for p in ps])
            sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
            norm = np.where(sd == 0, 1.0, sd)
            variances, transform = np.linalg.eigh(cov / norm[:, None, :] / norm[:, :, None])
            variances[variances < 0] = 0.0
            transform *= sd[:, :, None]
            for p, var, tr in zip(ps, variances.tolist(), transform.tolist()):
                variables = [Variable(0, sqrt(v), tag) for v, tag in zip(var, p._varied)]
                uvals = {name: AffineScalarFunc(p._nominal[name],
                                                LinearCombination(dict(zip(variables, row))))
                         for name, row in zip(p._varied, tr)}
                p._built = {n: uvals.get(n, float(v)) for n, v in p._nominal.items()}

    def __iter__(self):
        return iter(self._nominal)

    def __len__(self) -> int:
        return len(self._nominal)

    def __contains__(self, name) -> bool:
        return name in self._nominal

    def nominal(self, name: str) -> float:
        """The best value of ``name`` (without building the uncertain values)."""
        return self._nominal[name]

    @property
    def built(self) -> bool:
        """Whether the uncertain values have been built."""
        return self._built is not None

    def __reduce__(self):
        return (LazyParams, (self._nominal, self._varied, self._covar))

    def __repr__(self) -> str:
        return f"LazyParams({self._nominal!r})"


#: The optimisers' words for a fit that converged (lmfit's and the batch engine's).
_SUCCESS_WORDS = ("fit succeeded.", "converged")


@dataclass(frozen=True, eq=False)
class FitResult(ParameterAccess):
    """The outcome of a least-squares fit (one dataset or a global fit).

    Attributes
    ----------
    model_name : str
        Name of the model (``'+'``-joined for global fits of several models).
    params : mapping of str to uncertainties value
        Every parameter (varied and fixed; fixed ones have zero error), with
        correlations from the covariance matrix among the varied ones.
    units : mapping of str to str
        Unit of each parameter.
    varied : tuple of str
        Names of the varied parameters, in covariance order.
    covar : ndarray or None
        Covariance matrix of the varied parameters (None if not estimated).
    chisqr, redchi : float
        Chi-square and reduced chi-square (with the weights used).
    ndata, nvarys : int
        Number of points and of varied parameters.
    aic, bic : float
        Akaike and Bayesian information criteria as lmfit defines them.
    success : bool
        Whether the optimiser reported convergence and errors were estimated.
    message : str
        The optimiser's message, plus sotfit's warnings.
    method : str
        Optimiser name.
    errors_scaled : bool
        True when the errors were rescaled by sqrt(redchi) (no data errors given).
    datasets, models : tuple
        What was fitted.
    param_maps : tuple of dict
        For each dataset, ``{model parameter name: result parameter name}``.
    meta : mapping
        Provenance and the first dataset's metadata.
    problem : sotfit.fitting.Problem or None
        The problem that was fitted (datasets, models, shared, fixed, free, exprs, bounds,
        init), filled by :func:`sotfit.fitting.fit_global`; None for results built otherwise.
    """

    model_name: str
    params: Mapping[str, Any]
    units: Mapping[str, str]
    varied: tuple[str, ...]
    covar: np.ndarray | None
    chisqr: float
    redchi: float
    ndata: int
    nvarys: int
    aic: float
    bic: float
    success: bool
    message: str
    method: str
    errors_scaled: bool
    datasets: tuple[Dataset, ...]
    models: tuple[ModelSpec, ...]
    param_maps: tuple[Mapping[str, str], ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    problem: Any = None

    def __post_init__(self):
        if not isinstance(self.params, LazyParams):     # read-only already
            object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if not isinstance(self.units, MappingProxyType):    # a read-only view is shared
            object.__setattr__(self, "units", MappingProxyType(dict(self.units)))
        if not any(self.meta is d.meta for d in self.datasets):
            # a dataset's metadata is a read-only view of its own dict: shared, not copied
            object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        c = self.covar
        if c is not None and not (isinstance(c, np.ndarray) and c.dtype == float
                                  and c.base is None and not c.flags.writeable):
            c = np.array(c, dtype=float)        # a copy of its own that nothing can change
            c.setflags(write=False)
            object.__setattr__(self, "covar", c)

    def __reduce__(self):
        # results travel back from worker processes (sotfit.parallel): restored with
        # read-only mappings and covariance, as the constructor leaves them
        from .data import _reduce_frozen

        return _reduce_frozen(self)

    def value(self, name: str) -> float:
        """Best-fit value of ``name`` (read without building the uncertain values)."""
        if isinstance(self.params, LazyParams):
            try:
                return float(self.params.nominal(name))
            except KeyError:
                raise KeyError(f"no parameter {name!r}; have {list(self.params)}") from None
        return super().value(name)

    def dataset_params(self, i: int = 0) -> dict[str, float]:
        """Best-fit model parameters of dataset ``i`` (by the model's own names)."""
        return {k: self.value(v) for k, v in self.param_maps[i].items()}

    def evaluate(self, x=None, i: int = 0) -> np.ndarray:
        """Model of dataset ``i`` at ``x`` (default: its own x values)."""
        d, m = self.datasets[i], self.models[i]
        xx = d.x if x is None else np.asarray(x, float)
        inputs = {k: d.meta[k] for k in m.inputs}
        return m(xx, **self.dataset_params(i), **inputs)

    def residuals(self, i: int = 0) -> np.ndarray:
        """Data minus model for dataset ``i``."""
        return self.datasets[i].y - self.evaluate(i=i)

    def correlation(self) -> np.ndarray | None:
        """Correlation matrix of the varied parameters."""
        if self.covar is None:
            return None
        s = np.sqrt(np.diag(self.covar))
        return self.covar / np.outer(s, s)

    def to_frame(self):
        """Parameters as a pandas DataFrame with columns name, value, stderr, unit."""
        import pandas as pd

        return pd.DataFrame(
            {"name": list(self.params),
             "value": [self.value(k) for k in self.params],
             "stderr": [self.stderr(k) for k in self.params],
             "unit": [self.units.get(k, "") for k in self.params],
             "varied": [k in self.varied for k in self.params]}
        )

    def to_dict(self) -> dict:
        """JSON-ready summary: every parameter as ``{"value", "stderr", "unit"}``."""
        return {
            "model": self.model_name,
            "method": self.method,
            "success": bool(self.success),
            "message": self.message,
            "chisqr": float(self.chisqr),
            "redchi": float(self.redchi),
            "ndata": int(self.ndata),
            "nvarys": int(self.nvarys),
            "aic": float(self.aic),
            "bic": float(self.bic),
            "errors_scaled_by_redchi": bool(self.errors_scaled),
            "parameters": {k: quantity_dict(self.params[k], self.units.get(k, "")) for k in self.params},
        }

    @property
    def problems(self) -> str:
        """What makes the fit unreliable: the message without the optimiser's word of success.

        A fit that converged with a parameter at a bound has the message ``"Fit succeeded.;
        parameter(s) ['alpha'] at a bound"``; its problems are ``"parameter(s) ['alpha'] at a
        bound"``. Empty for a reliable fit.
        """
        if self.success:
            return ""
        first, _, rest = self.message.partition("; ")
        return rest if rest and first.strip().lower() in _SUCCESS_WORDS else self.message

    def report(self) -> str:
        """A short human-readable table of the parameters."""
        lines = [f"{self.model_name}: {self.ndata} points, {self.nvarys} varied, "
                 f"reduced chi-square {self.redchi:.3g}"
                 + ("" if self.success else "  [NOT RELIABLE: " + self.problems + "]")]
        for k in self.params:
            tag = "" if k in self.varied else " (fixed)"
            lines.append(f"  {k:>26s} = {self.value(k):.6g} +/- {self.stderr(k):.2g} "
                         f"{self.units.get(k, '')}{tag}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<FitResult {self.model_name}: " + ", ".join(
            f"{k}={self.value(k):.4g}" for k in self.varied[:6]) + ">"


@dataclass(frozen=True, eq=False)
class ResultTable:
    """One :class:`FitResult` per dataset, in order.

    Parameters
    ----------
    results : sequence of FitResult
        Per-dataset results (for example one per ST-FMR spectrum).
    """

    results: tuple[FitResult, ...]

    def __post_init__(self):
        object.__setattr__(self, "results", tuple(self.results))

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self):
        return iter(self.results)

    def __getitem__(self, i) -> FitResult:
        return self.results[i]

    def column(self, name: str):
        """Parameter ``name`` of every row as an array of uncertainties values, or a
        metadata column as a plain array."""
        if all(name in r.params for r in self.results):
            return np.array([r[name] for r in self.results], dtype=object)
        return np.array([r.meta.get(name) for r in self.results])

    def unit(self, name: str) -> str:
        """Unit of a parameter column (or '' for metadata)."""
        for r in self.results:
            if name in r.units:
                return r.units[name]
        return ""

    def frame(self, meta_keys: Sequence[str] | None = None):
        """A pandas DataFrame: metadata columns then ``name``/``name_stderr`` per parameter.

        Column headers carry units, e.g. ``'h_res (T)'`` and ``'h_res_stderr (T)'``.
        """
        import pandas as pd

        rows = []
        for r in self.results:
            keys = meta_keys if meta_keys is not None else [
                k for k, v in r.meta.items() if isinstance(v, (int, float, str, bool, np.number))]
            row = {k: r.meta.get(k) for k in keys}
            for k in r.params:
                u = r.units.get(k, "")
                row[f"{k} ({u})" if u else k] = r.value(k)
                row[f"{k}_stderr ({u})" if u else f"{k}_stderr"] = r.stderr(k)
            row["redchi"] = r.redchi
            row["success"] = r.success
            rows.append(row)
        return pd.DataFrame(rows)

    def to_csv(self, path, overwrite: bool = False, **kwargs) -> Path:
        """Write :meth:`frame` to CSV (units in the headers); never overwrites silently."""
        with open_new(path, overwrite) as fh:
            self.frame(**kwargs).to_csv(fh, index=False)
        return Path(path)

    def as_dataset(self, x: str, y: str, x_unit: str | None = None, meta: Mapping | None = None,
                   where=None) -> Dataset:
        """Turn two columns into the next fit's input, y errors from the fitted stderr.

        Parameters
        ----------
        x : str
            A metadata key (e.g. ``'frequency'``) or a parameter name.
        y : str
            A parameter name (e.g. ``'h_res'``); its standard errors become ``yerr``.
        x_unit : str, optional
            Unit of x when it is a metadata key (default: looked up, else '').
        where : array_like of bool, optional
            Rows to keep.
        """
        rows = list(self.results) if where is None else [r for r, k in zip(self.results, where) if k]
        if not rows:
            raise ValueError("no rows to make a dataset from")
        sub = ResultTable(tuple(rows))
        xs = sub.column(x)
        if xs.dtype == object and hasattr(xs[0], "nominal_value"):
            xs = np.array([v.nominal_value for v in xs])
        ys = sub.column(y)
        if not hasattr(ys[0], "nominal_value"):
            raise ValueError(f"{y!r} is not a fitted parameter of every row")
        yv = np.array([v.nominal_value for v in ys])
        ye = np.array([v.std_dev for v in ys])
        if np.any(~np.isfinite(ye)) or np.any(ye <= 0):
            bad = [i for i, e in enumerate(ye) if not (np.isfinite(e) and e > 0)]
            raise ValueError(f"rows {bad} have no usable standard error for {y!r}; "
                             "fix their fits or drop them with where=")
        if x_unit is None:
            x_unit = sub.unit(x) or {"frequency": "GHz", "angle": "deg", "thickness": "nm"}.get(x, "")
        return Dataset(np.asarray(xs, float), yv, ye, x_name=x, y_name=y, x_unit=x_unit,
                       y_unit=sub.unit(y), meta=dict(meta or {}, derived_from="ResultTable"))

    def to_json(self) -> str:
        """All rows as JSON, each parameter with value, stderr and unit."""
        return json.dumps([dict(r.to_dict(), meta={k: v for k, v in r.meta.items()
                                                   if isinstance(v, (int, float, str, bool))})
                           for r in self.results], indent=2)
