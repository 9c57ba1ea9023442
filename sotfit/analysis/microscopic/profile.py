"""The profile chi-square of one interface over the plane of its two microscopic parameters
(:func:`profile_plane`), and starting points for a fit from its minima."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ...models.drift_diffusion import complex_efficiency
from .derived import _mech, interface_g
from .mechanisms import DELTA_CHI2_95

__all__ = ["ProfilePlane", "profile_plane", "profile_chi2", "start_candidates"]


@dataclass(frozen=True)
class ProfilePlane:
    """The chi-square profile of one interface over its two microscopic parameters.

    Attributes
    ----------
    label : str
        Interface label.
    names : (str, str)
        Model parameter names of the axes (e.g. ``delta_t``, ``J``).
    stable : (str, str)
        Summary names (``delta_t``, ``exchange``).
    units : (str, str)
    a, b : ndarray
        Grid axes.
    g : ndarray complex, shape (len(a), len(b))
        G on the grid, 1e13 Ohm^-1 m^-2.
    delta_chi2 : ndarray, shape (len(a), len(b))
        Profile chi-square minus the best (over the grids and the fit).
    best : (float, float)
        The fitted point (NaN when the values hold none).
    lam : ndarray
        lambda_s (nm) of the profile at every grid point.
    chi2_min : float
        The reference chi-square (data only).
    edges : (bool, bool, bool, bool)
        Whether the low/high end of ``a`` and of ``b`` is the end of the allowed range.
    coarse : ProfilePlane or None
        The grid over the whole allowed range when this one is a zoom into its 95 % region.
    """

    label: str
    names: tuple
    stable: tuple
    units: tuple
    a: np.ndarray
    b: np.ndarray
    g: np.ndarray
    delta_chi2: np.ndarray
    best: tuple
    lam: np.ndarray
    chi2_min: float
    edges: tuple = (True, True, True, True)
    coarse: "ProfilePlane | None" = None


def _axis(lo, hi, scale, n):
    """Grid axis on [lo, hi]: linear, or logarithmic in the magnitude for each sign present
    (``symlog``; magnitudes down to 1e-3 of the largest end)."""
    if scale == "linear":
        return np.linspace(lo, hi, n)
    top = max(abs(lo), abs(hi))
    floor = 1e-3 * top
    parts = []
    if lo < 0:
        parts.append(-np.geomspace(max(floor, -hi if hi < 0 else floor), -lo,
                                   n // 2 if hi > 0 else n)[::-1])
    if hi > 0:
        parts.append(np.geomspace(max(floor, lo if lo > 0 else floor), hi,
                                  n // 2 if lo < 0 else n))
    return np.concatenate(parts)


_G_CACHE: dict = {}


def _grid_g(mech, options, names, a, b, others):
    key = (mech.name, tuple(sorted(options.items())), tuple(sorted(others.items())),
           a.tobytes(), b.tobytes())
    if key not in _G_CACHE:
        if len(_G_CACHE) > 16:
            _G_CACHE.clear()
        vals = {names[0]: a[:, None], names[1]: b[None, :], **others}
        _G_CACHE[key] = np.broadcast_to(mech.g_mix(vals, options), (a.size, b.size)).copy()
    return _G_CACHE[key]


def _dataset_terms(problem, values):
    """Per dataset: (x, y, 1/e^2, dl?, calibration factor, interface index)."""
    out = []
    for d, m, (si, kind) in zip(problem.datasets, problem.models, problem.parts):
        cal = 1.0
        for p in m.param_names:
            if p.startswith("calibration_"):
                cal = float(values[p])
        out.append((np.asarray(d.x, float), np.asarray(d.y, float),
                    1.0 / np.asarray(d.yerr, float) ** 2, kind == "dl", cal,
                    problem.series_interface[si]))
    return out


def profile_chi2(problem, values: Mapping, k: int, g_grid, states: Mapping | None = None,
                 g_others: Sequence | None = None, nlam: int = 81):
    """Chi-square of the data profiled over sigma_s and lambda_s for every G of interface k.

    Parameters
    ----------
    problem : ThicknessProblem
    values : mapping
        Result-name values of a fit (spin-source parameters, calibrations, the other
        interfaces).
    k : int
        The interface whose G varies.
    g_grid : complex array_like
        Values of G for interface ``k`` (any shape), 1e13 Ohm^-1 m^-2.
    states : mapping, optional
        :func:`sotfit.analysis.thickness.parameter_states` of the problem (which of sigma_s
        and lambda_s are free); default computed.
    g_others : sequence of complex, optional
        G of every interface (entry ``k`` ignored); default from ``values``.
    nlam : int
        Points of the logarithmic lambda_s grid (0.1 to 10 times the fitted value).

    Returns
    -------
    chi2, lam : ndarray
        The profile chi-square (data only, dimensionless) and its lambda_s (nm), shaped
        like ``g_grid``.
    """
    from ..thickness import parameter_states

    states = parameter_states(problem) if states is None else states
    g_grid = np.asarray(g_grid, complex)
    shape = g_grid.shape
    gk = g_grid.reshape(-1)
    nint = len(problem.interface_params)
    if g_others is None:
        g_others = [complex(np.asarray(interface_g(problem, values, j)).ravel()[0])
                    if j != k else 0j for j in range(nint)]
    rho = float(values.get("resistivity", problem.resistivity))
    g_sf = float(values.get("g_sf", 0.0))
    lam0 = float(values["spin_diffusion_length"])
    sig0 = float(values["spin_hall_conductivity"])
    sig_free = states.get("spin_hall_conductivity") == "free"
    if states.get("spin_diffusion_length") == "free":
        lo, hi = problem.models[0].param("spin_diffusion_length").bounds
        lams = np.clip(lam0 * np.geomspace(0.1, 10.0, nlam), lo, hi)
    else:
        lams = np.array([lam0])
    terms = _dataset_terms(problem, values)
    chi = np.empty((lams.size, gk.size))
    for j, lam in enumerate(lams):
        syy = syf = sff = 0.0
        for x, y, w, dl, cal, iface in terms:
            g = gk[:, None] if iface == k else np.complex128(g_others[iface])
            z = complex_efficiency(x, 1.0, lam, np.real(g), np.imag(g), rho, g_sf)
            f = cal * (z.real if dl else -z.imag)
            f = np.broadcast_to(f, (gk.size, x.size))
            syy = syy + float(np.sum(y * y * w))
            syf = syf + np.sum(f * (y * w), axis=-1)
            sff = sff + np.sum(f * f * w, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            if sig_free:
                c = syy - np.where(sff > 0, syf ** 2 / np.where(sff > 0, sff, 1.0), 0.0)
            else:
                c = syy - 2 * sig0 * syf + sig0 ** 2 * sff
        chi[j] = c
    i = np.argmin(chi, axis=0)
    best = chi[i, np.arange(gk.size)]
    lam_best = lams[i]
    if lams.size >= 3:
        # parabola through the three points around the minimum, in ln(lambda_s)
        ii = np.clip(i, 1, lams.size - 2)
        c0, c1, c2 = (chi[ii - 1, np.arange(gk.size)], chi[ii, np.arange(gk.size)],
                      chi[ii + 1, np.arange(gk.size)])
        den = c0 - 2 * c1 + c2
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.where(den > 0, 0.5 * (c0 - c2) / den, 0.0)
        shift = np.clip(shift, -1.0, 1.0)
        refined = c1 - 0.25 * (c0 - c2) * shift
        better = (den > 0) & (refined < best)
        best = np.where(better, refined, best)
        step = math.log(lams[1] / lams[0]) if lams[1] > lams[0] else 0.0
        lam_best = np.where(better, lams[ii] * np.exp(shift * step), lam_best)
    return best.reshape(shape), lam_best.reshape(shape)


def profile_plane(problem, values: Mapping, k: int, n: tuple = (41, 60),
                  g_others: Sequence | None = None, chi2_ref: float | None = None,
                  zoom: int = 61) -> ProfilePlane:
    """Profile chi-square of interface ``k`` over the plane of its two microscopic parameters.

    A grid over the whole allowed range (``problem.bounds``) is followed by a finer grid
    (``zoom`` x ``zoom``) over the box around its 95 % region, one grid cell wider on each
    side: the region of a parameter pair that the data pin down can be narrower than the
    first grid's spacing.

    Parameters
    ----------
    problem : ThicknessProblem
        With a microscopic mechanism.
    values : mapping
        Result-name values of a fit (the point drawn as the best fit, if present; the
        other parameters are held or profiled as described in the module docstring).
    k : int
        Interface index.
    n : (int, int)
        Sizes of the first grid (a symmetric-logarithmic axis gets ``n // 2`` magnitudes
        per sign).
    g_others : sequence of complex, optional
        G of the other interfaces (default from ``values``).
    chi2_ref : float, optional
        Data chi-square of the fit; Delta chi^2 is taken from the smallest of it and the
        grid minima.
    zoom : int
        Size of the finer grid (0: none).

    Returns
    -------
    ProfilePlane
        The finer grid, with the first one as ``coarse``.
    """
    from ..thickness import parameter_states

    mech = _mech(problem)
    names = problem.interface_params[k]
    pa, pb = mech.plane
    bnds = problem.bounds
    na, nb = names[pa], names[pb]
    (alo, ahi), (blo, bhi) = bnds[na], bnds[nb]
    others = {p: float(values[nm]) for p, nm in names.items() if p not in (pa, pb)}
    states = parameter_states(problem)

    def grid(a, b):
        g = _grid_g(mech, problem.options, (pa, pb), a, b, others)
        chi, lam = profile_chi2(problem, values, k, g, states=states, g_others=g_others)
        return g, chi, lam

    a = _axis(alo, ahi, mech.scales[0], n[0])
    b = _axis(blo, bhi, mech.scales[1], n[1])
    g, chi, lam = grid(a, b)
    ref = min(float(np.nanmin(chi)), chi2_ref if chi2_ref is not None else math.inf)
    if na in values and nb in values:
        best_point = (float(values[na]), float(values[nb]))
        g_best = interface_g(problem, values, k)
        chi_best, _ = profile_chi2(problem, values, k, np.atleast_1d(g_best), states=states,
                                   g_others=g_others)
        ref = min(ref, float(chi_best.min()))
    else:
        best_point = (math.nan, math.nan)
    meta = dict(label=problem.interface_labels[k], names=(pa, pb),
                stable=(mech.stable(pa), mech.stable(pb)),
                units=(mech.units.get(pa, ""), mech.units.get(pb, "")), best=best_point)
    if not zoom:
        return ProfilePlane(a=a, b=b, g=g, delta_chi2=chi - ref, lam=lam, chi2_min=ref, **meta)
    d = chi - ref
    inside = d < DELTA_CHI2_95
    if not inside.any():
        inside = d <= np.nanmin(d)
    ia, ib = np.nonzero(inside)
    i0, i1 = max(ia.min() - 1, 0), min(ia.max() + 1, a.size - 1)
    j0, j1 = max(ib.min() - 1, 0), min(ib.max() + 1, b.size - 1)
    if np.all(np.isfinite(best_point)):
        ka = int(np.clip(np.searchsorted(a, best_point[0]), 1, a.size - 1))
        kb = int(np.clip(np.searchsorted(b, best_point[1]), 1, b.size - 1))
        i0, i1 = min(i0, ka - 1), max(i1, ka)
        j0, j1 = min(j0, kb - 1), max(j1, kb)
    za = _axis(a[i0], a[i1], mech.scales[0], zoom)
    if mech.scales[1] == "symlog" and b[j0] * b[j1] > 0:
        zb = np.sort(np.sign(b[j0]) * np.geomspace(abs(b[j0]), abs(b[j1]), zoom))
    elif mech.scales[1] == "symlog":
        # keep the smallest magnitude of the first grid: the gap around zero stays an edge
        floor = float(np.min(np.abs(b)))
        zb = np.concatenate([-np.geomspace(floor, abs(b[j0]), zoom // 2)[::-1],
                             np.geomspace(floor, b[j1], zoom // 2)])
    else:
        zb = np.linspace(b[j0], b[j1], zoom)
    g2, chi2, lam2 = grid(za, zb)
    ref = min(ref, float(np.nanmin(chi2)))
    edges = (i0 == 0, i1 == a.size - 1, j0 == 0, j1 == b.size - 1)
    coarse = ProfilePlane(a=a, b=b, g=g, delta_chi2=chi - ref, lam=lam, chi2_min=ref, **meta)
    return ProfilePlane(a=za, b=zb, g=g2, delta_chi2=chi2 - ref, lam=lam2, chi2_min=ref,
                        edges=edges, coarse=coarse, **meta)


def _minima(delta, limit):
    """Grid indices of local minima of ``delta`` below ``limit``, best first."""
    from scipy import ndimage

    lm = delta == ndimage.minimum_filter(delta, size=3, mode="nearest")
    idx = np.argwhere(lm & (delta < limit))
    order = np.argsort(delta[tuple(idx.T)]) if idx.size else []
    return [tuple(int(v) for v in idx[o]) for o in order]


def start_candidates(plane: ProfilePlane, limit: float = 11.8, nmax: int = 3) -> list[dict]:
    """Starting points for a least-squares fit: local minima of the profile, best first.

    The minimum of the (finer) plane comes first, then separate local minima of the grid
    over the whole range (``plane.coarse``) with Delta chi^2 below ``limit``.

    Returns
    -------
    list of dict
        ``{model name: value, ..., "spin_diffusion_length": lambda_s, "delta_chi2": ...}``.
    """
    out = []
    for pl in (plane, plane.coarse):
        if pl is None:
            continue
        d = pl.delta_chi2
        found = _minima(d, max(limit, float(np.nanmin(d)) + 1e-9))
        if not found:
            found = [tuple(int(v) for v in np.unravel_index(int(np.nanargmin(d)), d.shape))]
        for i, j in found[: (1 if pl is plane else nmax)]:
            c = {pl.names[0]: float(pl.a[i]), pl.names[1]: float(pl.b[j]),
                 "spin_diffusion_length": float(pl.lam[i, j]), "delta_chi2": float(d[i, j])}
            if not any(abs(c[pl.names[0]] - o[pl.names[0]]) <= 1e-9 * (1 + abs(o[pl.names[0]]))
                       and abs(c[pl.names[1]] - o[pl.names[1]]) <= 1e-9 * (1 + abs(o[pl.names[1]]))
                       for o in out):
                out.append(c)
    return out[:nmax]
