"""What ``sotfit hall`` writes: the parameter table, the posterior summary and the conventions of a
harmonic Hall result."""

from __future__ import annotations

from .result import UNITS, HallResult


def parameter_rows(result: HallResult) -> list:
    """One row ``{"name", "value", "stderr", "unit"}`` per quantity of ``result`` (units of
    :data:`UNITS`), as ``summary.json`` writes it (:func:`sotfit.results.quantity_dict`): a
    value given (or computed from values given) has no stderr (None, an empty cell in
    ``parameters.csv``; it was 0.0 there, null in ``summary.json``)."""
    from ...results import quantity_dict

    return [{"name": k, **quantity_dict(v, UNITS.get(k, ""))}
            for k, v in result.quantities.items()]


#: The unit of each column of the methods' per-scan tables (``scans.csv``): their rows are in
#: house units, and the headers said none (``field``, ``phi0``, ``lag``).
SCAN_TABLE_UNITS = {"field": "T", "window": "T", "r_phe": "Ohm", "phi0": "deg", "lag": "rad",
                    "a_cos": "Ohm", "a_fl": "Ohm", "c1": "Ohm/T", "c2": "Ohm/T^2", "b": "T",
                    "slope": "Ohm", "offset_1w": "Ohm", "offset_2w": "Ohm", "rms_1w": "Ohm",
                    "rms_2w": "Ohm"}


def scan_table(result: HallResult):
    """The per-scan table of a method as a DataFrame whose headers name their units
    (:data:`SCAN_TABLE_UNITS`; a ``*_stderr`` column takes its value's)."""
    import pandas as pd

    frame = pd.DataFrame(result.table)

    def header(name: str) -> str:
        base = name[:-len("_stderr")] if name.endswith("_stderr") else name
        unit = SCAN_TABLE_UNITS.get(base)
        return f"{name} ({unit})" if unit else name

    return frame.rename(columns={c: header(str(c)) for c in frame.columns})


def posterior_summary(post: HallResult) -> dict:
    """JSON-ready summary of :func:`sotfit.analysis.hall.sample_macrospin`'s result: the posterior
    medians (half the 16-84 % range as standard error), the chain diagnostics and the percentiles."""
    mcmc = post.summary()
    mcmc["method"] = "macrospin-mcmc (posterior median, half 16-84 % range)"
    mcmc["diagnostics"] = post.fits["diagnostics"]
    mcmc["percentiles"] = post.table
    return mcmc


def conventions(*, current_peak, current_is, lockin_output, r1w_channel, r2w_channel, gain_1w, gain_2w,
                r2w_sign, read_as, stack) -> dict:
    """The conventions behind the numbers of a result (``summary.json["conventions"]``).

    Parameters
    ----------
    current_peak : float or None
        Peak current in mA.
    current_is, lockin_output, r1w_channel, r2w_channel, gain_1w, gain_2w, r2w_sign :
        The reader's conventions (:func:`sotfit.io.hall.read_hall`).
    read_as : list of str
        The columns each harmonic was read from.
    stack : str
        'nm_below' or 'nm_above'.
    """
    return {
        "current_peak_mA": current_peak, "current_is": current_is, "lockin_output": lockin_output,
        "r1w_channel": r1w_channel, "r2w_channel": r2w_channel, "gain_1w": gain_1w,
        "gain_2w": gain_2w, "r2w_sign": r2w_sign,
        "read_as": read_as, "geometry": "current along +x, sigma = +y; mu0_h_dl (m x sigma), "
        "mu0_h_fl along sigma, fields at the peak current", "stack": stack,
        "r_xy": "R_AHE m_z + R_PHE sin^2(theta) sin(2 phi)",
        "r_2w": "-V_2w,cos/I0 = (1/2) dR_xy - r_ane m_x - r_one B_x",
        "sign": ("mu0_h_dl > 0: the damping-like torque tilts m towards sigma = +y, as a spin source "
                 "with a positive spin Hall angle (Pt) below the ferromagnet gives; for the source above "
                 "(--stack nm_above) Pt gives mu0_h_dl < 0")}


def read_as(scans) -> list:
    """The columns (and conventions) each harmonic of ``scans`` was read from, once each, sorted."""
    return sorted({f"{k}: {v}" for s in scans for k, v in s.meta.items() if k in ("r1w_from", "r2w_from")})
