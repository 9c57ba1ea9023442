"""sotfit: spin-orbit-torque experiments and theory, fitted with honest error bars.

The top level exposes the core types and functions::

    import sotfit as sf
    res = sf.fit(dataset, sf.models.stfmr_mixing)
"""

from . import models, units
from .bayes import sample as sample  # explicit re-export: sotfit.sample beside sotfit.fit
from .data import DataError, Dataset, Sweep
from .fitting import FitError, FitWarning, fit, fit_global, fit_sweep
from .io import load
from .results import FitResult, ResultTable

__version__ = "0.1.0"

__all__ = [
    "Dataset", "Sweep", "DataError", "fit", "fit_sweep", "fit_global", "FitError",
    "FitWarning", "FitResult", "ResultTable", "models", "units", "__version__",
]
