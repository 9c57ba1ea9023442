"""The errors of the ST-FMR spectrum analysis: a spectrum without a resonance, a branch fit that failed.
"""

from __future__ import annotations


__all__ = [
    "STFMRError",
    "NoResonanceError",
    "SpectrumFitError",
]


class STFMRError(ValueError):
    """ST-FMR data that cannot be analysed as given; the message names the file."""


class NoResonanceError(STFMRError):
    """No resonance inside the sweep of a spectrum branch."""


class SpectrumFitError(STFMRError):
    """A lineshape fit that did not converge or gave no uncertainties."""
