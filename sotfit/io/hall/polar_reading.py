"""The polar angle of a rotation out of the plane, read as the conventions define it: from the
film normal (+z). :func:`check_polar_reading` refuses a rotation whose first harmonic says the
angle column counts from elsewhere (from the film plane, as many rotators' scales do), naming
``--theta-offset``.
"""

from __future__ import annotations

import math

import numpy as np

from .options import _STYLE, _opt
from .scan import HallReadError, HallScan

__all__ = ["check_polar_reading", "POLAR_EXTREME_LIMIT", "POLAR_MIN_SPAN"]

#: Largest distance (deg) of the first harmonic's extreme from a reading 0 or 180 deg of the
#: polar angle: R_1w = R_AHE m_z is extremal where the field is along +-z, at readings 0 and 180
#: whatever the film (a tilted mount of up to 30 deg is fitted by the methods' theta0 and tilts).
POLAR_EXTREME_LIMIT = 45.0
#: Smallest span (deg) of a polar rotation for the check: a shorter one does not show its extremes.
POLAR_MIN_SPAN = 120.0


def _offset_text(deg: float):
    return f"{deg:g}deg" if _STYLE.get() == "cli" else float(deg)


def check_polar_reading(scans: list[HallScan]) -> None:
    """Refuse polar rotations whose first harmonic is extremal far from readings 0 and 180 deg.

    Parameters
    ----------
    scans : list of HallScan
        As read; only scans of the polar angle (``scan == 'theta'``) spanning at least
        :data:`POLAR_MIN_SPAN` deg are checked.

    Raises
    ------
    HallReadError
        Naming the file, the readings of the extremes and the offset that puts one at 0.
    """
    for s in scans:
        if s.scan != "theta":
            continue
        x, y = np.asarray(s.r1w.x, float), np.asarray(s.r1w.y, float)
        if x.size < 8 or np.ptp(x) < POLAR_MIN_SPAN:
            continue
        t = np.radians(x)
        design = np.column_stack([np.ones_like(t), np.cos(t), np.sin(t)])
        (_, a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
        if not (np.isfinite(a) and np.isfinite(b)) or math.hypot(a, b) == 0:
            continue
        peak = math.degrees(math.atan2(b, a))         # reading where R_1w is largest
        from_pole = min(abs(peak) % 180.0, 180.0 - abs(peak) % 180.0)
        if from_pole <= POLAR_EXTREME_LIMIT:
            continue
        hi, lo = round(peak % 360.0), round((peak + 180.0) % 360.0)
        raise HallReadError(
            f"{s.source}: the first harmonic of this polar rotation is largest at a reading of "
            f"about {hi:g} deg and smallest at about {lo:g} deg, but R_1w = R_AHE m_z is extremal "
            "where the field is along the film normal, at polar angles 0 and 180 deg: the angle "
            "column looks measured from the film plane (or offset). Give the reading where the "
            f"field points along +z: {_opt('theta_offset', _offset_text(hi))} or "
            f"{_opt('theta_offset', _offset_text(lo))} (which one only the rotator's scale says: "
            "the sign of the damping-like field depends on it); if the angle then grows from +z "
            f"towards -x, add {_opt('phi_h', _offset_text(180))}")
