"""Mechanisms of a thickness fit: the spin-mixing conductance G from an interface model.

A thickness series constrains the complex spin-mixing conductance G of each interface
through the drift-diffusion efficiencies of seed 003_010c0338986411e7.txt, eqs. (1)-(2)
(:func:`sotfit.models.drift_diffusion.complex_efficiency`). A *mechanism* says where G comes
from:

* ``drift-diffusion``: G itself is fitted (``re_g_mix``, ``im_g_mix``);
* ``interface-barrier``: G of the tight-binding interface barrier of seed 003 Fig. 4
  (:mod:`sotfit.models.interface.barrier_tb`), per interface ``delta_t`` and ``exchange`` J
  (eV); options the Fermi energy, the hoppings t0 and t_c, the monolayer on-site energy and
  the lattice constant, by default the Fig. 4 setting (E = -4 t0, t0 = 1 eV, t_c = t0,
  eps_m = 0, a = 0.3 nm);
* ``interface-delta``: G of the delta barrier with exchange and Rashba coupling of seed
  004_7d8d4f1eff3c5d03.txt (:mod:`sotfit.models.interface.delta_barrier`), per interface
  ``u0``, ``u_ex`` and ``u_R`` (dimensionless; ``u_R`` fixed at 0 unless freed); options
  the Fermi wave number and the magnetisation direction.

The microscopic models are the ModelSpecs of :mod:`sotfit.models.interface.composed`; this
module adds what a fit of them needs: the map from parameters to G, the physical ranges,
G derived from a fit or a posterior with its correlations, and the *profile* of the
chi-square over the plane of the two microscopic parameters of one interface, which shows
whether the data separate them (one closed region), only constrain a combination (a ridge
that runs into the edge of the allowed range) or allow several optima.

Profile (:func:`profile_plane`): at every point of a grid over the two parameters, G of the
interface is fixed and the chi-square is minimised over the spin-source parameters:
sigma_s analytically (it enters linearly) and lambda_s on a logarithmic grid refined by a
parabola in ln lambda_s. The other interfaces, the calibration factors and g_sf are held at
the fitted values, so the profile is exact in sigma_s and lambda_s and conditional in the
rest. Regions: Delta chi^2 < 2.30 (68.3 %) and < 6.18 (95.4 %), the levels of two
parameters jointly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..models.drift_diffusion import complex_efficiency, drift_diffusion_dl, drift_diffusion_fl
from ..models.interface.composed import interface_barrier_efficiency, interface_delta_efficiency
from ..models.interface.specs import barrier_mixing_complex, delta_mixing_grid
from ..models.spec import ModelSpec

__all__ = ["Mechanism", "MECHANISMS", "get_mechanism", "DELTA_CHI2_68", "DELTA_CHI2_95",
           "ProfilePlane", "profile_plane", "identifiability", "interface_g",
           "derived_g_lsq", "derived_g_posterior", "g_from_samples", "start_candidates",
           "profile_chi2"]

#: Delta chi-square of the 68.3 % and 95.4 % regions of two parameters jointly
#: (scipy.stats.chi2(2).ppf(0.6827), .ppf(0.9545)).
DELTA_CHI2_68 = 2.2957
DELTA_CHI2_95 = 6.1801
G_UNIT = "1e13 Ohm^-1 m^-2"


@dataclass(frozen=True)
class Mechanism:
    """How one interface's mixing conductance enters a thickness fit.

    Attributes
    ----------
    name : str
        Command-line name (``drift-diffusion``, ``interface-barrier``, ``interface-delta``).
    title : str
        What it is, with the source, for summaries.
    dl, fl : ModelSpec
        Models of xi^E_DL and xi^E_FL (the composed models take the input ``torque``).
    interface : tuple of str
        Model parameters with one copy per interface, free by default.
    optional : tuple of str
        Per-interface parameters fixed by default (at their option value), freed on request.
    constants : mapping
        Options: model parameter name -> default value (house units), shared and fixed.
    option_units : mapping
        Units of the options.
    aliases : mapping
        Summary/command-line name -> model parameter name (``exchange`` -> ``J``).
    plane : tuple of str
        The two parameters of the identifiability profile.
    scales : tuple of str
        ``"linear"`` or ``"symlog"`` (logarithmic in the magnitude, both signs) per plane axis.
    g_func : callable
        ``g_func(values, options) -> complex ndarray`` in 1e13 Ohm^-1 m^-2, values by model
        parameter name (arrays broadcast).
    bounds_func : callable
        ``bounds_func(options) -> {model parameter name: (lo, hi)}``: the physical range of
        the per-interface parameters (the fit bounds and the support of flat priors).
    units : mapping
        Units of the per-interface parameters.
    """

    name: str
    title: str
    dl: ModelSpec
    fl: ModelSpec
    interface: tuple
    optional: tuple
    constants: Mapping[str, float]
    option_units: Mapping[str, str]
    aliases: Mapping[str, str]
    plane: tuple
    scales: tuple
    g_func: Callable
    bounds_func: Callable
    units: Mapping[str, str] = field(default_factory=dict)

    @property
    def microscopic(self) -> bool:
        """True for a model of G (not G itself)."""
        return self.name != "drift-diffusion"

    def stable(self, model_name: str) -> str:
        """Summary name of a model parameter (``J`` -> ``exchange``)."""
        for k, v in self.aliases.items():
            if v == model_name:
                return k
        return model_name

    def model_name(self, name: str) -> str:
        """Model parameter (or result) name of a summary name: ``exchange_3`` -> ``J_3``."""
        for k, v in self.aliases.items():
            if name == k:
                return v
            if name.startswith(k + "_") and name[len(k) + 1:].isdigit():
                return v + name[len(k):]
        return name

    def options(self, given: Mapping | None = None) -> dict:
        """All option values (defaults updated by ``given``), checked by name.

        Raises
        ------
        ValueError
            An option this mechanism does not take.
        """
        out = dict(self.constants)
        for k, v in dict(given or {}).items():
            k = self.model_name(k)
            if k not in out and k not in self.optional:
                raise ValueError(f"option {k!r} does not apply to the {self.name} model; its "
                                 f"options are {', '.join(list(self.constants) + list(self.optional)) or 'none'}")
            out[k] = float(v)
        return out

    def g_mix(self, values: Mapping, options: Mapping | None = None):
        """Complex G (1e13 Ohm^-1 m^-2) from per-interface values by model name."""
        opts = self.options(options)
        vals = {**{k: opts[k] for k in self.optional if k in opts}, **dict(values)}
        return np.asarray(self.g_func(vals, opts), dtype=complex)

    def bounds(self, options: Mapping | None = None) -> dict:
        """Physical range of every per-interface parameter (model names)."""
        return dict(self.bounds_func(self.options(options)))


def _g_dd(v, o):
    return np.asarray(v["re_g_mix"], float) + 1j * np.asarray(v["im_g_mix"], float)


def _g_barrier(v, o):
    return barrier_mixing_complex(v["J"], v["delta_t"], o["t0"], o["fermi_energy"], o["eps_m"],
                                  o["lattice_constant"], t_c_ratio=o["t_c_ratio"])


def _g_delta(v, o):
    return delta_mixing_grid(v["u0"], v["u_ex"], v.get("u_R", 0.0), o["k_fermi"], o["theta_m"],
                             o["phi_m"])


def _bounds_dd(o):
    return {p: drift_diffusion_dl.param(p).bounds for p in ("re_g_mix", "im_g_mix")}


def _bounds_barrier(o):
    t0 = o["t0"]
    # t_m = t0 - delta_t in [0, 2 t0]; |J| up to twice the bandwidth scale t0
    return {"delta_t": (-t0, t0), "J": (-2.0 * t0, 2.0 * t0)}


#: Range of the dimensionless delta-barrier strengths (u = m U / hbar^2 k_F): 20 is a barrier
#: whose transmission at normal incidence is 1/(1 + u^2) = 0.25 %, far beyond a metallic contact.
DELTA_RANGE = 20.0


def _bounds_delta(o):
    # u0 >= 0: without Rashba coupling a well scatters like the barrier of equal strength
    # (r(-u) = r(u)^* for each spin, so G(-u0, u_ex) = G(u0, u_ex) exactly; tested), and a
    # sign of u0 that the data can never choose would only double every optimum
    return {"u0": (0.0, DELTA_RANGE), "u_ex": (-DELTA_RANGE, DELTA_RANGE),
            "u_R": (-DELTA_RANGE, DELTA_RANGE)}


MECHANISMS = {
    "drift-diffusion": Mechanism(
        name="drift-diffusion", title="drift-diffusion (seed 003 eqs. (1)-(2))",
        dl=drift_diffusion_dl, fl=drift_diffusion_fl, interface=("re_g_mix", "im_g_mix"),
        optional=(), constants={}, option_units={}, aliases={},
        plane=("re_g_mix", "im_g_mix"), scales=("linear", "linear"), g_func=_g_dd,
        bounds_func=_bounds_dd, units={"re_g_mix": G_UNIT, "im_g_mix": G_UNIT}),
    "interface-barrier": Mechanism(
        name="interface-barrier",
        title=("drift-diffusion (seed 003 eqs. (1)-(2)) with G of the tight-binding interface "
               "barrier (seed 003 Fig. 4)"),
        dl=interface_barrier_efficiency, fl=interface_barrier_efficiency,
        interface=("delta_t", "J"), optional=(),
        constants={"t0": 1.0, "fermi_energy": -4.0, "eps_m": 0.0, "lattice_constant": 0.3,
                   "t_c_ratio": 1.0},
        option_units={"t0": "eV", "fermi_energy": "eV", "eps_m": "eV", "lattice_constant": "nm",
                      "t_c_ratio": ""},
        aliases={"exchange": "J"}, plane=("delta_t", "J"), scales=("linear", "symlog"),
        g_func=_g_barrier, bounds_func=_bounds_barrier, units={"delta_t": "eV", "J": "eV"}),
    "interface-delta": Mechanism(
        name="interface-delta",
        title=("drift-diffusion (seed 003 eqs. (1)-(2)) with G of the delta barrier with "
               "exchange and Rashba coupling (seed 004 eqs. 15-17)"),
        dl=interface_delta_efficiency, fl=interface_delta_efficiency,
        interface=("u0", "u_ex"), optional=("u_R",),
        constants={"k_fermi": 3.0, "theta_m": 90.0, "phi_m": 90.0, "u_R": 0.0},
        option_units={"k_fermi": "1/nm", "theta_m": "deg", "phi_m": "deg", "u_R": ""},
        aliases={}, plane=("u0", "u_ex"), scales=("linear", "symlog"), g_func=_g_delta,
        bounds_func=_bounds_delta, units={"u0": "", "u_ex": "", "u_R": ""}),
}


def get_mechanism(name: str | Mechanism) -> Mechanism:
    """The :class:`Mechanism` called ``name`` (ValueError listing the known ones)."""
    if isinstance(name, Mechanism):
        return name
    try:
        return MECHANISMS[name]
    except KeyError:
        raise ValueError(f"unknown thickness model {name!r}; known: "
                         f"{', '.join(MECHANISMS)}") from None


# ----------------------------------------------------------------------------- G of a fit

def _mech(problem) -> Mechanism:
    return get_mechanism(getattr(problem, "mechanism", "drift-diffusion"))


def interface_g(problem, values: Mapping, k: int):
    """Complex G (1e13 Ohm^-1 m^-2) of interface ``k`` for result-name ``values``
    (arrays broadcast, e.g. posterior draws)."""
    mech = _mech(problem)
    names = problem.interface_params[k]
    vals = {p: np.asarray(values[n], float) for p, n in names.items()}
    return mech.g_mix(vals, problem.options)


def _g_jacobian(problem, values: Mapping, k: int, free: Sequence[str]):
    """d(Re G, Im G)/d(free parameter) of interface ``k`` by central differences."""
    names = problem.interface_params[k]
    lo_hi = problem.bounds
    g0 = complex(np.asarray(interface_g(problem, values, k)).ravel()[0])
    jac = {}
    for n in free:
        if n not in names.values():
            continue
        v = float(values[n])
        lo, hi = lo_hi.get(n, (-math.inf, math.inf))
        h = 1e-5 * max(abs(v), 1e-2 * (hi - lo) if math.isfinite(hi - lo) else 1.0, 1e-6)
        a, b = min(v + h, hi), max(v - h, lo)
        ga = complex(np.asarray(interface_g(problem, {**values, n: a}, k)).ravel()[0])
        gb = complex(np.asarray(interface_g(problem, {**values, n: b}, k)).ravel()[0])
        jac[n] = (ga - gb) / (a - b)
    return g0, jac


def derived_g_lsq(problem, lsq, k: int, scale: float = 1.0):
    """Re G and Im G of interface ``k`` from a least-squares fit, with correlations.

    G is linearised in the fitted microscopic parameters (central differences), so the
    returned ``uncertainties`` values are correlated with every fitted parameter through the
    covariance matrix of the fit.

    Parameters
    ----------
    problem : ThicknessProblem
    lsq : FitResult
    k : int
        Interface index.
    scale : float
        Factor on the standard errors (the Birge ratio of the fit).

    Returns
    -------
    re, im : uncertainties values
        In 1e13 Ohm^-1 m^-2 (floats when the fit has no covariance).
    corr : float or None
        Correlation of Re G and Im G.
    """
    values = lsq.values
    g0, jac = _g_jacobian(problem, values, k, lsq.varied)
    params = lsq.params
    if lsq.covar is None or not jac:
        return g0.real, g0.imag, None
    re = g0.real + sum(d.real * (params[n] - values[n]) * scale for n, d in jac.items())
    im = g0.imag + sum(d.imag * (params[n] - values[n]) * scale for n, d in jac.items())
    from uncertainties import correlation_matrix

    try:
        corr = float(correlation_matrix([re, im])[0, 1])
    except (ValueError, ZeroDivisionError):
        corr = None
    if corr is not None and not math.isfinite(corr):
        corr = None
    return re, im, corr


def g_from_samples(problem, samples: Mapping, k: int, chunk: int = 4096):
    """Complex G (1e13 Ohm^-1 m^-2) of interface ``k`` for every posterior draw."""
    names = problem.interface_params[k]
    n = len(next(iter(samples.values())))
    out = np.empty(n, complex)
    for s in range(0, n, chunk):
        vals = {nm: np.asarray(samples[nm][s:s + chunk], float) for nm in names.values()}
        out[s:s + chunk] = np.broadcast_to(interface_g(problem, vals, k), (min(chunk, n - s),))
    return out


def derived_g_posterior(problem, post, k: int):
    """Posterior summaries of Re G and Im G of interface ``k`` (``sotfit.bayes.summarize``
    dicts in 1e13 Ohm^-1 m^-2) and their posterior correlation."""
    from ..bayes import summarize

    g = g_from_samples(problem, post.samples, k)
    corr = float(np.corrcoef(g.real, g.imag)[0, 1]) if g.size > 2 else None
    if corr is not None and not math.isfinite(corr):
        corr = None
    return summarize(g.real, G_UNIT), summarize(g.imag, G_UNIT), corr


# ----------------------------------------------------------------------------- profile

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
    from .thickness import parameter_states

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
    from .thickness import parameter_states

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


def _regions(plane: ProfilePlane, level: float):
    """Separate pieces of ``delta_chi2 < level``: labelled per sign of a
    symmetric-logarithmic axis (never joined across zero) after a one-cell dilation (pieces
    of one narrow valley that a grid cuts apart stay one)."""
    from scipy import ndimage

    inside = plane.delta_chi2 < level
    split = plane.b.min() < 0 < plane.b.max()
    halves = [(plane.b < 0), (plane.b > 0)] if split else [np.ones(plane.b.size, bool)]
    pieces = []
    for cols in halves:
        m = inside[:, cols]
        if not m.any():
            continue
        grown = ndimage.binary_dilation(m, structure=np.ones((3, 3)))
        lab, n = ndimage.label(grown, structure=np.ones((3, 3)))
        for r in range(1, n + 1):
            piece = np.zeros_like(inside)
            sub = np.zeros_like(m)
            sub[(lab == r) & m] = True
            piece[:, cols] = sub
            if piece.any():
                pieces.append(piece)
    return inside, pieces


#: A 68 % profile region longer than this many times the width the least-squares errors give
#: it (2 x 1.515 sigma: the projection of the joint 68 % ellipse) is a valley, not an ellipse.
VALLEY_FACTOR = 3.0


def identifiability(plane: ProfilePlane, errors: Sequence | None = None) -> dict:
    """Whether the data separate the two microscopic parameters, from the profile.

    Verdicts:

    * ``identified``: one closed 68 % region inside the allowed range;
    * ``ridge``: the 68 % region reaches the edge of the allowed range (or the smallest
      magnitude of a logarithmic axis), or is a curved valley more than
      :data:`VALLEY_FACTOR` times longer than the least-squares errors (``errors``) say: the
      data fix a combination of the two parameters (in practice G), not both;
    * ``several optima``: the 68 % region falls apart into separate pieces, e.g. the mirror
      images J -> -J (``G(-J) = G(J)^*``) when only DL data constrain the interface.

    Parameters
    ----------
    plane : ProfilePlane
    errors : (float, float), optional
        Least-squares standard errors of the two parameters (same units as the axes).

    Returns
    -------
    dict
        JSON-ready: ``verdict``, ``explanation``, ``regions_68`` (number of separate
        pieces), ``range_68`` and ``range_95`` (per parameter, summary names, [lo, hi] over
        the region), ``touches_edge``, ``length_over_errors`` (per parameter, the range of
        the piece holding the best point over 3.03 least-squares errors), ``optima`` (the
        best point of each piece), ``g_interval_68`` (profile-likelihood 68 % intervals of
        Re G and Im G), ``grid`` (sizes) and ``delta_chi2_levels``.
    """
    d = plane.delta_chi2
    inside, pieces = _regions(plane, DELTA_CHI2_68)
    nreg = len(pieces)
    edge = np.zeros_like(inside)
    lo_a, hi_a, lo_b, hi_b = plane.edges
    edge[0, :] |= lo_a
    edge[-1, :] |= hi_a
    edge[:, 0] |= lo_b
    edge[:, -1] |= hi_b
    if plane.b.min() < 0 < plane.b.max() or (plane.coarse is not None and
                                             plane.coarse.b.min() < 0 < plane.coarse.b.max()):
        # the smallest magnitude of a symmetric-logarithmic axis is an edge too
        small = np.abs(plane.b) <= np.min(np.abs(plane.coarse.b if plane.coarse is not None
                                                 else plane.b)) * (1 + 1e-12)
        edge[:, small] = True
    touches = bool(np.any(inside & edge))

    def rng(mask):
        if not mask.any():
            return {s: None for s in plane.stable}
        ia, ib = np.nonzero(mask)
        return {plane.stable[0]: [float(plane.a[ia].min()), float(plane.a[ia].max())],
                plane.stable[1]: [float(plane.b[ib].min()), float(plane.b[ib].max())]}

    ratios = {}
    if errors is not None and pieces:
        # the length of the piece holding the best point (not of separate optima together)
        main = min(pieces, key=lambda m: float(np.min(np.where(m, d, np.inf))))
        r68 = rng(main)
        for name, err in zip(plane.stable, errors):
            if err is not None and math.isfinite(err) and err > 0:
                ratios[name] = float((r68[name][1] - r68[name][0]) / (2 * 1.515 * err))
    valley = [n for n, r in ratios.items() if r > VALLEY_FACTOR]
    if nreg == 0:
        verdict = "identified"
        why = ("the 68 % region is smaller than the grid spacing: the two parameters are "
               "determined (the least-squares errors describe them)")
    elif touches or valley:
        verdict = "ridge"
        if touches:
            why = (f"the 68 % region runs into the edge of the allowed range of "
                   f"({plane.stable[0]}, {plane.stable[1]}): the data fix a combination of the "
                   "two (in practice G), not both; their least-squares errors are not meaningful")
        else:
            why = (f"the 68 % region is a curved valley {max(ratios[n] for n in valley):.1f} "
                   f"times longer in {', '.join(valley)} than the least-squares errors say: the "
                   "data fix a combination of the two parameters (in practice G); range_68 and "
                   "range_95, not the least-squares errors, describe them")
        if nreg > 1:
            why += (f" (the region shows as {nreg} pieces: a valley thinner than the grid in "
                    "places, or separate optima along it)")
    elif nreg > 1:
        verdict = "several optima"
        why = (f"the 68 % region (Delta chi^2 < {DELTA_CHI2_68:.2f}) has {nreg} separate "
               f"pieces in the ({plane.stable[0]}, {plane.stable[1]}) plane: the data allow "
               "several microscopic explanations")
    else:
        verdict = "identified"
        why = "one closed 68 % region inside the allowed range"
    if nreg > 1:
        signs = {float(np.sign(plane.b[np.nonzero(p)[1]]).mean()) for p in pieces}
        if {-1.0, 1.0} <= signs:
            why += (f"; both signs of {plane.stable[1]} fit: G(-J) = G(J)^*, and data that do "
                    "not fix the sign of Im G (e.g. DL data alone) cannot fix its sign")
    out = {"verdict": verdict, "explanation": why, "regions_68": int(nreg),
           "touches_edge": touches, "length_over_errors": ratios, "range_68": rng(inside),
           "range_95": rng(d < DELTA_CHI2_95),
           "best": dict(zip(plane.stable, plane.best)),
           "units": dict(zip(plane.stable, plane.units)),
           "grid": [int(plane.a.size), int(plane.b.size)],
           "delta_chi2_levels": [DELTA_CHI2_68, DELTA_CHI2_95],
           "profiled": ["spin_hall_conductivity", "spin_diffusion_length"],
           "held_at_fit": "other interfaces, calibration factors, g_sf"}
    gi = _g_interval(plane)
    if gi is not None:
        out["g_interval_68"] = gi
    if nreg > 1:
        out["optima"] = []
        for p in pieces:
            sub = np.where(p, d, np.inf)
            i, j = np.unravel_index(int(np.argmin(sub)), d.shape)
            out["optima"].append({plane.stable[0]: float(plane.a[i]),
                                  plane.stable[1]: float(plane.b[j]),
                                  "delta_chi2": float(d[i, j])})
        out["optima"].sort(key=lambda o: o["delta_chi2"])
    return out


def _g_interval(plane: ProfilePlane):
    """Profile-likelihood 68 % intervals of Re G and Im G (1e13 Ohm^-1 m^-2): their range
    over Delta chi^2 < 1 of the plane (and of the grid over the whole range)."""
    vals = []
    for pl in (plane, plane.coarse):
        if pl is None:
            continue
        m = pl.delta_chi2 < 1.0
        if m.any():
            vals.append(pl.g[m])
    if not vals:
        return None
    g = np.concatenate(vals)
    return {"re_g_mix": [float(g.real.min()), float(g.real.max())],
            "im_g_mix": [float(g.imag.min()), float(g.imag.max())], "unit": G_UNIT,
            "delta_chi2": 1.0}


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
