"""ST-FMR angle scans: V_s(phi) and V_a(phi) at one frequency fitted with the x-, y- and
z-polarised torque components (MacNeill et al., Nat. Phys. 13, 300 (2017); docs/stfmr.md,
section 7).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...data import Dataset, Sweep
from ...fitting import FitWarning, fit
from ...models.spec import ModelSpec
from ...results import FitResult
from ...models.magnetization import meff_inplane
from ...units import GAMMA_FREE_ELECTRON
from .checks import angle_scan_g_reason, implausible_meff
from .errors import STFMRError
from .pipeline import fit_spectra
from .propagation import _nominal
from .spectra import SpectrumFit


__all__ = [
    "AngleAnalysis",
    "fit_angle_dependence",
    "analyse_angle_scan",
]


@dataclass(frozen=True, eq=False)
class AngleAnalysis:
    """V_s(phi), V_a(phi) fits and the torque components they imply.

    Attributes
    ----------
    vs_fit, va_fit : FitResult
        Fits of :data:`~sotfit.models.stfmr_angle.stfmr_angle_vs` / ``_va`` (amplitudes in uV)
        to one point per branch: the + branch of a spectrum at field angle phi is at phi, the
        - branch at phi + 180 deg, each with the amplitude as fitted in |mu0H|.
    h_res, width : uncertain values
        GLS means over the spectra (T).
    torques : dict
        :func:`~sotfit.analysis.stfmr_torques.angular_torques` output (fields in T, or
        ratios without I_rf and Delta_R).
    spectra : tuple of SpectrumFit
        The spectra used (:func:`analyse_angle_scan`; empty from :func:`fit_angle_dependence`).
    failures : tuple of (str, str)
        (source, reason) of spectra left out.
    meff : float or uncertain value or None
        mu0 M_eff used (T).
    meff_from : str
        Where ``meff`` came from.
    points : list of dict
        ``source``, ``polarity``, ``field_angle`` (deg, of the spectrum), ``angle`` (deg, of
        the magnetisation in [0, 360): +180 for the - branch), ``vs``, ``va`` (uV, as fitted).
    notes : tuple of str
    flags : dict
        ``{name: [reason, ...]}`` for the summary's quantities (``meff``: resting on an
        assumed g; ``angle_offset``: the x-polarised terms, where the amplitudes follow the
        field angles read plus an offset), written by :func:`angle_summary_dict`.
    angle_offset : dict or None
        :func:`field_angle_offset` of the points (``offset``, ``stderr`` in deg, ``redchi``,
        ``amplitudes``), or None where too few points.
    """

    vs_fit: FitResult
    va_fit: FitResult
    h_res: Any
    width: Any
    torques: dict
    spectra: tuple = ()
    failures: tuple = ()
    meff: Any = None
    meff_from: str = ""
    points: list = field(default_factory=list)
    notes: tuple = ()
    flags: dict = field(default_factory=dict)
    angle_offset: dict | None = None

    @property
    def frequency(self) -> float | None:
        return self.spectra[0].frequency if self.spectra else None


def _angle_points(fits: Sequence[SpectrumFit], angle_key: str) -> list[dict]:
    """One point per branch of the fitted spectra of an angle scan: field angle and the angle of
    m (deg, 180 deg added on the - branch), V_s and V_a (uV)."""
    pts = []
    for s in fits:
        phi = s.dataset.meta.get(angle_key)
        if phi is None:
            raise STFMRError(f"{s.source}: no field angle (meta {angle_key!r})")
        for r in s.branches:
            pol = int(r.meta["polarity"])
            pts.append({"source": s.source, "polarity": pol, "field_angle": float(phi),
                        "angle": float(np.mod(float(phi) + (0.0 if pol > 0 else 180.0), 360.0)),
                        "vs": r["vs"], "va": r["va"]})
    return pts


def fit_angle_dependence(fits: Sequence[SpectrumFit], meff, *, i_rf=None, delta_r=None,
                         angle_key: str = "angle") -> AngleAnalysis:
    """Separate torque components from spectra at several in-plane field angles.

    Every fitted branch is one point: the + branch at the field angle phi, the - branch at
    phi + 180 deg (the magnetisation reverses with the field), each with V_s, V_a as fitted
    in |mu0H|. The symmetrised amplitudes of a spectrum (referred to +H) would drop the terms
    that do not reverse with the field (S_z, A_z), so they are not used.

    Parameters
    ----------
    fits : sequence of SpectrumFit
        Spectra at one frequency; each dataset's ``meta[angle_key]`` is the field angle phi
        from the current in degrees.
    meff : float or uncertain value
        mu0 M_eff (T).
    i_rf, delta_r : float, optional
        Peak rf current (mA) and AMR Delta_R (Ohm) for absolute fields.
    angle_key : str
        Meta key of the field angle (``'field_angle'`` from :func:`sotfit.io.read_stfmr`).

    Returns
    -------
    AngleAnalysis

    Notes
    -----
    Model: MacNeill et al., Nat. Phys. 13, 300 (2017), eqs. (1)-(2), with the x-polarised
    terms added (docs/stfmr.md, section 6.4).
    """
    from ...models.stfmr_angle import stfmr_angle_va, stfmr_angle_vs
    from .torques import angular_torques, check_absolute_fields, weighted_mean

    check_absolute_fields({r.model_name for s in fits for r in s.branches},
                          i_rf is not None and delta_r is not None)
    pts = _angle_points(fits, angle_key)
    phis = np.array([p["angle"] for p in pts])
    if len(set(np.round(np.mod(phis, 360.0), 6))) < 4:
        raise STFMRError("an angle analysis needs four or more directions of the magnetisation "
                         "(field angles phi, and phi + 180 deg for - branches); got "
                         + ", ".join(sorted({f"{a:g} deg" for a in np.mod(phis, 360.0)})))
    mk = lambda name: Dataset(  # noqa: E731
        phis, [p[name].nominal_value for p in pts], [p[name].std_dev for p in pts],
        x_name="angle", x_unit="deg", y_name=name, y_unit="uV",
        meta={"source": f"{name}(angle)"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        rs = fit(mk("vs"), stfmr_angle_vs)
        ra = fit(mk("va"), stfmr_angle_va)
    h_res, _ = weighted_mean([s.combined["h_res"] for s in fits])
    width, _ = weighted_mean([s.combined["width"] for s in fits])
    t = angular_torques(rs.params, ra.params, h_res, meff, width, i_rf, delta_r)
    return AngleAnalysis(rs, ra, h_res, width, t, meff=meff, points=pts)


#: Standard errors from zero beyond which a fitted field-angle offset is flagged.
OFFSET_SIGMAS = 3.0


def field_angle_offset(points: Sequence[dict], vs_fit: FitResult,
                       va_fit: FitResult) -> dict | None:
    """A common offset of the field angles, fitted with the six angular amplitudes.

    V_s(phi + d) and V_a(phi + d) of the angular model (:mod:`sotfit.models.stfmr_angle`) are
    fitted to the points together, d shared, each point weighted by its standard error. An
    offset of the angles the files give from those the magnetisation takes (a sample mounted
    a few degrees off, a rotation stage's zero) turns S_y sin 2phi cos phi into S_y
    sin 2(phi + d) cos(phi + d) = S_y [sin 2phi cos phi + d (2 cos 2phi cos phi - sin 2phi
    sin phi)] to first order: a term in sin 2phi sin phi, read as an x-polarised torque
    (3 deg gave dl_x_over_dl_y = 0.072 +- 0.022 and h_x_over_h_y = 0.046 +- 0.014 for 0,
    reduced chi-squares below the flag), and one in cos 2phi cos phi, which no torque makes
    and which sets d apart from the x terms.

    Parameters
    ----------
    points : sequence of dict
        :attr:`AngleAnalysis.points` (``angle`` in deg, ``vs``, ``va`` uncertain, uV).
    vs_fit, va_fit : FitResult
        The fits without an offset, whose values start the fit.

    Returns
    -------
    dict or None
        ``offset`` and ``stderr`` (deg; the error scaled by the square root of the reduced
        chi-square where it exceeds 1), ``redchi``, and ``amplitudes``: ``{vs_y: (value,
        stderr), ...}`` in uV with the offset fitted. None with fewer than 9 points (7
        parameters) or where the fit's matrix is singular.
    """
    from scipy.optimize import least_squares

    if len(points) < 9:
        return None
    phi = np.radians([float(p["angle"]) for p in points])
    y = np.array([[p[k].nominal_value for p in points] for k in ("vs", "va")])
    e = np.array([[p[k].std_dev for p in points] for k in ("vs", "va")])
    if not np.all(np.isfinite(e)) or np.any(e <= 0):
        return None

    def residual(t):
        q = phi + t[0]
        s2, c, s = np.sin(2 * q), np.cos(q), np.sin(q)
        model = (s2 * (t[1] * c + t[2] * s + t[3]), s2 * (t[4] * c + t[5] * s + t[6]))
        return np.concatenate([(model[0] - y[0]) / e[0], (model[1] - y[1]) / e[1]])

    start = [0.0] + [r.value(k) for r in (vs_fit, va_fit) for k in ("c_y", "c_x", "c_z")]
    fit_ = least_squares(residual, start, x_scale="jac")
    dof = 2 * len(points) - 7
    redchi = float(fit_.fun @ fit_.fun / dof) if dof > 0 else float("nan")
    jtj = fit_.jac.T @ fit_.jac
    if not np.all(np.isfinite(jtj)) or np.linalg.cond(jtj) > 1e14:
        return None
    cov = np.linalg.inv(jtj) * max(redchi, 1.0)
    err = np.sqrt(np.diag(cov))
    names = ("vs_y", "vs_x", "vs_z", "va_y", "va_x", "va_z")
    return {"offset": float(np.degrees(fit_.x[0])), "stderr": float(np.degrees(err[0])),
            "redchi": redchi,
            "amplitudes": {n: (float(v), float(s)) for n, v, s in zip(names, fit_.x[1:], err[1:])}}


def _one_frequency(freqs: dict) -> tuple[float, str | None]:
    """The one frequency (GHz) of an angle scan's spectra, given as ``{frequency: [source,
    ...]}``, and a note when they were read back apart.

    Frequencies whose spread (largest less smallest) lies within
    :data:`~sotfit.io.stfmr.frequency_groups.MAX_RELATIVE_SPREAD` of their mean, the spread a
    synthesizer's read-back is grouped within as one frequency, are one: their mean, noted.
    Files of one angle scan each with a frequency column read back (6.4999998, 6.5000003 GHz)
    were refused as 'at different frequencies (6.5 GHz: ...; 6.5 GHz: ...)'.

    Raises
    ------
    STFMRError
        Frequencies that differ by more, naming each with its files.
    """
    from ...io.stfmr.frequency_groups import MAX_RELATIVE_SPREAD

    values = sorted(freqs)
    mean = float(np.mean([f for f, srcs in freqs.items() for _ in srcs]))
    if values[-1] - values[0] <= MAX_RELATIVE_SPREAD * abs(mean):
        if len(values) == 1:
            return values[0], None
        return mean, (f"the spectra's frequencies, {values[0]:.9g} to {values[-1]:.9g} GHz, "
                      f"differ by {values[-1] - values[0]:.2g} GHz, within "
                      f"{MAX_RELATIVE_SPREAD:g} of their mean (a read-back): one frequency, "
                      f"{mean:.9g} GHz")
    digits = next((k for k in range(3, 10)
                   if len({f"{f:.{k}g}" for f in values}) == len(values)), 10)
    raise STFMRError(
        "angle scan: the spectra are at different frequencies ("
        + "; ".join(f"{f:.{digits}g} GHz: {', '.join(srcs)}" for f, srcs in sorted(freqs.items()))
        + "); an angle scan takes spectra at one frequency: analyse each frequency "
        "separately")


def analyse_angle_scan(data: Sweep | Sequence[Dataset], *, meff=None,
                       gyromagnetic_ratio: float | None = None, i_rf: float | None = None,
                       delta_r: float | None = None, model: ModelSpec | None = None,
                       window_widths: float = 6.0, on_error: str = "raise",
                       angle_key: str = "field_angle",
                       progress: Callable[[int, int], None] | None = None,
                       workers: int | None = None, scheduler: str | None = None) -> AngleAnalysis:
    """Angle-dependent ST-FMR: spectra at one frequency and several in-plane field angles.

    Checks the input (every spectrum has a field angle, one frequency, more than one angle),
    fits every spectrum (:func:`~sotfit.analysis.stfmr_spectra.fit_spectrum`) and then
    V_s(phi), V_a(phi) (:func:`fit_angle_dependence`).

    Parameters
    ----------
    data : Sweep or sequence of Dataset
        Signed mu0H (T), V_mix (uV); ``meta['frequency']`` (GHz) and ``meta[angle_key]``
        (deg, the in-plane field angle from the current, as set by
        :func:`sotfit.io.read_stfmr`).
    meff : float or uncertain value, optional
        mu0 M_eff (T). Without it, M_eff is obtained from the in-plane Kittel relation at the
        one frequency, mu0 M_eff = (f/(gamma/2pi))^2 / mu0H_res - mu0H_res, with
        ``gyromagnetic_ratio`` (GHz/T; default the free-electron value) held exact; the
        uncertainty then comes from H_res only (the ratios of torque components other than
        ``dl_y_over_h_y`` do not depend on it). A given M_eff whose implied g, or a given
        gamma/2pi whose g, lies outside the g of ferromagnets is flagged
        (:func:`~sotfit.analysis.stfmr.checks.angle_scan_g_reason`).
    i_rf, delta_r : float, optional
        Peak rf current (mA) and AMR Delta_R (Ohm); with both the torque components are
        fields in T, otherwise ratios.
    model, window_widths, on_error, progress, workers, scheduler
        As :func:`analyse_stfmr`.

    Returns
    -------
    AngleAnalysis

    Raises
    ------
    STFMRError
        No spectra; spectra without a field angle, at different frequencies, or all at one
        angle (each naming the files).
    """
    datasets = list(data)
    if not datasets:
        raise STFMRError("no spectra given")
    missing = [d.source for d in datasets if d.meta.get(angle_key) is None]
    split = sorted({d.source for d in datasets if d.meta.get(angle_key) is None
                    and d.meta.get("segment", 0) > 0})
    if split:
        raise STFMRError(
            f"angle scan: no field angle for {len(missing)} of {len(datasets)} spectra, among "
            f"them sweeps of one file split into several ({', '.join(split)}); the field angle "
            "is one per file (a header entry, the file name or --field-angle FILE=ANGLE), so "
            "the sweeps of one file cannot take an angle each: write each angle's sweep to a "
            "file of its own named by its angle ('scan_15deg.txt') or with an entry "
            "'Angle (deg): 15'")
    if missing:
        raise STFMRError(
            f"angle scan: no field angle for {len(missing)} of {len(datasets)} spectra: "
            + ", ".join(missing) + ". Give it in the header with a unit ('field_angle_deg: 30' "
            "or 'Angle (deg): 30'), in the file name ('phi30deg', '_30deg_', '_30°', 'angle30') "
            f"or with --field-angle FILE=ANGLE for each file (--field-angle {missing[0]}=30deg)")
    freqs = {}
    for d in datasets:
        freqs.setdefault(round(float(d.meta["frequency"]), 9), []).append(d.source)
    frequency, read_back = _one_frequency(freqs)
    angles: dict = {}
    for d in datasets:
        angles.setdefault(round(float(d.meta[angle_key]) % 360.0, 6), []).append(d.source)
    if len(angles) < 2:
        (a, srcs), = angles.items()
        raise STFMRError(
            f"angle scan: all {len(datasets)} spectra are at one field angle, {a:g} deg "
            f"({', '.join(srcs)}); the torque components need spectra at several angles "
            "(about 8-12 spread over 0-360 deg)")
    fits, failures, notes = fit_spectra(datasets, model=model, window_widths=window_widths,
                                        on_error=on_error, progress=progress, workers=workers,
                                        scheduler=scheduler)
    from .torques import weighted_mean

    flags: dict[str, list[str]] = {}
    given_meff = meff
    if read_back is not None:
        notes.append(read_back)
    if meff is None:
        gam = GAMMA_FREE_ELECTRON if gyromagnetic_ratio is None else float(gyromagnetic_ratio)
        h, _ = weighted_mean([s.combined["h_res"] for s in fits])
        f = frequency
        meff = meff_inplane(h, f, gam)
        meff_from = (f"in-plane Kittel relation at {f:g} GHz with gamma/2pi = {gam:.4g} GHz/T "
                     + ("(given)" if gyromagnetic_ratio is not None
                        else "(free electron, g = 2.0023; give --meff or --g for another)"))
        notes.append(f"mu0 M_eff = {_nominal(meff):.4g} T from the {meff_from}")
        if gyromagnetic_ratio is None:
            flags["meff"] = ["from the in-plane Kittel relation with the free-electron g "
                             "(2.0023) assumed, not measured (give --meff or --g)"]
        impossible = implausible_meff(float(_nominal(h)), float(f))
        if impossible is not None:
            flags.setdefault("meff", []).append(impossible)
    else:
        meff_from = "given"
    res = fit_angle_dependence(fits, meff, i_rf=i_rf, delta_r=delta_r, angle_key=angle_key)
    # one frequency measures M_eff or g, not both: the one given must leave the other physical
    unphysical_g = angle_scan_g_reason(res.h_res, frequency, given_meff, gyromagnetic_ratio)
    if unphysical_g is not None:
        flags.setdefault("meff", []).append(unphysical_g)
    for r in (res.vs_fit, res.va_fit):
        if r.redchi > 3:
            notes.append(f"{r.model_name}: reduced chi-square {r.redchi:.3g}: the angular model "
                         "does not describe the amplitudes within their errors (anisotropy, "
                         "an unsaturated magnetisation, or a field angle offset?)")
    offset = field_angle_offset(res.points, res.vs_fit, res.va_fit)
    if offset is not None and abs(offset["offset"]) > OFFSET_SIGMAS * offset["stderr"]:
        amp = offset["amplitudes"]
        reason = (f"the amplitudes follow the field angles read plus "
                  f"{offset['offset']:.3g} +/- {offset['stderr']:.2g} deg (an offset fitted "
                  f"with the six amplitudes, {abs(offset['offset']) / offset['stderr']:.1f} "
                  "standard errors from 0): an offset of the field angles makes V_s and V_a "
                  "terms in sin 2phi sin phi that are no x-polarised torque; with it, vs_x = "
                  f"{amp['vs_x'][0]:.3g} +/- {amp['vs_x'][1]:.2g} uV and va_x = "
                  f"{amp['va_x'][0]:.3g} +/- {amp['va_x'][1]:.2g} uV (calibrate the field "
                  "angle, or give each file's angle as measured)")
        flags.setdefault("angle_offset", []).append(reason)
        notes.append(f"field angle offset: {reason}")
    return AngleAnalysis(res.vs_fit, res.va_fit, res.h_res, res.width, res.torques,
                         tuple(fits), tuple(failures), meff, meff_from, res.points, tuple(notes),
                         flags, offset)
