"""One sense of the lock-in axis for the spectra read together (docs/io.md, "Lock-in channels").

V_mix combined from a lock-in's two channels is X cos(phi) + Y sin(phi), phi the principal axis
of each file's (X, Y) cloud (:func:`~sotfit.io.stfmr.layouts.lockin_phase`). The axis has two
senses, and each file alone takes the one in (-45, 135] deg. The phase is the set-up's (the rf
line and the lock-in's reference), one for the files of a run to within a few degrees; where
it lies near 135 deg, files a few degrees apart fell on either side (133.5 and 136.5 deg, taken
as 133.5 and -43.5) and read V_mix of opposite signs: in an angle scan the amplitudes V_s(phi)
and V_a(phi) of those files changed sign, the angular fit of 20 files returned
dl_x_over_dl_y = 1.73 for 0 planted (flagged only by a reduced chi-square of 5e4, which the note
laid to anisotropy or a field angle offset), and in a frequency scan the torque fields of the
spectra had both signs.

:func:`one_lockin_sense` reads every such spectrum in the sense nearest to the run's axis: the
mean axis of the phases (the direction of the mean of exp(2 i phi)), taken in (-45, 135] as a
file's is; a spectrum whose sense lies more than 90 deg from it is negated and its phase turned
by 180 deg, noted. A spectrum read alone, or spectra whose senses already lie within 90 deg of
the mean, are left as read.
"""

from __future__ import annotations

import numpy as np

from ...data import Dataset

__all__ = ["one_lockin_sense"]

#: The phase entries of a spectrum's metadata (one file, or the two branches of a spectrum whose
#: polarities were written apart).
_PHASE_KEYS = ("lockin_phase", "lockin_phase_positive", "lockin_phase_negative")


def _wrapped(phase: float) -> float:
    """A phase in degrees in (-180, 180]."""
    out = (phase + 180.0) % 360.0 - 180.0
    return 180.0 if out == -180.0 else out


def _phases(meta) -> list[float]:
    """The lock-in phases (deg) of a spectrum's metadata."""
    return [float(meta[k]) for k in _PHASE_KEYS if meta.get(k) is not None]


def _mean_sense(phases: list[float]) -> float | None:
    """The run's axis in degrees, in (-45, 135] (the sense whose larger component is positive),
    or None when the axes of the phases have no mean direction."""
    z = np.exp(2j * np.radians(np.asarray(phases, float))).mean()
    if abs(z) < 1e-9:
        return None
    axis = 0.5 * np.degrees(np.angle(z))          # (-90, 90]
    return float(axis + 180.0 if axis <= -45.0 else axis)


def _negated(d: Dataset, mean: float, n: int) -> Dataset:
    """``d`` with V_mix negated and its phases turned by 180 deg, and the note."""
    meta = dict(d.meta)
    was = _phases(d.meta)
    for k in _PHASE_KEYS:
        if meta.get(k) is not None:
            meta[k] = _wrapped(float(meta[k]) + 180.0)
    now = _phases(meta)
    fitted = " and ".join(f"{p:.2f}" for p in was)
    turned = " and ".join(f"{p:.2f}" for p in now)
    meta["reader_notes"] = tuple(meta.get("reader_notes", ())) + (
        f"V_mix negated: the lock-in axis fitted at {fitted} deg is read in the sense of the "
        f"axis of the {n} spectra read with it (mean {mean:.2f} deg), at {turned} deg, so "
        "that they share one sign",)
    return Dataset(d.x, -d.y, d.yerr, d.x_name, d.y_name, d.x_unit, d.y_unit, meta)


def one_lockin_sense(datasets: list[Dataset]) -> list[Dataset]:
    """The spectra read together, those combined from lock-in channels in one sense of the
    run's lock-in axis.

    Parameters
    ----------
    datasets : list of Dataset
        The spectra of :func:`sotfit.io.read_stfmr`, in its order (polarities joined).

    Returns
    -------
    list of Dataset
        The same spectra in the same order; a spectrum whose lock-in phase lies more than 90
        deg from the run's mean axis (taken in (-45, 135] deg) with V_mix negated, its
        ``lockin_phase`` (or the per-branch ``lockin_phase_positive`` and
        ``lockin_phase_negative``) turned by 180 deg into (-180, 180], and a note in its
        ``reader_notes``. Two or more spectra with a phase are needed; otherwise, or when
        the phases' axes have no mean direction, every spectrum as read.
    """
    with_phase = [i for i, d in enumerate(datasets) if _phases(d.meta)]
    if len(with_phase) < 2:
        return datasets
    phases = [p for i in with_phase for p in _phases(datasets[i].meta)]
    mean = _mean_sense(phases)
    if mean is None:
        return datasets
    out = list(datasets)
    for i in with_phase:
        d = datasets[i]
        offs = [abs(_wrapped(p - mean)) for p in _phases(d.meta)]
        if all(o > 90.0 for o in offs):
            out[i] = _negated(d, mean, len(with_phase))
    return out
