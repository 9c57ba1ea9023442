"""The result of the ST-FMR frequency-scan analysis (:class:`STFMRAnalysis`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...results import FitResult
from .spectra import SpectrumFit


__all__ = [
    "STFMRAnalysis",
]


@dataclass(frozen=True, eq=False)
class STFMRAnalysis:
    """Everything the ST-FMR pipeline derived, with correlated uncertainties.

    Attributes
    ----------
    spectra : tuple of SpectrumFit
        The spectra that fitted, in input order.
    failures : tuple of (str, str)
        (source, reason) of spectra that could not be fitted (``on_error='skip'``).
    geometry : str
    kittel, linewidth : FitResult or None
        Sequential fits (None with a single frequency).
    sequential : dict
        ``meff`` (T), ``gyromagnetic_ratio`` (GHz/T), ``g``, ``h_k`` (T),
        ``alpha``, ``linewidth_inhomogeneous`` (T), as uncertain values.
    global_fit : FitResult or None
    global_values : dict
        The same names from the global fit.
    global_spectra : list of dict
        Per-spectrum values implied by the global fit.
    repeats : list of dict
        :func:`~sotfit.analysis.stfmr_spectra.compare_repeats` output.
    notes : tuple of str
        Everything the reader of the results should know (branches left out, gamma/2pi
        fixed, spectra departing from Kittel, repeats that disagree, error inflation).
    flags : dict
        ``{route: {name: [reason, ...]}}`` with ``route`` ``'sequential'`` or ``'global'``
        and ``name`` as in ``sequential``: what the fits found doubtful about a parameter
        (on a bound, held at its physical bound, within one standard error of it, resting
        on an assumed g). :func:`summary_dict` writes them into the quantities' ``flags``
        and adds the checks that need the torques (docs/stfmr.md, section 9).
    spectrum_correlations : bool
        Whether the sequential values keep their correlations with every value of the
        spectra (needed for torques); else only those through H_res and W.
    """

    spectra: tuple[SpectrumFit, ...]
    failures: tuple[tuple[str, str], ...]
    geometry: str
    kittel: FitResult | None
    linewidth: FitResult | None
    sequential: dict[str, Any] = field(default_factory=dict)
    global_fit: FitResult | None = None
    global_values: dict[str, Any] = field(default_factory=dict)
    global_spectra: list[dict[str, Any]] = field(default_factory=list)
    repeats: list[dict] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    flags: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    spectrum_correlations: bool = True

    @property
    def branch_table(self):
        """Every branch fit as a :class:`~sotfit.results.ResultTable` (meta: frequency, polarity,
        window), e.g. ``analysis.branch_table.as_dataset(x="frequency", y="h_res")``."""
        from ...results import ResultTable

        return ResultTable(tuple(r for s in self.spectra for r in s.branches))
