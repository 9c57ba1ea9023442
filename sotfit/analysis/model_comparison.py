"""Mechanism comparison: which model of the interface do the thickness data prefer?

Each mechanism (:data:`sotfit.analysis.microscopic.MECHANISMS`) is fitted to the **same**
data. The table holds, per mechanism:

* ``aic``, ``bic`` from the least-squares optimum with the full Gaussian log-likelihood
  ``ln L = sum[-(y - f)^2 / 2 s^2 - ln s - ln(2 pi)/2]`` (the errors are known, so this is the
  likelihood itself, not lmfit's chi-square form): ``AIC = 2k - 2 ln L``,
  ``BIC = k ln N - 2 ln L`` with k the number of fitted parameters and N the data points;
  the difference to the best model carries a standard error from the pointwise
  log-likelihood differences, ``se(Delta AIC) = 2 sqrt(N var_i(l_i^a - l_i^b))`` (the
  same construction as the standard error of an elpd difference; Vehtari, Gelman and Gabry,
  Stat. Comput. 27, 1413 (2017)).
* with posterior draws, the out-of-sample ``elpd_loo`` of Pareto-smoothed importance
  sampling leave-one-out cross-validation (PSIS-LOO, same reference), its standard error,
  ``p_loo``, the Pareto k diagnostics and the difference to the best model with its
  standard error, computed by ArviZ (``arviz.loo``, ``arviz.compare``; optional extra
  ``sotfit[arviz]``). Without ArviZ the table holds AIC and BIC only and says why.

Verdict (plain words, :func:`compare_mechanisms`): on the elpd scale (``-Delta AIC / 2`` when
there is no posterior), a mechanism is *disfavoured* when its difference to the best exceeds
:data:`MIN_ELPD_DIFF` (4; smaller differences are small whatever their standard error, LOO
FAQ of the Stan team) **and** :data:`SE_FACTOR` (2) standard errors of the difference;
otherwise it is *not distinguishable* from the best. The microscopic mechanisms reparametrise
G, so a mechanism that reaches the G the data want fits exactly as well as drift-diffusion
with the same number of parameters: the data can only tell mechanisms apart whose reachable
G differ.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np

__all__ = ["pointwise_loglike", "information_criteria", "loo", "compare_mechanisms",
           "arviz_available", "MIN_ELPD_DIFF", "SE_FACTOR"]

#: Smallest elpd difference (log-likelihood units) taken as a real difference.
MIN_ELPD_DIFF = 4.0
#: A difference must exceed this many of its standard errors.
SE_FACTOR = 2.0


def _arviz():
    """Import ArviZ quietly (its import warns about a coming refactor) or return None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import arviz
    except ImportError:
        return None
    return arviz


def arviz_available() -> bool:
    """Whether the optional ArviZ (``pip install "sotfit[arviz]"``) can be imported."""
    return _arviz() is not None


def pointwise_loglike(problem, lsq) -> np.ndarray:
    """Gaussian log-likelihood of every data point at the least-squares optimum (dimensionless).

    Only the data of ``problem.datasets`` (not the calibration pseudo-observations).
    """
    out = []
    for i, d in enumerate(problem.datasets):
        r = lsq.residuals(i) / d.yerr
        out.append(-0.5 * r ** 2 - np.log(d.yerr) - 0.5 * math.log(2 * math.pi))
    return np.concatenate(out)


def information_criteria(problem, lsq) -> dict:
    """AIC and BIC of a least-squares fit with the full Gaussian likelihood.

    Returns
    -------
    dict
        ``k`` (fitted parameters), ``ndata``, ``log_likelihood``, ``aic``, ``bic``,
        ``chisqr`` (data only).
    """
    ll = pointwise_loglike(problem, lsq)
    k = int(len(lsq.varied))
    n = int(ll.size)
    lnl = float(ll.sum())
    from .thickness import data_chisqr

    chi = data_chisqr(problem, lsq)
    return {"k": k, "ndata": n, "log_likelihood": lnl, "aic": 2 * k - 2 * lnl,
            "bic": k * math.log(n) - 2 * lnl, "chisqr": chi}


def _posterior_loglike(problem, post, max_draws: int = 4000) -> np.ndarray:
    """Pointwise log-likelihood of the posterior draws: (walkers, draws, points)."""
    from ..bayes import build_log_posterior

    logp, _ = build_log_posterior(problem, lsq=post.lsq)
    if tuple(logp.free) != tuple(post.varied):
        raise ValueError(f"the posterior samples {post.varied} but the likelihood takes "
                         f"{logp.free}")
    chain = np.asarray(post.chain)[post.burn::post.thin]      # (draws, walkers, ndim)
    step = max(1, int(math.ceil(chain.shape[0] * chain.shape[1] / max_draws)))
    chain = chain[::step]
    nd, nw, ndim = chain.shape
    ll = logp.log_like_pointwise(chain.reshape(-1, ndim))     # (nd * nw, points)
    return ll.reshape(nd, nw, -1).transpose(1, 0, 2)


def loo(problem, post) -> dict | None:
    """PSIS-LOO of a posterior with ArviZ (``None`` when ArviZ is not installed).

    The emcee walkers are ArviZ's chains and the thinned steps its draws.

    Returns
    -------
    dict or None
        ``elpd_loo``, ``se``, ``p_loo``, ``looic`` (= -2 elpd_loo), ``pareto_k_max``,
        ``pareto_k_above_0.7`` (points whose importance weights are unreliable), ``warning``
        and the ArviZ ``InferenceData`` under ``"_idata"`` (for :func:`compare_mechanisms`).
    """
    az = _arviz()
    if az is None:
        return None
    ll = _posterior_loglike(problem, post)
    idata = az.from_dict(posterior={"theta": np.zeros(ll.shape[:2])},
                         log_likelihood={"xi": ll})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = az.loo(idata, pointwise=True)
    k = np.asarray(res.pareto_k)
    return {"elpd_loo": float(res.elpd_loo), "se": float(res.se), "p_loo": float(res.p_loo),
            "looic": -2.0 * float(res.elpd_loo), "pareto_k_max": float(np.max(k)),
            "pareto_k_above_0.7": int(np.sum(k > 0.7)), "warning": bool(res.warning),
            "_idata": idata}


def _diff_se(ll_a, ll_b) -> float:
    """Standard error of sum(ll_a - ll_b) from the pointwise differences."""
    d = np.asarray(ll_a) - np.asarray(ll_b)
    return float(math.sqrt(d.size * np.var(d, ddof=1))) if d.size > 1 else math.nan


def _same_data(problems) -> None:
    def key(pr):
        return [(d.x.tobytes(), d.y.tobytes(), d.yerr.tobytes()) for d in pr.datasets]

    ref = key(problems[0])
    for pr in problems[1:]:
        if key(pr) != ref:
            raise ValueError("mechanisms can only be compared on the same data; the problems "
                             "hold different datasets")


def compare_mechanisms(fits: Mapping[str, tuple], *, use_loo: bool = True) -> dict:
    """Compare mechanisms fitted to the same data.

    Parameters
    ----------
    fits : mapping
        ``{mechanism name: (problem, lsq, post or None)}``.
    use_loo : bool
        Compute PSIS-LOO where posteriors are given (needs ArviZ).

    Returns
    -------
    dict
        JSON-ready ``model_comparison``: ``rows`` (one per mechanism, best first, with
        ``k``, ``log_likelihood``, ``aic``, ``bic``, ``d_aic``, ``d_aic_se``, ``d_bic``,
        ``d_bic_se`` and, with posteriors, ``elpd_loo``, ``elpd_loo_se``, ``p_loo``,
        ``d_elpd_loo``, ``d_elpd_loo_se``, ``pareto_k_max``, ``loo_weight``), ``criterion``
        (what ranked them), ``best``, ``preferred`` (not distinguishable from the best),
        ``disfavoured``, ``verdict`` (plain words), ``rule`` and ``notes``.
    """
    names = list(fits)
    if len(names) < 2:
        raise ValueError("a comparison needs at least two mechanisms")
    _same_data([fits[n][0] for n in names])
    notes = []
    rows, best_aic, best_bic = _aic_bic_rows(fits)
    criterion = "aic"
    if use_loo and all(fits[n][2] is not None for n in names):
        criterion = _add_loo(fits, rows, notes)
    elif use_loo:
        notes.append("no posterior draws (run with --mcmc): PSIS-LOO not computed; the "
                     "comparison uses AIC and BIC")
    # differences on the elpd scale with their standard errors
    if criterion == "loo":
        diff = {n: (rows[n]["d_elpd_loo"], rows[n]["d_elpd_loo_se"]) for n in names}
        best = min(names, key=lambda n: rows[n]["d_elpd_loo"])
        what = "elpd_loo (PSIS-LOO)"
    else:
        best = best_aic
        diff = {n: (rows[n]["d_aic"] / 2, rows[n]["d_aic_se"] / 2) for n in names}
        what = "AIC/2"
    preferred, disfavoured, verdict = _verdict(names, best, diff, what)
    if best_bic != best and criterion == "aic":
        notes.append(f"BIC ranks {best_bic} first (AIC: {best_aic})")
    order = sorted(names, key=lambda n: (diff[n][0] if n != best else -math.inf))
    return {"criterion": criterion, "scale": what, "best": best, "preferred": preferred,
            "disfavoured": disfavoured, "verdict": verdict,
            "rule": (f"disfavoured when worse than the best by more than {MIN_ELPD_DIFF:g} "
                     f"(log-likelihood units) and more than {SE_FACTOR:g} standard errors of "
                     "the difference, on the elpd_loo scale with posteriors, on the AIC/2 scale "
                     "without"),
            "rows": [rows[n] for n in order], "notes": notes,
            "arviz": arviz_available()}


def _aic_bic_rows(fits: Mapping[str, tuple]) -> tuple[dict, str, str]:
    """One row per mechanism with AIC and BIC, their differences to the best and the
    standard errors of the differences; the AIC-best and BIC-best mechanisms."""
    names = list(fits)
    rows, ll = {}, {}
    for n in names:
        pr, lsq, _ = fits[n]
        rows[n] = {"mechanism": n, **information_criteria(pr, lsq)}
        ll[n] = pointwise_loglike(pr, lsq)
    best_aic = min(names, key=lambda n: rows[n]["aic"])
    best_bic = min(names, key=lambda n: rows[n]["bic"])
    for n in names:
        rows[n]["d_aic"] = rows[n]["aic"] - rows[best_aic]["aic"]
        rows[n]["d_aic_se"] = 2 * _diff_se(ll[best_aic], ll[n]) if n != best_aic else 0.0
        rows[n]["d_bic"] = rows[n]["bic"] - rows[best_bic]["bic"]
        rows[n]["d_bic_se"] = 2 * _diff_se(ll[best_bic], ll[n]) if n != best_bic else 0.0
    return rows, best_aic, best_bic


def _add_loo(fits: Mapping[str, tuple], rows: dict, notes: list) -> str:
    """PSIS-LOO of every posterior added to ``rows`` (ArviZ's compare for the differences);
    returns the criterion used: ``"loo"``, or ``"aic"`` without ArviZ."""
    az = _arviz()
    if az is None:
        notes.append("PSIS-LOO needs ArviZ, which is not installed (pip install "
                     "\"sotfit[arviz]\"); the comparison uses AIC and BIC only")
        return "aic"
    names = list(fits)
    loos = {n: loo(fits[n][0], fits[n][2]) for n in names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = az.compare({n: loos[n]["_idata"] for n in names}, ic="loo")
    for n in names:
        lo = loos[n]
        rows[n].update({"elpd_loo": lo["elpd_loo"], "elpd_loo_se": lo["se"],
                        "p_loo": lo["p_loo"], "looic": lo["looic"],
                        "pareto_k_max": lo["pareto_k_max"],
                        "pareto_k_above_0.7": lo["pareto_k_above_0.7"],
                        "d_elpd_loo": float(table.loc[n, "elpd_diff"]),
                        "d_elpd_loo_se": float(table.loc[n, "dse"]),
                        "loo_weight": float(table.loc[n, "weight"])})
        if lo["pareto_k_above_0.7"]:
            notes.append(f"{n}: {lo['pareto_k_above_0.7']} point(s) with Pareto k > 0.7: "
                         "PSIS-LOO is unreliable there (a point that moves the "
                         "posterior strongly)")
    return "loo"


def _verdict(names, best: str, diff: dict, what: str) -> tuple[list, list, str]:
    """The mechanisms not distinguishable from ``best``, the disfavoured ones and the verdict
    in words, from the differences ``diff`` (value, standard error) on the scale ``what``."""
    preferred, disfavoured, words = [best], [], []
    for n in names:
        if n == best:
            continue
        d, se = diff[n]
        significant = d > MIN_ELPD_DIFF and (not math.isfinite(se) or d > SE_FACTOR * se)
        if significant:
            disfavoured.append(n)
            words.append(f"{n} is disfavoured (worse by {d:.1f} +/- {se:.1f} in {what})")
        else:
            preferred.append(n)
            words.append(f"{n} is not distinguishable from {best} (difference {d:.1f} +/- "
                         f"{se:.1f} in {what}, below {MIN_ELPD_DIFF:g} or {SE_FACTOR:g} standard "
                         "errors)")
    if not disfavoured:
        verdict = (f"not distinguishable: the data do not tell {', '.join(names)} apart "
                   f"({'; '.join(words)})")
    elif len(preferred) == 1:
        verdict = f"the data prefer {best}: " + "; ".join(words)
    else:
        verdict = (f"the data prefer {', '.join(preferred)} (not distinguishable from each "
                   f"other) over {', '.join(disfavoured)}: " + "; ".join(words))
    return preferred, disfavoured, verdict
