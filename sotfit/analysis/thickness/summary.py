"""The JSON-ready summary of a thickness fit (:func:`summary_dict`), with its sanity flags."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ...results import quantity_dict
from ...stats import birge_ratio
from ..microscopic import get_mechanism
from .calibration import CALIBRATION_BOUNDS, describe_prior
from .least_squares import _extra_free, _plane_fixed_names, data_chisqr, interface_profiles
from .parameters import model_param
from .posterior import DEFAULT_RE_G_PRIOR
from .problem import BOUND_RTOL, NONNEGATIVE, STABLE_UNITS, ThicknessProblem

__all__ = ["summary_dict", "birge_ratio", "SIGN_CONVENTION"]

#: The signs of the fit (``summary.json["sign_convention"]``): which sign of the field-like
#: efficiency goes with which sign of Im G (seed 003 eq. (2) with its minus sign).
SIGN_CONVENTION = (
    "xi^E_DL - i xi^E_FL = (2e/hbar) sigma_s [1 - sech(t/lambda_s)] g / (g + tanh(t/lambda_s)), "
    "g = 2 lambda_s rho G (seed 003 eqs. (1)-(2), docs/thickness.md): with sigma_s > 0 a "
    "positive Im G gives a negative field-like efficiency xi_FL (xi^E_FL) and a negative Im G a "
    "positive one, and Re G > 0 a positive xi_DL; xi_DL and xi_FL are taken with the signs of "
    "the tables or summaries read (docs/CONVENTIONS.md: mu0 H_DL along m x sigma, mu0 H_FL "
    "along sigma, sigma = +y for a current along +x), so the sign of Im G is that of -xi_FL")

_MCMC_KEYS = ("nwalkers", "nsteps", "burn", "thin", "seed", "nsamples", "acceptance_fraction",
              "autocorr_time", "converged", "message", "diagnostics", "priors", "aic", "bic",
              "waic", "p_waic", "max_log_likelihood")


def summary_dict(problem: ThicknessProblem, lsq, post=None, *,
                 bounds: Mapping | None = None, profiles: Sequence | None = None) -> dict:
    """JSON-ready summary under the stable names, with the sanity flags of :mod:`sotfit.flags`.

    Top level: ``spin_diffusion_length``, ``spin_hall_conductivity``, ``resistivity`` and the
    ``re_g_mix``/``im_g_mix`` of the first interface; ``interfaces`` lists every interface
    by label. Each value is ``{"value","stderr","unit"}`` (plus ``p16``, ``p50``, ``p84``
    from MCMC, whose median is then the value).

    With a microscopic mechanism every interface holds its parameters (``delta_t``,
    ``exchange`` in eV; ``u0``, ``u_ex``, ``u_R``), the derived ``re_g_mix`` and
    ``im_g_mix`` (same keys and units as drift-diffusion; linearised with the covariance of
    the fit, or from the posterior draws), their ``correlations`` and an
    ``identifiability`` verdict from the profile chi-square
    (:func:`sotfit.analysis.microscopic.identifiability`); parameters that the data do not
    separate are flagged. The top level holds ``model_options``. Fits of several methods
    hold ``calibration`` (one factor per method and the ratios to the reference).

    Least-squares standard errors are multiplied by :func:`birge_ratio` when the reduced
    chi-square exceeds 1 (``least_squares.birge_ratio``; a note says so). Flags
    (``"flags"`` of a quantity): a reduced chi-square above
    :data:`sotfit.flags.REDCHI_LIMIT`, a fit that did not converge, a parameter at a bound,
    a least-squares error larger than the value of sigma_s or Re G
    (:data:`RELATIVE_ERROR_CHECKED`), Im G held at 0 (no ``joint``) against the interface's
    own unused FL data, a negative spin diffusion length, Re G, g_sf or resistivity, a
    linearised error the chi-square profile of G contradicts (:func:`_not_quadratic`), the
    other component of a G at its bound, and a chain that did not converge, that stays in one
    mode of several, or whose prior excludes least-squares points as good as the optimum
    (:func:`_posterior_misses_optima`). :func:`sotfit.flags.collect_flags` adds non-finite values
    and errors.

    Parameters
    ----------
    problem : ThicknessProblem
    lsq : FitResult
        The least-squares fit (:func:`fit_thickness`).
    post : PosteriorResult, optional
        The posterior (:func:`sample_thickness`); its medians become the values.
    bounds : mapping, optional
        The ``bounds`` given to :func:`fit_thickness`, if any (for the at-a-bound check).
    profiles : sequence of ProfilePlane, optional
        :func:`interface_profiles` of the fit (computed when needed and not given).
    """
    mech = get_mechanism(problem.mechanism)
    best = post if post is not None else lsq
    scale = birge_ratio(lsq)
    esc = 1.0 if post is not None else scale
    out = _header(problem, mech, post)
    main = []  # (summary quantity, result name)
    derived = []  # (summary quantity, kind, interface index)
    for k in ("spin_diffusion_length", "spin_hall_conductivity", "resistivity", "g_sf"):
        if k in best.params:
            out[k] = _entry(best, k, STABLE_UNITS[k], post, esc)
            main.append((out[k], k))
    if mech.microscopic and profiles is None:
        profiles = interface_profiles(problem, lsq)
    interfaces = {}
    for k, (lab, names) in enumerate(zip(problem.interface_labels, problem.interface_params)):
        e = {}
        for p, n in names.items():
            unit = STABLE_UNITS.get(p, mech.units.get(p, ""))
            e[mech.stable(p)] = _entry(best, n, unit, post, esc)
            main.append((e[mech.stable(p)], n))
        if not mech.microscopic:
            e["im_g_mix_fixed"] = names["im_g_mix"] in problem.fixed
        else:
            _microscopic_entry(e, problem, k, lsq, post, scale, profiles, derived)
            command = theory_command(mech.name, e, problem.options)
            if command:
                e["theory_command"] = command
        interfaces[lab] = e
    first = next(iter(interfaces.values()))
    out["re_g_mix"], out["im_g_mix"] = first["re_g_mix"], first["im_g_mix"]
    out["interfaces"] = interfaces
    if problem.calibration:
        out["calibration"] = _calibration_summary(problem, best, post, esc, main)
    out["least_squares"] = _least_squares_block(problem, lsq, scale)
    notes = list(problem.notes)
    if problem.prior_data:
        notes.append("least squares: each calibration prior enters as one log-normal "
                     "observation of ln(factor) (chisqr and ndata include them; chisqr_data "
                     "is the data alone); the sampler uses the priors themselves")
    if post is not None:
        d = post.to_dict()
        out["mcmc"] = {k: d[k] for k in _MCMC_KEYS}
    notes.extend(_flag_summary(problem, lsq, post, main, scale,
                               {**problem.bounds, **dict(bounds or {})}, derived))
    out["notes"] = notes
    out["inputs"] = [{"label": s.label, **{k: v for k, v in s.meta.items()
                                            if isinstance(v, (str, int, float, list))}}
                     for s in problem.series]
    return out


def theory_command(mechanism: str, entry: dict, options) -> str | None:
    """The ``sotfit theory interface`` command that gives the G of an interface's fitted
    microscopic parameters (``entry``: the interface's summary entry) with the options of the
    fit, the mechanism's defaults filled in (the two commands' defaults of the delta barrier
    once differed, k_F 3/nm and theta_m 90 deg here, 10/nm and 0 deg there, and its G at the
    fit's (u0, u_ex) came out 11 times off; they are one now, ``specs.DELTA_DEFAULTS``, and the
    command still writes every option)."""
    def value(name):
        q = entry.get(name)
        return float(q["value"]) if isinstance(q, dict) and "value" in q else None

    mech = get_mechanism(mechanism)
    o = mech.options(options)
    if mech.name == "interface-delta" and None not in (value("u0"), value("u_ex")):
        u_r = value("u_R") if value("u_R") is not None else o["u_R"]
        return (f"sotfit theory interface --model delta --map u0={value('u0'):.10g},"
                f"u_ex={value('u_ex'):.10g} --u-R={u_r:.10g} --k-fermi {o['k_fermi']:g} "
                f"--theta-m {o['theta_m']:g}deg --phi-m {o['phi_m']:g}deg --out OUT")
    exchange = value("exchange") if value("exchange") is not None else value("J")
    if mech.name == "interface-barrier" and None not in (value("delta_t"), exchange):
        return (f"sotfit theory interface --model barrier --map dt={value('delta_t'):.10g},"
                f"J={exchange:.10g} --t0 {o['t0']:g}eV --fermi-energy={o['fermi_energy']:g}eV "
                f"--eps-m={o['eps_m']:g}eV --t-c={o['t_c_ratio'] * o['t0']:g}eV "
                f"--lattice-constant {o['lattice_constant']:g}nm --out OUT")
    return None


def _header(problem: ThicknessProblem, mech, post) -> dict:
    """Analysis, model, mechanism, method and the mechanism's options."""
    out = {"analysis": "thickness",
           "model": mech.title if mech.microscopic else "drift-diffusion (seed 003 eqs. (1)-(2))",
           "mechanism": mech.name,
           "method": "emcee" if post is not None else "least squares",
           "sign_convention": SIGN_CONVENTION}
    if problem.options:
        out["model_options"] = {mech.stable(k): {"value": v, "unit": mech.option_units.get(k, "")}
                                for k, v in problem.options.items()}
    return out


def _least_squares_block(problem: ThicknessProblem, lsq, scale: float) -> dict:
    """The least-squares fit: goodness of fit, Birge ratio and parameters (errors scaled).

    A parameter tied to another (the FL dataset's copy of an interface's G, ``re_g_mix_1``
    following ``re_g_mix_0``) has ``"tied_to"`` naming it (its value and error are that
    parameter's; its own ``stderr`` stays null); one held fixed has ``"fixed": true``."""
    params = lsq.to_dict()["parameters"]
    for q in params.values():
        if q["stderr"] is not None:
            q["stderr"] *= scale
    for n, q in params.items():          # a null stderr: say why (tied copy or held fixed)
        if n in problem.exprs:
            q["tied_to"] = problem.exprs[n]
        elif q["stderr"] is None and n not in lsq.varied:
            q["fixed"] = True
    block = {"chisqr": lsq.chisqr, "redchi": lsq.redchi, "ndata": lsq.ndata,
             "nvarys": lsq.nvarys, "success": bool(lsq.success),
             "message": lsq.message, "birge_ratio": scale,
             "stderr_scaled_by_birge_ratio": scale > 1.0,
             "parameters": params}
    if problem.prior_data:
        block["chisqr_data"] = data_chisqr(problem, lsq)
        block["calibration_prior_observations"] = len(problem.prior_data)
    return block


def _microscopic_entry(e: dict, problem: ThicknessProblem, k: int, lsq, post, scale: float,
                       profiles, derived: list) -> None:
    """Add to the entry ``e`` of interface ``k`` of a microscopic fit: fixed marks, the derived
    G (``derived`` gets its quantities), the correlations and the identifiability verdict."""
    mech = get_mechanism(problem.mechanism)
    names = problem.interface_params[k]
    best = post if post is not None else lsq
    for p, n in names.items():
        if n in problem.fixed or p in problem.fixed:
            e[mech.stable(p)]["fixed"] = True
    corr = _derived_g_entries(e, problem, k, lsq, post, scale, derived)
    pa, pb = (names[p] for p in mech.plane)
    cm = best.correlation()
    corr_ab = None
    if cm is not None and pa in best.varied and pb in best.varied:
        ia, ib = best.varied.index(pa), best.varied.index(pb)
        corr_ab = float(cm[ia, ib]) if math.isfinite(cm[ia, ib]) else None
    e["correlations"] = {"re_g_mix, im_g_mix": corr,
                         f"{mech.stable(mech.plane[0])}, {mech.stable(mech.plane[1])}": corr_ab}
    _identifiability_entry(e, problem, k, post, scale, profiles)


def _derived_g_entries(e: dict, problem: ThicknessProblem, k: int, lsq, post, scale: float,
                       derived: list):
    """Re G and Im G of interface ``k`` derived from its microscopic parameters (linearised
    with the fit's covariance, errors times ``scale``, or from the posterior draws), added to
    ``e`` and to ``derived``; returns their correlation."""
    from ..microscopic import G_UNIT, derived_g_lsq, derived_g_posterior

    mech = get_mechanism(problem.mechanism)
    names = problem.interface_params[k]
    if post is not None:
        re, im, corr = derived_g_posterior(problem, post, k)
    else:
        re_u, im_u, corr = derived_g_lsq(problem, lsq, k, scale)
        re, im = quantity_dict(re_u, G_UNIT), quantity_dict(im_u, G_UNIT)
    src = [mech.stable(p) for p, n in names.items()
           if n not in problem.fixed and p not in problem.fixed]
    for key, q in (("re_g_mix", re), ("im_g_mix", im)):
        q["derived_from"] = src
        e[key] = q
        derived.append((q, key, k))
    return corr


def _identifiability_entry(e: dict, problem: ThicknessProblem, k: int, post, scale: float,
                           profiles) -> None:
    """The identifiability verdict of interface ``k`` (``e["identifiability"]``), with flags
    on the parameters the data do not separate and, for least squares along a ridge, the
    profile interval of G as its error."""
    from ...flags import add_flag
    from ..microscopic import identifiability

    mech = get_mechanism(problem.mechanism)
    names = problem.interface_params[k]
    extra = [mech.stable(p) for p in _extra_free(problem, k)]
    if _plane_fixed_names(problem, k):
        ident = {"verdict": "not assessed", "explanation": (
            "one of " + " and ".join(mech.stable(p) for p in mech.plane)
            + " is held fixed: there is no plane to profile")}
    elif extra:
        ident = {"verdict": "ridge", "explanation": (
            f"{', '.join(extra)} is free too: {len(extra) + 2} microscopic parameters "
            "for one complex G cannot all be determined by a thickness series (not "
            "profiled); fix " + ", ".join(extra) + " or give it a prior with --mcmc")}
        if post is None:
            for key in ("re_g_mix", "im_g_mix"):
                add_flag(e[key], "linearised error over more parameters than G has "
                                 "components: not meaningful")
    else:
        errs = None if post is not None else tuple(e[mech.stable(p)]["stderr"]
                                                   for p in mech.plane)
        ident = identifiability(profiles[k], errs)
    e["identifiability"] = ident
    if ident["verdict"] in ("identified", "not assessed"):
        return
    why = f"not identifiable from these data ({ident['verdict']}): {ident['explanation']}"
    for p, n in names.items():
        if n not in problem.fixed and p not in problem.fixed and p in mech.plane:
            add_flag(e[mech.stable(p)], why)
    gi = ident.get("g_interval_68")
    if post is None and gi is not None:
        # linearised errors fail along a ridge: the profile interval of G instead
        for key in ("re_g_mix", "im_g_mix"):
            lo, hi = gi[key]
            e[key]["stderr_linearised"] = e[key]["stderr"]
            e[key]["stderr"] = 0.5 * (hi - lo) * scale
            e[key]["profile_interval_68"] = [lo, hi]
            e[key]["stderr_from"] = ("half the profile-likelihood 68 % interval "
                                     "(Delta chi^2 < 1 over the plane of "
                                     + " and ".join(mech.stable(p) for p in mech.plane)
                                     + "): the linearised error fails off a "
                                     "single closed optimum")


def _entry(result, name, unit, post=None, scale: float = 1.0):
    if post is not None:
        p16, p50, p84 = post.percentiles[name]
        d = quantity_dict(post[name], unit)
        d.update({"p16": p16, "p50": p50, "p84": p84})
        return d
    d = quantity_dict(result[name], unit)
    if d["stderr"] is not None:
        d["stderr"] *= scale
    return d


def _calibration_summary(problem: ThicknessProblem, best, post, esc, main) -> dict:
    """Calibration factor per method, and each factor over the reference's."""
    out = {}
    ref = next((m for m, c in problem.calibration.items() if c["state"] == "reference"),
               next(iter(problem.calibration)))
    for m, c in problem.calibration.items():
        q = _entry(best, c["name"], "", post, esc)
        q["state"] = c["state"]
        q["prior"] = describe_prior(c["prior"]) if c["prior"] is not None else (
            "fixed at 1 (reference)" if c["state"] == "reference" else
            "flat on [%g, %g]" % CALIBRATION_BOUNDS)
        out[m] = q
        if c["state"] != "reference":
            main.append((q, c["name"]))
    ratios = {}
    rn = problem.calibration[ref]["name"]
    for m, c in problem.calibration.items():
        if m == ref:
            continue
        if post is not None:
            from ...bayes import summarize

            ratios[f"{m}/{ref}"] = summarize(post.samples[c["name"]] / post.samples[rn], "")
        else:
            r = best[c["name"]] / best[rn]
            q = quantity_dict(r, "")
            if q["stderr"] is not None:
                q["stderr"] *= esc
            ratios[f"{m}/{ref}"] = q
    out["ratios"] = ratios
    out["reference"] = ref
    out["definition"] = ("measured efficiency = factor x true efficiency, per method; a ratio "
                         "is the factor of one method over the reference's")
    return out


#: Parameters whose least-squares standard error may not exceed the value: wherever the data
#: show a torque, sigma_s sets its size and Re G > 0 lets it reach the ferromagnet (with a
#: small reduced conductance g the data fix only their product).
RELATIVE_ERROR_CHECKED = ("spin_hall_conductivity", "re_g_mix")


def _unused_fl_contradictions(problem: ThicknessProblem) -> list[tuple[str, float, int]]:
    """``(label, reduced chi-square, points)`` of the interfaces whose Im G the fit holds at 0
    (drift-diffusion without ``joint``) while their own field-like data, not used, say
    otherwise: a reduced chi-square of xi^E_FL against 0 above :data:`sotfit.flags.REDCHI_LIMIT`
    (with Im G = 0 the drift-diffusion xi^E_FL of seed 003, eq. (2),
    :func:`sotfit.models.drift_diffusion.xi_e_fl`, vanishes at every thickness:
    tests/test_drift_diffusion.py).

    The transparency form then misses the interface, and the shared sigma_s and lambda_s of
    every interface are biased with it (no other gate sees it: the DL data alone can be fitted
    well enough).
    """
    from ...flags import REDCHI_LIMIT

    if problem.joint or problem.mechanism != "drift-diffusion":
        return []
    out = []
    for k, (lab, names) in enumerate(zip(problem.interface_labels, problem.interface_params)):
        if problem.fixed.get(names["im_g_mix"]) != 0.0:
            continue
        fl = [s.fl for i, s in enumerate(problem.series)
              if problem.series_interface[i] == k and s.fl is not None]
        if not fl:
            continue
        z = np.concatenate([np.asarray(d.y, float) / np.asarray(d.yerr, float) for d in fl])
        r = float(np.mean(z ** 2))
        if r > REDCHI_LIMIT:
            out.append((lab, r, int(z.size)))
    return out


#: The share of the prior's range next to a bound, and the share of the draws in it above which
#: the posterior is cut by that bound: three times what a posterior flat over the range puts there.
PRIOR_EDGE, PRIOR_EDGE_DRAWS = 0.02, 0.06


def _cut_by_prior(post, lsq, name: str, model_bounds, unit: str, model_name: str) -> str | None:
    """Why the posterior of ``name`` is set by a bound of its prior rather than by the data, or
    None: more than :data:`PRIOR_EDGE_DRAWS` of the draws lie within :data:`PRIOR_EDGE` of the
    prior's range from a bound that is not the model's own (Re G >= 0 is physics; the default
    Re G <= 20e13 is a Sharvin conductance of BiSb), and the least-squares value lies within one
    standard error of that bound or beyond it. A Pt series (Re G = 60e13) sampled under the
    default prior gave Re G = 19.0 +- 1.0, sigma_s 12 and lambda_s 7 standard deviations from
    the planted values, with a converged chain and no flag.

    Also when the least-squares value lies beyond such a bound, wherever the draws are: a noisy
    Pt series (least squares Re G = 240 +- 310) went to a mode of Re G 10 and Im G 840 with
    sigma_s 1.27 +- 0.02 for 4.0, the draws nowhere near the bound, a converged chain and no
    flag."""
    from ...priors import PriorError, parse

    draws = post.samples.get(name) if name in post.varied else None
    text = post.priors.get(name)
    if draws is None or not text:
        return None
    try:
        lo, hi = (float(b) for b in parse(text).support())
    except (PriorError, TypeError, ValueError):
        return None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    edge = PRIOR_EDGE * (hi - lo)
    best, err = lsq.value(name), lsq.stderr(name)
    for bound, side, near, beyond in (
            (hi, "upper", draws >= hi - edge, best + err >= hi),
            (lo, "lower", draws <= lo + edge, best - err <= lo)):
        if np.isclose(bound, model_bounds[side == "upper"], rtol=1e-12, atol=1e-12):
            continue
        outside = best > hi if side == "upper" else best < lo
        if (np.mean(near) > PRIOR_EDGE_DRAWS and beyond) or outside:
            wider = (f"{lo:g}, {hi + 9 * (hi - lo):g}" if side == "upper"
                     else f"{lo - 9 * (hi - lo):g}, {hi:g}")
            if outside and side == "upper" and best > hi + 9 * (hi - lo):
                wider = f"{lo:g}, {10 * best:.3g}"
            default = (" (the default: a Sharvin conductance of BiSb, docs/thickness.md)"
                       if model_name == "re_g_mix" and text == DEFAULT_RE_G_PRIOR else "")
            where = (f"least squares gives {best:.4g} +/- {err:.2g}, beyond it: the prior "
                     "excludes the data's best value, and the chain goes where the prior lets it"
                     if outside else
                     f"{np.mean(near):.0%} of the draws within {PRIOR_EDGE:.0%} of the range "
                     f"from it, where least squares gives {best:.4g} +/- {err:.2g}")
            return (f"the posterior of {model_name} is cut by the {side} bound {bound:g} {unit} "
                    f"of its prior {text}{default} ({where}): the prior, not the data, sets it "
                    "and every parameter correlated with it; widen the prior (e.g. --prior "
                    f"\"{model_name}=uniform({wider})\")")
    return None


#: Above this ratio of a parameter's posterior spread to its flat prior's, the data have hardly
#: narrowed it (a posterior that fills the prior has ratio 1): the prior sets it.
PRIOR_SPREAD_SHARE = 0.5


def _set_by_prior(post, lsq, name: str, unit: str, model_name: str,
                  followers=()) -> str | None:
    """Why the posterior of ``name`` is its flat prior rather than the data's, or None: under a
    uniform (or log-uniform) prior its standard deviation (of the logarithm, for log-uniform) is
    above :data:`PRIOR_SPREAD_SHARE` of the prior's own. A Pt-like series with damping-like
    data only (Re G = 40, where the transparency no longer depends on G) gave sigma_s 1.45
    [1.40, 1.62] under uniform(0, 2000) and 2.05 [1.83, 2.67] under uniform(0, 200) for a planted
    3.33, both chains converged, no flag: Re G filled either prior, and sigma_s, correlated with
    it, followed the prior chosen. ``followers`` names the parameters whose draws correlate
    with it (:func:`_correlated`), flagged with it: the text names them (it said "every
    parameter correlated with it ... flagged with it" where none was)."""
    from ...priors import PriorError, parse

    draws = post.samples.get(name) if name in post.varied else None
    text = post.priors.get(name)
    if draws is None or not text:
        return None
    try:
        prior = parse(text)
    except (PriorError, TypeError, ValueError):
        return None
    kind = text.strip().split("(")[0].strip().lower()
    draws = np.asarray(draws, float)
    if kind == "uniform":
        lo, hi = (float(b) for b in prior.support())
        spread_post, spread_prior = float(np.std(draws)), (hi - lo) / math.sqrt(12.0)
        what = "standard deviation"
    elif kind == "loguniform" and np.all(draws > 0):
        lo, hi = (float(b) for b in prior.support())
        spread_post = float(np.std(np.log(draws)))
        spread_prior = (math.log(hi) - math.log(lo)) / math.sqrt(12.0)
        what = "standard deviation of the logarithm"
    else:
        return None
    if not (math.isfinite(spread_prior) and spread_prior > 0):
        return None
    share = spread_post / spread_prior
    if share <= PRIOR_SPREAD_SHARE:
        return None
    best, err = lsq.value(name), lsq.stderr(name)
    return (f"the data hardly constrain {model_name}: its posterior spreads over {share:.0%} of "
            f"its prior {text} ({what} {spread_post:.3g} against the prior's {spread_prior:.3g}"
            f"{'' if what.endswith('logarithm') else ' ' + unit}; least squares "
            f"{best:.4g} +/- {err:.2g}): the prior, not the data, sets it"
            + (f" and the parameters whose draws correlate with it ({', '.join(followers)}; "
               "another prior moves them; they are flagged with it)" if followers else
               " (no other parameter's draws correlate with it beyond "
               f"{PRIOR_FOLLOW_CORRELATION:g})")
            + "; fix it from another measurement (--fix) or add data that constrain it "
            "(field-like torques, more thicknesses)")


def _same_interface_g(problem: ThicknessProblem, a: str, b: str) -> bool:
    """Whether result names ``a`` and ``b`` are the Re G and Im G of one interface."""
    return any(a in g.values() and b in g.values() for g in problem.g_names)


#: A least-squares point (a profile point of G, :func:`limit_fits`, or another optimum) that
#: moves a parameter more than this factor times sqrt(max(Delta chi^2, 1)) of its standard
#: errors shows its linearised error too small: at a quadratic minimum a point with a rise
#: Delta chi^2 moves no parameter by more than sqrt(Delta chi^2) standard errors (the
#: profile, minimised over the others, rises exactly so). Over 30 noise seeds of a BiSb-like
#: series with DL and FL data (g = 0.8 + 0.2i, G well constrained but its profile skewed) the
#: largest factor was 3.7 (Im G); the Pt-like series (g = 1.35 + 0.18i at 5 % errors) whose
#: unflagged Im G lay up to 12.7 standard errors from the truth reached 10 to 400
#: (docs/thickness.md, "Error bars where the data bound G from one side").
REACH_FACTOR = 4.0
#: Only points with Delta chi^2 (over the squared Birge ratio) up to this count: beyond it
#: the data exclude the point at 3 sigma whatever the shape.
REACH_CHI2 = 9.0


def _reach_points(lsq) -> list[dict]:
    """The profile points of G and the other optima of a least-squares fit
    (:func:`fit_thickness` keeps them in ``lsq.meta``)."""
    meta = getattr(lsq, "meta", {}) or {}
    return list(meta.get("limit_fits", ())) + list(meta.get("local_optima", ()))[1:]


def _not_quadratic(problem: ThicknessProblem, lsq, name: str, scale: float) -> str | None:
    """Why the linearised standard error of ``name`` cannot be trusted, or None: a least-squares
    point of :func:`_reach_points` within :data:`REACH_CHI2` of the optimum moves it more than
    :data:`REACH_FACTOR` sqrt(max(Delta chi^2, 1)) standard errors (errors and Delta chi^2 with
    the Birge ratio ``scale``). A Pt-like series (g = 1.35 + 0.18i, 5 % errors) gave Im G
    1.44 +/- 1.67 for 20 and Re G 22 +/- 22 for 150, unflagged: Re G held at 3 x its value
    raised the chi-square by 6, with Im G 33 standard errors up."""
    try:
        err = float(lsq.stderr(name)) * scale
        v0 = float(lsq.value(name))
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(err) and err > 0):
        return None
    worst = None
    for c in _reach_points(lsq):
        d = c["delta_chisqr"] / scale ** 2
        x = c["values"].get(name)
        if x is None or not math.isfinite(d) or d > REACH_CHI2:
            continue
        k = abs(x - v0) / err
        f = k / max(math.sqrt(max(d, 0.0)), 1.0)
        # the most telling witness: the smallest rise among the points that show it
        if f > REACH_FACTOR and (worst is None or d < worst[2]):
            worst = (f, k, d, x, c)
    if worst is None:
        return None
    f, k, d, x, c = worst
    if "held" in c:
        held = model_param(problem, c["held"]).name
        where = (f"least squares with {held} held at {c['values'][c['held']]:.4g} (reduced "
                 f"conductance {abs(c['reduced_conductance']):.3g})")
    else:
        where = "another least-squares optimum"
    what = model_param(problem, name).name
    return (f"linearised standard error not meaningful: {where} has a chi-square only "
            f"{max(d, 0.0):.2g} above the optimum's, yet puts {what} at {x:.4g}, {k:.1f} "
            f"standard errors away (a quadratic minimum allows at most "
            f"{max(math.sqrt(max(d, 0.0)), 1.0):.2g}): the data bound G from one side only, "
            "where g/(g + tanh(t/lambda_s)) saturates or only sigma_s G is seen, and the "
            "chi-square is far from quadratic over the error bar; sample the posterior "
            "(--mcmc, with a prior wide enough for G, e.g. --prior \"re_g_mix=uniform(0, "
            "1000)\"), or add thicknesses or field-like data that constrain G")


#: A least-squares point within this Delta chi^2 of the best one inside the prior support
#: holds posterior weight comparable to it (e^-2 of the density).
MODE_CHI2 = 4.0
#: A point lies outside the chain when one of its parameters is further than this many
#: half 16-84 % widths outside the range of the draws.
MODE_WIDTHS = 3.0


def _posterior_misses_optima(problem: ThicknessProblem, post, lsq, scale: float) -> list[str]:
    """Reasons why the chain does not describe the whole posterior, from the least-squares
    points of :func:`_reach_points` and the optimum itself (``delta_chisqr`` over the squared
    Birge ratio ``scale``).

    * A point beyond a bound of a prior (not the model's own bound) whose chi-square is within
      1 of the optimum's: the prior excludes values the data favour as much as their best,
      and the posterior is the prior's choice.
    * A point inside every prior's support within :data:`MODE_CHI2` of the best such point,
      outside the draws (:data:`MODE_WIDTHS`): the posterior has another mode the walkers,
      started in a small ball at the least-squares optimum, never reached. A Pt-like series
      sampled under the default prior gave sigma_s 2.02 +/- 0.05 for 3.5 and Im G 1921 for
      20 in a converged chain with only Re G flagged.
    """
    from ...priors import PriorError, parse

    points = [{"values": {n: float(lsq.value(n)) for n in lsq.varied}, "delta_chisqr": 0.0}]
    points += _reach_points(lsq)
    support = {}
    for n in post.varied:
        text = post.priors.get(n)
        try:
            support[n] = tuple(float(b) for b in parse(text).support()) if text else None
        except (PriorError, TypeError, ValueError):
            support[n] = None
    from ...bayes import parameter_bounds
    model_bounds = parameter_bounds(problem.models, lsq.param_maps, problem.bounds)
    out = []
    inside, beyond = [], []
    for c in points:
        if not all(n in c["values"] for n in post.varied):
            continue
        cut = []
        for n in post.varied:
            sup = support.get(n)
            if not sup:
                continue
            x = c["values"][n]
            mlo, mhi = model_bounds.get(n, (-math.inf, math.inf))
            if x > sup[1] and not np.isclose(sup[1], mhi, rtol=1e-12, atol=1e-12):
                cut.append((n, "upper", sup[1]))
            elif x < sup[0] and not np.isclose(sup[0], mlo, rtol=1e-12, atol=1e-12):
                cut.append((n, "lower", sup[0]))
        (beyond if cut else inside).append((c, cut))
    for c, cut in beyond:
        d = c["delta_chisqr"] / scale ** 2
        if d > 1.0 or not _outside_draws(post, c["values"], {m for m, _, _ in cut}):
            continue
        n, side, b = cut[0]
        text = post.priors.get(n)
        what = model_param(problem, n).name
        out.append(f"the prior {text} of {what} excludes values the data favour as much as "
                   f"their best: least squares with {what} = {c['values'][n]:.4g}, beyond its "
                   f"{side} bound {b:g}, has a chi-square only {max(d, 0.0):.2g} above the "
                   f"optimum's, and puts other parameters outside the posterior's range "
                   f"({_describe_point(problem, post, c['values'])}); the posterior is the "
                   f"prior's choice: widen it (e.g. --prior \"{what}=uniform(0, "
                   f"{10 * max(abs(c['values'][n]), abs(b)):.3g})\")")
        break
    if inside:
        ref = min(c["delta_chisqr"] for c, _ in inside)
        for c, _ in sorted(inside, key=lambda t: t[0]["delta_chisqr"]):
            d = (c["delta_chisqr"] - ref) / scale ** 2
            if d > MODE_CHI2:
                break
            if _outside_draws(post, c["values"]):
                out.append("the chain stays in one mode of a posterior with several: a "
                           f"least-squares point inside the priors with a chi-square "
                           f"{max(d, 0.0):.2g} above the best there lies outside the draws "
                           f"({_describe_point(problem, post, c['values'])}); the walkers "
                           "start at the least-squares optimum and never reached it, so the "
                           "percentiles describe one mode only; sample from there (--fix or "
                           "a prior that excludes the present mode) and compare, or add data "
                           "that separate the modes")
                break
    return out


def _outside_draws(post, values, exclude=()) -> bool:
    """Whether some parameter of ``values`` (but those of ``exclude``) lies
    :data:`MODE_WIDTHS` half 16-84 % widths outside the range of the posterior draws."""
    for n in post.varied:
        if n in exclude or n not in values:
            continue
        draws = np.asarray(post.samples.get(n), float)
        if draws.size < 2:
            continue
        p16, _, p84 = post.percentiles[n]
        half = 0.5 * (p84 - p16)
        lo, hi = float(np.min(draws)), float(np.max(draws))
        x = values[n]
        if half > 0 and (x < lo - MODE_WIDTHS * half or x > hi + MODE_WIDTHS * half):
            return True
    return False


def _describe_point(problem: ThicknessProblem, post, values) -> str:
    """``name value (posterior p16..p84)`` of every sampled parameter at a point."""
    parts = []
    for n in post.varied:
        if n in values:
            p16, _, p84 = post.percentiles[n]
            parts.append(f"{model_param(problem, n).name} {values[n]:.4g} against "
                         f"{p16:.4g}..{p84:.4g}")
    return "; ".join(parts)


#: Above this |correlation| of two parameters' posterior draws, a value set by its prior moves
#: the other with it (the other is flagged with it).
PRIOR_FOLLOW_CORRELATION = 0.3


def _correlated(post, a: str, b: str) -> bool:
    """Whether the posterior draws of ``a`` and ``b`` correlate beyond
    :data:`PRIOR_FOLLOW_CORRELATION`."""
    x, y = post.samples.get(a), post.samples.get(b)
    if x is None or y is None:
        return False
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.size < 3 or np.std(x) == 0 or np.std(y) == 0:
        return False
    return abs(float(np.corrcoef(x, y)[0, 1])) > PRIOR_FOLLOW_CORRELATION


#: Below this probability of a chi-square as small as the fit's, the stated errors are too large
#: for the scatter of the points.
LOW_CHI_SQUARE_P = 1e-3


def _chi_square_too_small(lsq) -> str | None:
    """A note when the least-squares chi-square is improbably small for its degrees of freedom
    (p < :data:`LOW_CHI_SQUARE_P` of one that small): the errors are then larger than the
    scatter, as standard deviations of repeats are (an ``_sd`` column read as standard errors
    made a reduced chi-square of 0.17), and every standard error of the fit is too large."""
    from scipy.stats import chi2

    dof = int(lsq.ndata) - int(lsq.nvarys)
    r = float(lsq.redchi)
    if dof < 3 or not math.isfinite(r):
        return None
    p = float(chi2.cdf(r * dof, dof))
    if p >= LOW_CHI_SQUARE_P:
        return None
    return (f"reduced chi-square {r:.3g} is improbably small for {dof} degrees of freedom "
            f"(p = {p:.1g}): the stated errors are larger than the scatter of the points, as "
            "standard deviations of repeats are (a column named _sd is read as standard "
            "errors: divide it by sqrt(n) of the repeats), and the fit's standard errors are "
            "too large with them")


def _derived_of(problem: ThicknessProblem, name: str, derived) -> list:
    """The derived G quantities of the interface whose parameter is ``name`` (``derived`` holds
    ``(quantity, kind, interface index)``, :func:`_derived_g_entries`); all of them when the
    parameter is no interface's."""
    for k, names in enumerate(problem.interface_params):
        if name in names.values():
            return [q for q, _, i in derived if i == k]
    return [q for q, _, _ in derived]


def _flag_summary(problem: ThicknessProblem, lsq, post, main, scale: float, bounds,
                  derived=()) -> list[str]:
    """Attach :mod:`sotfit.flags` reasons to the quantities of ``main`` and return notes.

    ``main`` lists ``(summary quantity, result name)``; only quantities the fit varied get
    the fit-quality flags, every one gets the physical check. ``derived`` lists
    ``(summary quantity, kind, interface index)`` of quantities computed from the fitted ones (G of a
    microscopic fit): fit-quality flags and the physical check of ``kind``.
    """
    from ...bayes import parameter_bounds
    from ...flags import REDCHI_LIMIT, add_flag, flag_mcmc, flag_redchi

    notes = []
    varied = set((post if post is not None else lsq).varied)
    fitted = [q for q, n in main if n in varied] + [q for q, _, _ in derived]
    r = float(lsq.redchi)
    bnds = parameter_bounds(problem.models, lsq.param_maps, bounds)
    at_bound = []
    for q, n in main:
        if n not in varied:
            continue
        lo, hi = bnds.get(n, (-math.inf, math.inf))
        err = q.get("stderr")
        # within BOUND_RTOL of the bound, or 1e-3 of its own error (at most 1e-3 of the range):
        # a bound of 0 was never reached by the relative test (u0 = 0.00066 +/- 5e3 of the
        # delta barrier, the model unable to give the G the data want: Im G 67 standard errors
        # off, unflagged)
        near = 1e-3 * err if err is not None and math.isfinite(err) else 0.0
        if math.isfinite(hi - lo):
            near = min(near, 1e-3 * (hi - lo))
        for b in (lo, hi):
            if math.isfinite(b) and (np.isclose(q["value"], b, rtol=BOUND_RTOL, atol=1e-8)
                                     or abs(q["value"] - b) <= near):
                at_bound.append(n)
                bound = f"{b:g} {q['unit']}".strip()
                add_flag(q, f"at its bound {bound} (the data push it against the limit of the "
                            "model; its error bar is not meaningful)")
                for other, m in main:
                    if m != n and m in varied and _same_interface_g(problem, n, m):
                        add_flag(other, f"conditional on {model_param(problem, n).name} held at "
                                        f"its bound {bound}: its error is that of a fit with "
                                        f"{model_param(problem, n).name} pinned there, not of the "
                                        "data; its error bar is not meaningful (sample the "
                                        "posterior with --mcmc)")
                for d in _derived_of(problem, n, derived):
                    add_flag(d, f"rests on {model_param(problem, n).name} at its bound "
                                f"{bound}: where the G the data want lies beyond the model's "
                                "reach, this is the nearest G it gives; compare the "
                                "drift-diffusion fit's G (--compare-models)")
        if err is not None and math.isfinite(err) and err > hi - lo:
            add_flag(q, f"standard error {err:.3g} {q['unit']} exceeds the whole range "
                        f"[{lo:g}, {hi:g}] of the parameter: the data do not determine it")
        elif (post is None and err is not None and math.isfinite(err)
              and model_param(problem, n).name in RELATIVE_ERROR_CHECKED
              and err > abs(q["value"])):
            add_flag(q, f"standard error {err:.3g} {q['unit']} exceeds the value "
                        f"{q['value']:.4g}: the value is consistent with zero and the data do "
                        "not determine it (with a small reduced conductance g they fix only "
                        "the product of sigma_s and Re G)")
    contradicted = _unused_fl_contradictions(problem)
    if contradicted:
        # the labels go to the notes: a flag's text depends on the data alone
        chi = " and ".join(f"{r:.3g} of {n} points" for _, r, n in contradicted)
        reason = (f"Im G is held at 0 (DL data only, no --joint), but field-like data not used "
                  f"contradict that (reduced chi-square of xi^E_FL against 0: {chi}; > "
                  f"{REDCHI_LIMIT:g}; the interface is named in the notes): every fitted value "
                  "is biased by the wrong model; fit with --joint")
        for q in fitted:
            add_flag(q, reason)
        notes.extend(f"{lab}: its field-like data, not used without --joint, contradict Im G = "
                     f"0 (reduced chi-square {r:.3g} > {REDCHI_LIMIT:g} of {n} xi^E_FL points "
                     "against 0); every fitted value is flagged" for lab, r, n in contradicted)
    if post is None:
        for q, n in main:
            if n in varied and n not in at_bound:
                reason = _not_quadratic(problem, lsq, n, scale)
                if reason:
                    add_flag(q, reason)
        if scale > 1.0:
            notes.append(f"reduced chi-square {r:.3g} > 1: least-squares standard errors "
                         f"multiplied by sqrt({r:.3g}) = {scale:.3g} (Birge ratio)")
        flag_redchi(fitted, r, "least-squares thickness fit")
        low = _chi_square_too_small(lsq)
        if low:
            notes.append(low)
        if not lsq.success and not at_bound:
            for q in fitted:
                add_flag(q, f"least-squares fit not reliable: {lsq.problems}")
    else:
        if math.isfinite(r) and r > REDCHI_LIMIT:
            reason = (f"least-squares reduced chi-square {r:.3g} > {REDCHI_LIMIT:g} (the model "
                      "misses the data or the errors are understated); the posterior takes the "
                      f"stated errors as exact, so its widths are too narrow by about "
                      f"sqrt({r:.3g}) = {math.sqrt(r):.3g}")
            for q in fitted:
                add_flag(q, reason)
        elif r > 1.0:
            notes.append(f"least-squares reduced chi-square {r:.3g} > 1; the posterior takes "
                         "the stated errors as exact")
        flag_mcmc(fitted, post.diagnostics, "MCMC (emcee)")
        label_of = {name: lab for lab, names in zip(problem.interface_labels,
                                                    problem.interface_params)
                    for name in names.values()} if len(problem.interface_labels) > 1 else {}
        for q, n in main:
            reason = _cut_by_prior(post, lsq, n, bnds.get(n, (-math.inf, math.inf)),
                                   q["unit"], model_param(problem, n).name)
            if reason:      # the parameters correlated with it move with it: all flagged
                for other in fitted:
                    add_flag(other, reason)
                notes.append(reason)
                continue
            what = model_param(problem, n).name + (f" of {label_of[n]}" if n in label_of else "")
            followers = [m for _, m in main if m != n and m in varied and _correlated(post, n, m)]
            reason = _set_by_prior(post, lsq, n, q["unit"], what,
                                   [model_param(problem, m).name if m not in label_of else
                                    f"{model_param(problem, m).name} of {label_of[m]}"
                                    for m in followers])
            if reason:      # it, and the values that move with it in the posterior
                for other, m in main:
                    if m == n or m in followers:
                        add_flag(other, reason)
                notes.append(reason)
        for reason in _posterior_misses_optima(problem, post, lsq, scale):
            for q in fitted:
                add_flag(q, reason)
            notes.append(reason)
    for q, kind in ([(q, model_param(problem, n).name) for q, n in main]
                    + [(q, kind) for q, kind, _ in derived]):
        what = NONNEGATIVE.get(kind)
        v = q["value"]
        if what and math.isfinite(v) and (v < 0 or (kind == "resistivity" and v == 0)):
            add_flag(q, f"{what} {v:g} {q['unit']} is unphysical (it cannot be "
                        f"{'negative' if v < 0 else 'zero'})")
    _flag_implausible(problem, main, derived)
    return notes


#: Bounds no spin source of a thickness series passes (house units), and what a value beyond
#: them is: resistivity above 2e4 uOhm cm (beta-W 300, BiSb 400, Bi2Se3 about 1000-2000,
#: compensated topological-insulator films up to about 1e4: 1.5e4 of a measured film was
#: flagged at a limit of 1e4; BiSb's 350.3 uOhm cm written as uOhm m is 3.5e4); a spin
#: diffusion length above 100 nm (Pt, Ta, W 1-10 nm, BiSb 25 nm) or below 0.3 nm, one atomic
#: layer (Pt's 0.22 nm), where drift diffusion has no meaning (a Pt series in nm headed
#: Angstrom gave 0.18 nm unflagged); |sigma_s| below 1e-3 x 1e5
#: (hbar/2e) S/m and more than 3 standard errors from 0, whose torque efficiency
#: xi = sigma_s rho no ST-FMR resolves (one consistent with zero is a light metal's, flagged
#: as undetermined).
RESISTIVITY_MAX = 2e4
SPIN_DIFFUSION_LENGTH_MAX = 100.0
SPIN_DIFFUSION_LENGTH_MIN = 0.3
SPIN_HALL_CONDUCTIVITY_MIN = 1e-3


def _implausible_reason(kind: str, value: float, stderr: float = math.nan) -> str | None:
    """Why a value of ``kind`` (house units, standard error ``stderr``) is one no spin source
    has, or None."""
    if kind == "resistivity" and value > RESISTIVITY_MAX:
        return (f"resistivity {value:.4g} uOhm cm is above {RESISTIVITY_MAX:g} uOhm cm, beyond "
                "every metal (beta-W 300, BiSb 400) and most topological-insulator films: a "
                "resistivity in uOhm m is 100 times one in uOhm cm (seed 003 prints BiSb's "
                "350.3 uOhm cm as '350.3 uOhm m'); sigma_s and G scale with it")
    if kind == "spin_diffusion_length" and value > SPIN_DIFFUSION_LENGTH_MAX:
        return (f"spin diffusion length {value:.4g} nm is beyond the "
                f"{SPIN_DIFFUSION_LENGTH_MAX:g} nm of any spin source of a thickness series "
                "(Pt, Ta, W 1-10 nm, BiSb 25 nm): thicknesses in Angstrom headed nm give 10 "
                "times the length; check the thickness unit")
    if kind == "spin_diffusion_length" and 0 < value < SPIN_DIFFUSION_LENGTH_MIN:
        return (f"spin diffusion length {value:.4g} nm is below one atomic layer "
                f"({SPIN_DIFFUSION_LENGTH_MIN:g} nm), where spin diffusion has no meaning: "
                "thicknesses in nm headed Angstrom give a tenth of the length; check the "
                "thickness unit")
    if kind == "spin_hall_conductivity" and abs(value) < SPIN_HALL_CONDUCTIVITY_MIN \
            and math.isfinite(stderr) and abs(value) > 3 * stderr:
        return (f"|spin Hall conductivity| {abs(value):.3g} x 1e5 (hbar/2e) S/m is below "
                f"{SPIN_HALL_CONDUCTIVITY_MIN:g}: a torque efficiency no ST-FMR resolves; "
                "check the unit of the xi^E columns (1e5 S/m headed S/m reads 1e5 times too "
                "small)")
    return None


#: The thinnest layer (nm) of a thickness series and its spin diffusion length (nm) at or above
#: which both are beyond a measured series': series of spin sources start at 1-6 nm (Pt, Ta,
#: W from 1-2 nm with lambda_s 1-10 nm; BiSb from 6 nm with 17-25 nm), where the torque builds
#: up. Thicknesses in Angstrom headed nm scale both by 10, and the fit, which depends on t /
#: lambda_s and lambda_s G only, is as good: 1-30 nm read as 10-300 nm gave lambda_s 60.8 nm
#: for 6 and Re G, Im G 34 and 28 standard errors off, below the 100 nm bound. The length is
#: above BiSb's (a BiSb series from 10 nm, lambda_s 25 nm, is one of a real spin source); a
#: Pt series in Angstrom headed nm (lambda_s 15 nm for 1.5) is not told from one.
THINNEST_LAYER_MAX = 10.0
SERIES_LAMBDA_MAX = 30.0


def _thick_series_reason(thinnest: float, lam) -> str | None:
    """Why a series whose thinnest layer is ``thinnest`` (nm) with spin diffusion length
    ``lam`` (nm) looks like one read in the wrong thickness unit, or None."""
    if not (isinstance(lam, (int, float)) and math.isfinite(lam) and math.isfinite(thinnest)):
        return None
    if thinnest < THINNEST_LAYER_MAX or lam < SERIES_LAMBDA_MAX:
        return None
    return (f"the thinnest spin-source layer is {thinnest:.3g} nm and lambda_s {lam:.3g} nm: "
            f"series of spin sources start at 1-6 nm, where the torque builds up, with lambda_s "
            "up to 25 nm (Pt, Ta, W from 1-2 nm with 1-10 nm, BiSb from 6 nm with 17-25 nm); "
            "thicknesses in Angstrom headed nm make both 10 times larger and fit as well: check "
            "the thickness unit")


def _flag_implausible(problem: ThicknessProblem, main, derived) -> None:
    """Flag every quantity of the summary where one of them is no spin source's
    (:func:`_implausible_reason`), a dimensionless efficiency column looks like percent
    (read as fractions: sigma_s 413 for 3.68 with a warning on the terminal only), or rows
    repeat earlier rows exactly (a row pasted twice: the errors shrink; a note alone left
    --strict at exit 0): a unit read wrong moves them all."""
    from ...flags import add_flag

    reasons = {}        # reason -> whether it concerns the given quantities too
    for q, n in main:
        kind = model_param(problem, n).name
        v = q.get("value")
        if isinstance(v, (int, float)) and math.isfinite(v):
            err = q.get("stderr")
            reason = _implausible_reason(kind, float(v), float(err) if isinstance(
                err, (int, float)) else math.nan)
            if reason:
                reasons[reason] = True
    for series in problem.series:
        for part in (series.dl, series.fl):
            for key in ("suspect_percent", "repeated_rows"):
                said = part.meta.get(key) if part is not None else None
                if said:
                    reasons.setdefault(said, False)
    lam = next((q.get("value") for q, n in main
                if model_param(problem, n).name == "spin_diffusion_length"), None)
    thinnest = min((float(np.min(d.x)) for s in problem.series for _, d in s.parts()),
                   default=math.nan)
    said = _thick_series_reason(thinnest, lam)
    if said:
        reasons.setdefault(said, False)
    for reason, given_too in reasons.items():
        # a percent column or a thickness unit moves the fitted values, not a resistivity given
        for q in [q for q, _ in main] + [q for q, _, _ in derived]:
            if given_too or q.get("stderr") is not None:
                add_flag(q, reason)
