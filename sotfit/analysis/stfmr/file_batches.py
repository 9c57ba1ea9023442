"""ST-FMR files read and fitted in chunks: the memory of a run is bounded by the fit results,
not by the data, and the chunks can run on local processes or a dask cluster through
:func:`sotfit.parallel.map_tasks` with the results of the serial run (docs/stfmr.md,
section 10).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .pipeline import fit_chunk
from .spectra import CombinedValues, SpectrumFit

__all__ = [
    "SpectrumRecord",
    "read_files",
    "plan_file_chunks",
    "read_and_fit",
]


class SpectrumRecord:
    """What a chunked run keeps of a spectrum once it is fitted: its source and metadata."""

    __slots__ = ("source", "meta")

    def __init__(self, source: str, meta: dict):
        self.source = source
        self.meta = meta


def read_files(files: Sequence, **reader_options) -> tuple:
    """Read ST-FMR files with :func:`sotfit.io.read_stfmr`, keeping its warnings as notes.

    Parameters
    ----------
    files : sequence of str or Path
        Files or folders.
    **reader_options
        Keywords of :func:`sotfit.io.read_stfmr` (``field_angle``, ``option_style``, units,
        columns, ...).

    Returns
    -------
    (Sweep, list of str)
        The spectra, and the reader's notes (``"reader: ..."``): its warnings, then the
        ``reader_notes`` of every spectrum, each different note once.
    """
    from ... import io as sotfit_io     # looked up when called, so a replaced reader is used

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        sweep = sotfit_io.read_stfmr(files, **reader_options)
    notes = [f"reader: {w.message}" for w in caught]
    notes += [f"reader: {d.source}: {note}" for d in sweep for note in d.meta.get("reader_notes", ())]
    return sweep, list(dict.fromkeys(notes))    # a note of a file of several spectra once


#: ``checks`` of :func:`_without_data` when the checks were not made yet.
_NOT_MADE = object()


def _all_without_data(fits, keep_windows: bool = True) -> list:
    """:func:`_without_data` of every fit, the data checks of all of them made at once."""
    if keep_windows:
        return [_without_data(f) for f in fits]
    from .checks import point_checks, spectrum_data_checks

    spectra = [f for f in fits if isinstance(f, SpectrumFit)]
    checks = iter(point_checks(spectra, spectrum_data_checks(spectra)))
    return [_without_data(f, False, next(checks)) if isinstance(f, SpectrumFit) else f
            for f in fits]


def _without_data(fit, keep_windows: bool = True, checks=_NOT_MADE):
    """A SpectrumFit whose spectrum keeps its metadata and no points. The branch fits keep
    the windowed points they were fitted to, or with ``keep_windows=False`` the spectrum is
    checked against them (:func:`~sotfit.analysis.stfmr.checks.spectrum_data_check`, the
    sequential route, and the other checks of
    :func:`~sotfit.analysis.stfmr.checks.point_checks`; ``checks`` are these when already
    made) and they keep none either: the checks that need the points are made first
    (``SpectrumFit.point_checks``)."""
    if not isinstance(fit, SpectrumFit):
        return fit
    changes = {"dataset": fit.dataset.without_points()}
    if not keep_windows:
        from .checks import point_checks, spectrum_data_check

        if checks is _NOT_MADE:
            (checks,) = point_checks([fit], [spectrum_data_check(fit, fit.values)])
        changes["point_checks"] = checks
        branches = []
        for r in fit.branches:
            (d,) = r.datasets
            bare = d.without_points()
            branches.append(dataclasses.replace(r, datasets=(bare,), meta=bare.meta))
        changes["branches"] = tuple(branches)
        changes["combined"] = CombinedValues(branches)
    return dataclasses.replace(fit, **changes)


def _read_fit_task(shared, files):
    """Read some files and fit their spectra: one task of :func:`read_and_fit`.

    ``shared`` is (reader keywords, lineshape ModelSpec or None, window widths, keep the data,
    keep the windowed points of the branch fits). Returns (spectra as :class:`SpectrumRecord`,
    fit results, reader notes, :class:`~sotfit.io.same_spectra.SpectrumPrints` of the files'
    spectra: the chunks are compared with each other by them).
    """
    from ...io.same_spectra import SpectrumPrints

    reader_options, model, window_widths, keep_data, keep_windows = shared
    sweep, notes = read_files(list(files), **reader_options)
    prints = SpectrumPrints.of(sweep)
    spectra = [SpectrumRecord(d.source, {k: d.meta.get(k) for k in (
                   "frequency", "field_angle", "field_angle_from", "sample",
                   "vmix_derivative_column", "power")})
               for d in sweep]
    results = fit_chunk((model, window_widths), sweep)
    if not keep_data:       # only the figures draw the whole spectrum: keep its metadata
        results = _all_without_data(results, keep_windows)
    return spectra, results, notes, prints


def plan_file_chunks(files: Sequence, *, chunk_files: int, whole: bool = False,
                     absolute: bool = False) -> tuple[list[list[str]], int]:
    """The chunks of files that :func:`read_and_fit` reads and fits together.

    Parameters
    ----------
    files : sequence of str or Path
        Files or folders as given (folders are expanded as :func:`sotfit.io.read_stfmr` does).
    chunk_files : int
        Files per chunk.
    whole : bool
        Keep the list as given in one chunk (e.g. when options name files of the whole list).
    absolute : bool
        Give absolute paths (for workers that do not share the working folder).

    Returns
    -------
    (list of list of str, int)
        The chunks, and the number of files in all.
    """
    try:
        from ...io.stfmr import _expand
        expanded = _expand(files)
    except Exception:       # noqa: BLE001 - the reader says what is wrong, as it spells it
        expanded = None
    if expanded is None or whole:
        chunks = [list(files)]
    else:
        expanded = [str(f) for f in expanded]
        if absolute:
            expanded = [str(Path(f).resolve()) for f in expanded]
        chunks = _chunks_of(expanded, chunk_files)
    total = len(expanded) if expanded is not None else len(files)
    return chunks, total


def _chunks_of(files: list[str], chunk_files: int) -> list[list[str]]:
    """``files`` in chunks of about ``chunk_files``, the files of the two field polarities of
    one spectrum (:func:`sotfit.io.stfmr.polarities.pair_key`) in one chunk, next to each
    other, where the first of them stands."""
    from ...io.stfmr.polarities import pair_key

    units: dict = {}
    for i, f in enumerate(files):
        key = pair_key(f)
        units.setdefault(i if key is None else key, []).append(f)
    chunks: list[list[str]] = [[]]
    for unit in units.values():
        if len(chunks[-1]) >= chunk_files:
            chunks.append([])
        chunks[-1].extend(unit)
    return [c for c in chunks if c]


def read_and_fit(chunks: Sequence[Sequence[str]], reader_options: dict, *, model=None,
                 window_widths: float = 6.0, keep_data: bool = True,
                 keep_windows: bool = True, workers=None,
                 scheduler=None, progress: Callable | None = None,
                 on_fits: Callable | None = None) -> tuple[list, list, list]:
    """Read and fit the files chunk by chunk, serially or on ``workers`` local processes or a
    dask ``scheduler`` (:func:`sotfit.parallel.map_tasks`).

    Parameters
    ----------
    chunks : sequence of sequence of str
        The chunks of :func:`plan_file_chunks`.
    reader_options : dict
        Keywords of :func:`sotfit.io.read_stfmr`.
    model : ModelSpec, optional
        Lineshape model (default: the mixing lineshape); any ModelSpec with a ``lineshape``
        basis, registered or not (it is sent to the workers).
    window_widths : float
        Fit window around each resonance in half widths.
    keep_data : bool
        Keep the points of every spectrum (else only its metadata).
    keep_windows : bool
        Without ``keep_data``: keep the windowed points of the branch fits (the global fit
        needs them); else each spectrum is checked against them where it is fitted and they
        are let go (the memory of a run then holds no points at all).
    workers, scheduler
        As :func:`sotfit.parallel.map_tasks`.
    progress : callable, optional
        Called as ``progress(files_done)`` after every chunk.
    on_fits : callable, optional
        Called with the fit results of every chunk as it arrives (in the order the chunks
        finish), e.g. :meth:`sotfit.analysis.stfmr.output.SpectrumRows.add`.

    Returns
    -------
    (list, list, list)
        Per spectrum its :class:`SpectrumRecord` and its SpectrumFit or STFMRError, and the
        reader notes in the order of the files.
    """
    from ...parallel import map_tasks

    sizes = [len(c) for c in chunks]
    files_done = [0]

    def arrived(i, part):
        # the chunks that finished, in the order they finish (a short last chunk first: the
        # bar said 250 of 300 when 50 had arrived)
        files_done[0] += sizes[i]
        if on_fits is not None:
            on_fits(part[1])

    def tick(_done, _n):
        if progress:
            progress(files_done[0])

    shared = (reader_options, model, window_widths, keep_data, keep_windows)
    parts = map_tasks(_read_fit_task, chunks, workers=workers, scheduler=scheduler,
                      shared=shared, progress=tick, on_result=arrived)
    spectra = [s for part in parts for s in part[0]]
    results = [r for part in parts for r in part[1]]
    notes = [n for part in parts for n in part[2]]
    _distinct_across_chunks([part[3] if len(part) > 3 else None for part in parts],
                            reader_options)
    return spectra, results, notes


def _distinct_across_chunks(prints: list, reader_options: dict) -> None:
    """Refuse two files of different chunks that hold one measurement (each chunk's reading
    compared its own files, :mod:`sotfit.io.same_spectra`): the chunks' prints are compared,
    and the files of a pair whose prints agree are read together, which compares them point
    for point and raises where they are one.

    Parameters
    ----------
    prints : list of SpectrumPrints or None
        Each chunk's prints (None: a chunk that gave none).
    reader_options : dict
        The keywords the files were read with.
    """
    from ...io.same_spectra import SpectrumPrints

    given = [(k, p) for k, p in enumerate(prints) if p is not None and len(p)]
    if len(given) < 2:
        return
    chunk = np.repeat([k for k, _ in given], [len(p) for _, p in given])
    joined = SpectrumPrints.joined(p for _, p in given)
    for i, j in joined.candidate_pairs():
        if chunk[i] != chunk[j]:
            read_files([joined.paths[i], joined.paths[j]], **reader_options)
