"""The errors of the ST-FMR spectrum analysis: a spectrum without a resonance, a branch fit that failed.
"""

from __future__ import annotations


__all__ = [
    "STFMRError",
    "NoResonanceError",
    "SpectrumFitError",
]


class STFMRError(ValueError):
    """ST-FMR data that cannot be analysed as given; the message names the file.

    ``reason`` is the message without the place it names (the same text unless the error was
    made by :meth:`at`), for a note that already says the place.
    """

    def __init__(self, *args):
        super().__init__(*args)
        self.reason = str(self)

    @classmethod
    def at(cls, where: str, reason: str) -> "STFMRError":
        """The error ``"{where}: {reason}"``, keeping ``reason`` apart."""
        err = cls(f"{where}: {reason}")
        err.reason = reason
        return err


class NoResonanceError(STFMRError):
    """No resonance inside the sweep of a spectrum branch."""


class SpectrumFitError(STFMRError):
    """A lineshape fit that did not converge or gave no uncertainties."""
