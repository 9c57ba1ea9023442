"""The ST-FMR frequency-scan pipeline (docs/stfmr.md): every spectrum is split into field
branches and fitted in |mu0H| (:mod:`sotfit.analysis.stfmr.spectra`), in chunks that can run
in parallel; then the dispersion fits (:mod:`sotfit.analysis.stfmr.dispersion`) and the
checks (:mod:`sotfit.analysis.stfmr.checks`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...data import Dataset, Sweep
from ...models.spec import ModelSpec
from ...units import GAMMA_FREE_ELECTRON, g_from_gyromagnetic_ratio
from .checks import (
    _add, _fit_flags, _meff_geometry_check, compare_routes, explain_low_frequency_failures,
    field_unit_slip, leave_out_unsaturated,
)
from .dispersion import (
    bound_reached, fit_global_spectra, fit_kittel, fit_linewidth, global_spectrum_values,
    spectrum_inputs,
)
from .errors import STFMRError
from ...stats import inflate_error
from .propagation import _nominal
from .records import STFMRAnalysis
from .spectra import compare_repeats, repeat_disagreement


__all__ = [
    "fit_spectra",
    "collect_fits",
    "analyse_stfmr",
]


#: Spectra fitted together: one task of a parallel run, and the step of the progress bar.
CHUNK_SPECTRA = 250


def _global_lineshape(model) -> bool:
    """Whether the global multi-frequency fit describes the lineshape ``model``."""
    from ...models.lineshapes import linear_basis
    return linear_basis(model).global_fit


def fit_chunk(shared, datasets):
    """Fit a chunk of spectra (a task of :func:`fit_spectra`); ``shared`` is (the lineshape
    ModelSpec, a name in :data:`sotfit.models.MODELS`, or None; window_widths). Returns what
    :func:`~sotfit.analysis.stfmr_spectra.fit_spectra_batch` returns."""
    from ...models import MODELS
    from .spectra import fit_spectra_batch

    model, window_widths = shared
    if isinstance(model, str):
        model = MODELS[model]
    return fit_spectra_batch(list(datasets), model=model, window_widths=window_widths)


def collect_fits(sources: Sequence[str], results: Sequence, on_error: str = "raise"):
    """(fits, failures, notes) from per-spectrum results (a SpectrumFit or an STFMRError, in
    input order): the first error is raised unless ``on_error='skip'``."""
    fits, failures = [], []
    for src, r in zip(sources, results):
        if isinstance(r, STFMRError):
            if on_error != "skip":
                raise r
            failures.append((src, str(r)))
        elif isinstance(r, Exception):
            raise r
        else:
            fits.append(r)
    if not fits:
        raise STFMRError("no spectrum could be fitted: " + "; ".join(m for _, m in failures))
    notes = [f"{s.source}: {n}" for s in fits for n in s.notes]
    return fits, failures, notes


def fit_spectra(datasets: Sequence[Dataset], *, model=None, window_widths: float = 6.0,
                on_error: str = "raise", progress=None, workers: int | None = None,
                scheduler: str | None = None, chunk: int = CHUNK_SPECTRA):
    """Fit every spectrum (both branches), :data:`CHUNK_SPECTRA` at a time with
    :func:`~sotfit.analysis.stfmr_spectra.fit_spectra_batch`.

    Parameters
    ----------
    datasets : sequence of Dataset
    model, window_widths
        As for :func:`fit_spectrum`.
    on_error : {'raise', 'skip'}
        Whether a spectrum that cannot be fitted stops everything or is recorded and left out.
    progress : callable, optional
        ``progress(done, total)`` in spectra, after each chunk.
    workers, scheduler
        Local worker processes, or the address of a dask.distributed scheduler, for the
        chunks (:func:`sotfit.parallel.map_tasks`); the results are those of the serial run.
    chunk : int
        Spectra per chunk.

    Returns
    -------
    fits : list of SpectrumFit
    failures : list of (source, message)
    notes : list of str
        Every spectrum's notes, prefixed by its source.
    """
    from ...parallel import map_tasks

    datasets = list(datasets)
    chunks = [datasets[i:i + chunk] for i in range(0, len(datasets), chunk)]
    sizes = np.cumsum([len(c) for c in chunks])

    def tick(done, total):
        if progress:
            progress(int(sizes[done - 1]) if done else 0, len(datasets))

    parts = map_tasks(fit_chunk, chunks, workers=workers, scheduler=scheduler,
                      shared=(model, window_widths), progress=tick)
    results = [r for part in parts for r in part]
    return collect_fits([d.source for d in datasets], results, on_error)


def analyse_stfmr(data: Sweep | Sequence[Dataset], *, geometry: str = "inplane",
                  gyromagnetic_ratio: float | None = None, free_hk: bool = False,
                  model: ModelSpec | None = None, window_widths: float = 6.0,
                  global_fit: bool = True, on_error: str = "raise",
                  max_gamma_rel_error: float = 0.1, kittel_tolerance: float = 0.05,
                  progress: Callable[[int, int], None] | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  fitted=None, spectrum_correlations: bool = True,
                  global_max_spectra: int | None = None) -> STFMRAnalysis:
    """Run the ST-FMR pipeline on spectra of one sample.

    Parameters
    ----------
    data : Sweep or sequence of Dataset
        One dataset per file/repeat: signed mu0H in T, V_mix in uV,
        ``meta['frequency']`` in GHz.
    geometry : {'inplane', 'outofplane'}
    gyromagnetic_ratio : float, optional
        Hold gamma/2pi (GHz/T) fixed. By default it is fitted; when the
        frequencies do not determine it (the free Kittel fit fails, hits a
        bound, or its relative error exceeds ``max_gamma_rel_error``) it is
        fixed at the free-electron value and the analysis says so in ``notes``.
    free_hk : bool
        Fit an in-plane anisotropy field.
    model : ModelSpec, optional
        Lineshape for the sequential spectrum fits (default ``stfmr_mixing``).
    window_widths : float
        Fit window in half widths around each resonance.
    global_fit : bool
        Also run the global fit (lineshape ``stfmr_mixing`` only).
    global_max_spectra : int, optional
        Leave the global fit out, with a note, above this many spectra (its cost grows about as
        the cube of their number); None: no limit.
    on_error : {'raise', 'skip'}
        What to do with a spectrum that cannot be fitted.
    kittel_tolerance : float
        Spectra whose resonance field deviates from the Kittel fit by more than
        this fraction are named in ``notes``.
    progress : callable, optional
        ``progress(done, total)``.
    workers, scheduler
        Fit the spectra on local worker processes or on a dask.distributed cluster
        (:func:`fit_spectra`); the results are those of the serial run.
    fitted : tuple, optional
        ``(fits, failures, notes, {source: frequency})`` of spectra fitted beforehand
        (:func:`fit_spectra`, :func:`collect_fits`), e.g. file by file while reading; ``data``
        is then not used.
    spectrum_correlations : bool
        Keep the correlations of the sequential M_eff, gamma/2pi, alpha ... with every value
        of the spectra (default), as torques computed from the spectra need them
        (:func:`~sotfit.analysis.stfmr.output.stfmr_torques` refuses an analysis without
        them); without, only those through H_res and W are kept (the same uncertainties of
        the sequential values, faster for many spectra).

    Returns
    -------
    STFMRAnalysis
    """
    fits, failures, notes, frequencies = _fitted_spectra(
        data, fitted, model=model, window_widths=window_widths, on_error=on_error,
        progress=progress, workers=workers, scheduler=scheduler)
    kit = lw = glob = None
    seq: dict[str, Any] = {}
    gvals: dict[str, Any] = {}
    gspec: list = []
    flags: dict[str, dict[str, list[str]]] = {"sequential": {}, "global": {}}
    from ...io.stfmr.frequency_groups import distinct_frequencies

    n_freq = distinct_frequencies(s.frequency for s in fits)
    if n_freq >= 2 and len(fits) >= 3:
        fit_kw = {"geometry": geometry, "gyromagnetic_ratio": gyromagnetic_ratio,
                  "free_hk": free_hk}
        fits, failures, kit, lw, seq, fit_kw, assumed_gamma = _sequential_route(
            fits, failures, frequencies, notes, fit_kw, max_gamma_rel_error, kittel_tolerance,
            spectrum_correlations)
        if global_fit and global_max_spectra is not None and len(fits) > global_max_spectra:
            notes.append(f"no global fit: {len(fits)} spectra, more than {global_max_spectra}; "
                         "its cost grows about as the cube of the number of spectra (36 took "
                         "about a minute, 72 eleven, 300 did not end in 23 minutes and 2.4 GB), "
                         "so the sequential route is reported alone (sotfit stfmr --global fits "
                         "them all at once)")
        elif global_fit and (model is None or _global_lineshape(model)):
            glob, gvals, gspec = _global_route(fits, seq, kit, lw, fit_kw, notes)
        elif global_fit:
            notes.append(f"no global fit: the global multi-frequency fit describes the mixing "
                         f"lineshape, not {getattr(model, 'name', model)}; the sequential "
                         "route is reported alone")
        _route_flags(flags, seq, gvals, kit, lw, glob, assumed_gamma, geometry, fits)
    else:
        notes.append(f"{len(fits)} spectra fitted at {n_freq} frequencies: the Kittel, damping "
                     "and global fits need at least two frequencies and three spectra (a "
                     "spectrum is one field sweep, both polarities)")
    reps = _compare_repeats(fits, notes)
    return STFMRAnalysis(tuple(fits), tuple(failures), geometry, kit, lw, seq, glob, gvals, gspec,
                         reps, tuple(notes), {k: v for k, v in flags.items() if v},
                         spectrum_correlations)


def _fitted_spectra(data, fitted, **fit_kwargs) -> tuple[list, list, list, dict]:
    """The spectrum fits of :func:`analyse_stfmr`: (fits, failures, notes, {source: frequency in
    GHz}), fitted here (:func:`fit_spectra` with ``fit_kwargs``) or given as ``fitted``."""
    if fitted is not None:
        return list(fitted[0]), list(fitted[1]), list(fitted[2]), dict(fitted[3])
    datasets = list(data)
    if not datasets:
        raise STFMRError("no spectra given")
    fits, failures, notes = fit_spectra(datasets, **fit_kwargs)
    return fits, failures, notes, {d.source: d.meta.get("frequency") for d in datasets}


def _sequential_route(fits, failures, frequencies, notes, fit_kw, max_gamma_rel_error,
                      kittel_tolerance, correlated: bool = True):
    """The Kittel and linewidth fits of the spectra (``notes`` extended in place), their
    parameters correlated with every value of the spectra or, without ``correlated``, only
    with their H_res and W (:func:`~sotfit.analysis.stfmr.dispersion.spectrum_inputs`).

    Spectra below saturation are left out, gamma/2pi is held at the free-electron value when
    the frequencies do not determine it. Returns (fits, failures, Kittel fit, linewidth fit,
    the sequential values, the Kittel keywords used, the (lowest, highest) frequency in GHz
    when gamma/2pi was assumed, else None).
    """
    geometry = fit_kw["geometry"]
    inputs = spectrum_inputs(fits, correlated)
    kit, kprop = fit_kittel(fits, **fit_kw, inputs=inputs)
    fits, kit, kprop, unsaturated = leave_out_unsaturated(
        fits, kit, kprop, geometry, lambda fs: fit_kittel(fs, **fit_kw, inputs=inputs))
    failures.extend(unsaturated)
    failures = explain_low_frequency_failures(failures, frequencies, fits, kprop["meff"],
                                              geometry)
    assumed_gamma = None
    if _gamma_undetermined(kit, fit_kw["gyromagnetic_ratio"], max_gamma_rel_error):
        assumed_gamma = (min(s.frequency for s in fits), max(s.frequency for s in fits))
        notes.append(_assumed_gamma_note(kit, *assumed_gamma))
        fit_kw = {**fit_kw, "gyromagnetic_ratio": GAMMA_FREE_ELECTRON}
        kit, kprop = fit_kittel(fits, **fit_kw, inputs=inputs)
    lw, lprop = fit_linewidth(fits, kprop["gyromagnetic_ratio"], inputs=inputs)
    notes.extend(_kittel_deviations(fits, kit, kittel_tolerance))
    offset_note = _one_polarity_offset_note(fits, kit, fit_kw)
    if offset_note is not None:
        notes.append(offset_note)
    seq = {"meff": kprop["meff"], "gyromagnetic_ratio": kprop["gyromagnetic_ratio"],
           "alpha": lprop["alpha"], "linewidth_inhomogeneous": lprop["linewidth_inhomogeneous"]}
    if geometry == "inplane":
        seq["h_k"] = kprop["h_k"]
    seq["g"] = g_from_gyromagnetic_ratio(seq["gyromagnetic_ratio"])
    for r in (kit, lw):
        if r.redchi > 1:
            factor = math.sqrt(r.redchi)
            # the digits that show the factor above 1 (1.01 gave 'sqrt(redchi) = 1')
            digits = next((d for d in range(3, 7) if float(f"{factor:.{d}g}") > 1), 7)
            notes.append(f"{r.model_name}: reduced chi-square {r.redchi:.3g} > 1; errors "
                         f"inflated by sqrt(redchi) = {factor:.{digits}g}")
    return fits, failures, kit, lw, seq, fit_kw, assumed_gamma


def _one_polarity_offset_note(fits, kit, fit_kw) -> str | None:
    """The note that a field offset of the magnet is not cancelled, for a flagged in-plane
    Kittel fit (reduced chi-square above :data:`~sotfit.flags.REDCHI_LIMIT`) of spectra that
    each hold one field polarity, without ``free_hk``; else None.

    The mean of the two branches of a spectrum cancels a field offset b (the magnet's
    remanence, the zero of its Hall probe); one branch keeps it, and every resonance field is
    shifted by b, which the in-plane Kittel relation cannot tell from an anisotropy field H_k
    along the field (f = (gamma/2pi) sqrt((H + H_k)(H + H_k + M_eff))). A positive-only set
    with b = 2 mT gave mu0 M_eff = 1.03 +- 0.13 T for 0.80 and g = 1.88, flagged by the
    Kittel fit's reduced chi-square, while the note blamed the lowest frequency ('an
    unsaturated magnetisation at low field, or a different mode?'); --free-hk gave 0.799 +-
    0.001 T.
    """
    from ...flags import REDCHI_LIMIT

    if fit_kw.get("geometry") != "inplane" or fit_kw.get("free_hk") \
            or not kit.redchi > REDCHI_LIMIT:
        return None
    signs = [{int(r.meta["polarity"]) for r in s.branches} for s in fits]
    if not signs or any(len(p) != 1 for p in signs):
        return None
    which = sorted(set().union(*signs))
    if len(which) == 2:     # both polarities, read as spectra of their own
        return ("every spectrum holds one field polarity, some the + branch and some the -: "
                "a field offset of the magnet (its remanence, the zero of its Hall probe), which "
                "the mean of the two branches of one spectrum cancels, shifts their resonance "
                f"fields apart (the Kittel fit's reduced chi-square is {kit.redchi:.3g}); if the "
                "files hold the two polarities of one sweep, name them so that they are joined "
                "(8GHz_neg.csv with 8GHz_pos.csv, docs/io.md, 'Polarities written apart')")
    names = {1: "+", -1: "-"}[which[0]] + " branch"
    return (f"every spectrum holds one field polarity ({names} only): a field offset of the "
            "magnet (its remanence, the zero of its Hall probe), which the mean of two branches "
            "cancels, shifts every resonance field alike, and the in-plane Kittel relation "
            "takes it for an anisotropy field along the field; the Kittel fit's reduced "
            f"chi-square is {kit.redchi:.3g}: if the magnet has such an offset, --free-hk "
            "fits it (h_k then holds the offset with any anisotropy); a misfit of the lowest "
            "frequencies alone (near saturation) is no offset")


def _gamma_undetermined(kit, gyromagnetic_ratio, max_gamma_rel_error) -> bool:
    """Whether the free Kittel fit leaves gamma/2pi undetermined (failed, or a relative error
    above ``max_gamma_rel_error``); never when gamma/2pi was given."""
    gam = kit.value("gyromagnetic_ratio")
    return gyromagnetic_ratio is None and (
        not kit.success or not (kit.stderr("gyromagnetic_ratio") < max_gamma_rel_error * gam))


def _assumed_gamma_note(kit, lo: float, hi: float) -> str:
    """The note that gamma/2pi is held at the free-electron value (frequencies lo-hi in GHz)."""
    gam = kit.value("gyromagnetic_ratio")
    return (f"gamma/2pi is not determined by the frequencies {lo:g}-{hi:g} GHz (free fit: "
            f"{gam:.4g} +/- {kit.stderr('gyromagnetic_ratio'):.2g} GHz/T"
            + ("" if kit.success else ", " + kit.problems)
            + f"); fixed at the free-electron "
            f"value {GAMMA_FREE_ELECTRON:.4f} GHz/T (g = 2.0023): M_eff then carries the "
            "systematic error of that assumption"
            + ("" if bound_reached(kit, "gyromagnetic_ratio") is None else
               "; a free gamma/2pi on the edge of its range is what fields read in a wrong unit "
               "give (Oe read as mT scales every resonance field by 10 and gamma/2pi by 1/10): "
               "check the field unit"))


def _name_reading(sp) -> str | None:
    """The other reading of a spectrum's frequency taken from its file name (``8_5GHz`` read
    as 5 GHz, which may mean 8.5 GHz: :func:`sotfit.io.stfmr.names.decimal_reading`), as the
    words of a Kittel deviation, or None."""
    from ...io.stfmr.names import decimal_reading

    meta = sp.dataset.meta
    if "file name" not in str(meta.get("frequency_from", "")):
        return None
    name = str(meta.get("source", sp.source)).rsplit("/", 1)[-1]
    other = decimal_reading(name, sp.frequency)
    if other is None:
        return None
    return (f"the file name's {other[1]!r} was read as {sp.frequency:g} GHz; if it means "
            f"{other[0]:g} GHz, give --frequency {name}={other[0]:g}GHz")


def _kittel_deviations(fits, kit, kittel_tolerance: float) -> list[str]:
    """Notes on the spectra whose resonance field deviates from the Kittel fit by more than
    the fraction ``kittel_tolerance``."""
    notes = []
    for sp, hm in zip(fits, kit.evaluate([s.frequency for s in fits])):
        dev = (sp.value("h_res") - hm) / hm
        if abs(dev) > kittel_tolerance:
            slip = (field_unit_slip(1.0 + dev, sp.dataset.meta.get("field_unit_in_file"))
                    or _name_reading(sp))
            notes.append(f"{sp.source}: resonance field {sp.value('h_res'):.4g} T "
                         f"deviates from the Kittel fit by {100 * dev:+.1f} % ("
                         + (slip if slip else "an unsaturated magnetisation at low field, or "
                            "a different mode?") + ")")
    return notes


def _global_route(fits, seq, kit, lw, fit_kw, notes):
    """The global fit of all spectra started from the sequential values ``seq`` (``notes``
    extended in place). Returns (global fit, its values with the errors inflated by the Birge
    ratios of the sequential fits, per-spectrum values of the global fit)."""
    geometry = fit_kw["geometry"]
    start = {k: _nominal(v) for k, v in seq.items() if k != "g"}
    glob = fit_global_spectra(fits, start=start, **fit_kw)
    gvals = {k: glob[k] for k in ("meff", "gyromagnetic_ratio", "alpha",
                                  "linewidth_inhomogeneous") + (("h_k",) if geometry == "inplane" else ())}
    gvals["g"] = g_from_gyromagnetic_ratio(gvals["gyromagnetic_ratio"])
    gspec = global_spectrum_values(glob, fits)
    if not glob.success:
        notes.append(f"global fit not reliable: {glob.problems}")
    for r, names in ((kit, ("meff", "gyromagnetic_ratio", "h_k")),
                     (lw, ("alpha", "linewidth_inhomogeneous"))):
        if r.redchi > 1:
            factor = math.sqrt(r.redchi)
            for k in names:
                if k in gvals and hasattr(gvals[k], "std_dev"):
                    gvals[k] = inflate_error(gvals[k], factor)
            notes.append(f"global fit: errors of {', '.join(k for k in names if k in gvals)} "
                         f"inflated by the Birge ratio {factor:.3g} of the sequential "
                         f"{r.model_name} fit (the lineshape residuals of the global fit "
                         "do not see the misfit of the resonance fields or widths)")
    factor = _correlated_noise_factor(fits)
    if factor > 1:
        for k in list(gvals):
            if k != "g" and hasattr(gvals[k], "std_dev"):
                gvals[k] = inflate_error(gvals[k], factor)
        notes.append(f"global fit: errors of {', '.join(k for k in gvals if k != 'g')} "
                     f"inflated by {factor:.3g}, the factor by which the branch fits' errors "
                     "were widened for noise correlated from point to point (the global fit "
                     "takes its points as independent; docs/stfmr.md, section 5)")
    gvals["g"] = g_from_gyromagnetic_ratio(gvals["gyromagnetic_ratio"])
    notes.extend(compare_routes(seq, gvals))
    return glob, gvals, gspec


def _correlated_noise_factor(fits) -> float:
    """sqrt(sum f_b^2 / N) over the N branches of ``fits``, f_b the factor by which a branch
    fit's errors were widened for correlated noise (1 where they were not;
    :func:`~sotfit.analysis.stfmr.correlated.widen_for_correlated_noise`): the factor of the
    error of a parameter every branch determines equally well (dimensionless).

    The global fit keeps the weights of independent points, so its value is the one it was;
    the variance of that estimate is the sandwich sum_b w_b^2 f_b^2 s_b^2 / (sum_b w_b)^2,
    equal weights giving the mean of f_b^2. (sqrt(N / sum 1/f_b^2) is the error of an estimate
    that would weigh the branches by their widened errors, which the fit does not: with half
    the spectra white and half of lag-1 0.9 it gave 1.04-1.7 where 3 was needed, global M_eff
    pulls of rms 2.4, unflagged.)"""
    f = np.array([r.meta.get("error_factor", 1.0) for s in fits for r in s.branches], float)
    return float(math.sqrt(np.mean(f ** 2))) if f.size else 1.0


def _route_flags(flags, seq, gvals, kit, lw, glob, assumed_gamma, geometry, fits) -> None:
    """Flag the values of the sequential and global routes in ``flags`` (in place): bounds and
    physical floors, an assumed gamma/2pi, an M_eff the geometry contradicts."""
    _fit_flags(flags["sequential"], seq, [(kit, ("meff", "gyromagnetic_ratio", "h_k")),
                                          (lw, ("alpha", "linewidth_inhomogeneous"))])
    if glob is not None:
        _fit_flags(flags["global"], gvals, [(glob, tuple(k for k in gvals if k != "g"))])
    if assumed_gamma is not None:
        reason = (f"gamma/2pi is not determined by the frequencies {assumed_gamma[0]:g}-"
                  f"{assumed_gamma[1]:g} GHz: held at the free-electron value (g = 2.0023), "
                  "so mu0_meff rests on that assumption (give --g or --gyromagnetic-ratio)")
        for route in ("sequential", "global") if glob is not None else ("sequential",):
            for k in ("meff", "gyromagnetic_ratio"):
                _add(flags[route], k, reason)
    for route, vals in (("sequential", seq), ("global", gvals)):
        if vals and "meff" in vals:
            reason = _meff_geometry_check(vals["meff"], geometry, fits)
            if reason:
                # the Gilbert law W = W_0 + f alpha/(gamma/2pi) is that of a film saturated along
                # the field: Oe headed mT (an in-plane film read as M_eff = -1.6 T) gave alpha
                # 0.099 for 0.010 with no flag on it
                for k in ("meff", "alpha", "linewidth_inhomogeneous"):
                    _add(flags[route], k, reason)


def _compare_repeats(fits, notes) -> list[dict]:
    """:func:`compare_repeats` of the spectra, with a note (appended to ``notes``) for every
    quantity whose repeats disagree beyond their errors."""
    reps = compare_repeats(fits)
    for r in reps:
        if r["flagged"]:
            notes.append(repeat_disagreement(r))
    return reps
