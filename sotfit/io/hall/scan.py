"""The scan a harmonic Hall reader returns (:class:`HallScan`) and the reader's error."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...data import DataError, Dataset


class HallReadError(DataError):
    """A harmonic Hall file that cannot be read as asked."""


@dataclass(frozen=True)
class HallScan:
    """First- and second-harmonic Hall resistances of one scan.

    Attributes
    ----------
    r1w, r2w : Dataset
        R_1w and R_2w in Ohm against the scan variable (deg for angle scans, T for fields).
    scan : str
        'phi', 'theta' or 'field'.
    meta : dict
        ``field`` (T, angle scans), ``field_stderr`` (T), ``theta_h``/``phi_h`` (deg),
        ``source``, ``current_peak`` (mA), and the conventions used; ``no_signal``
        (``{"r2w": reason}``) when a harmonic's lock-in column is constant (not recorded);
        ``theta_h_assumed`` (field sweeps) when no option, column or preamble gave theta_h;
        ``phi_h_assumed`` (polar rotations) when none gave phi_h (the xz plane is taken).
    """

    r1w: Dataset
    r2w: Dataset
    scan: str
    meta: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.meta.get("source", "<scan>"))
