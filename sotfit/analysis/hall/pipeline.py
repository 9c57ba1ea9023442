"""Harmonic Hall methods combined: methods (c) and (b) on one perpendicular sample."""

from __future__ import annotations

from collections.abc import Sequence

from ...io.hall import HallScan
from .angular import angular
from .hayashi import hayashi
from .sample import Sample



def pma_methods(theta_scans: Sequence[HallScan], sweeps: Sequence[HallScan], *, r_phe,
                sample: Sample | None = None, **angular_kw) -> dict:
    """Methods (c) and (b) on one perpendicular sample, each feeding the other what it lacks.

    (c) gives r_ane (the field-independent part of its slopes) without needing the field-like
    field; (b) with that r_ane subtracted gives mu0_h_fl and mu0_h_dl; (c) again with that
    mu0_h_fl gives its own mu0_h_dl. Uncertainties propagate between the steps.

    Returns
    -------
    dict
        ``{"angular": HallResult, "hayashi": HallResult}`` (the final passes).
    """
    c0 = angular(theta_scans, r_phe=r_phe, sample=sample, **angular_kw)
    b = hayashi(sweeps, r_phe=r_phe, r_ane=c0.quantities["r_ane"], sample=sample)
    c = angular(theta_scans, r_phe=r_phe, mu0_h_fl=b.quantities["mu0_h_fl_oe"], sample=sample,
                **angular_kw)
    return {"angular": c, "hayashi": b}
