"""ST-FMR spectra: split into field branches, find the resonance, fit each branch in |mu0H|.

The code lives in the package :mod:`sotfit.analysis.stfmr` (modules ``errors``, ``branches``,
``search``, ``branch_fit``, ``spectra``); this module keeps the names importable from here.
"""

from __future__ import annotations

from .stfmr.branch_fit import FIT_OPTIONS, fit_branch, fit_branches
from .stfmr.branches import noise_level, split_branches
from .stfmr.errors import NoResonanceError, SpectrumFitError, STFMRError
from .stfmr.search import (
    SEARCH_GRID, SEARCH_MAX_POINTS, _find_resonance_exhaustive, find_resonance, find_resonances,
)
from .stfmr.spectra import (
    SpectrumFit, combine_branches, compare_repeats, fit_spectra_batch, fit_spectrum,
)

__all__ = [
    "STFMRError",
    "NoResonanceError",
    "SpectrumFitError",
    "split_branches",
    "noise_level",
    "find_resonance",
    "find_resonances",
    "fit_branch",
    "fit_branches",
    "SpectrumFit",
    "fit_spectrum",
    "fit_spectra_batch",
    "compare_repeats",
    "FIT_OPTIONS",
    "SEARCH_GRID",
    "SEARCH_MAX_POINTS",
    "combine_branches",
    "_find_resonance_exhaustive",
]
