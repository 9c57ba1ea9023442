"""Bayesian layer: priors on parameters, Gaussian likelihood, emcee sampling, model comparison.

One function does the work::

    post = sample(datasets, models, priors={...}, shared=[...], nwalkers=32, nsteps=5000, seed=1)

It takes the same datasets, models and parameter options as
:func:`sotfit.fit_global` (``shared``, ``init``, ``fixed``, ``free``,
``bounds``, ``exprs``), so every :class:`~sotfit.models.spec.ModelSpec` and
every global fit can be sampled; ``sample(problem, nwalkers=..., seed=...)`` takes them
as one :class:`sotfit.fitting.Problem` (its ``priors`` included). The steps are:

1. **Least squares first.** :func:`sotfit.fit_global` finds the optimum and
   its errors; the walkers start in a small Gaussian ball around it whose
   widths are ``ball`` times the least-squares standard errors.
2. **Log-posterior.** ``log p(theta | data) = sum log prior + log L`` with the
   Gaussian likelihood ``log L = -1/2 sum [(y - f)^2 / s_i^2 + ln(2 pi s_i^2)]``,
   ``s_i = yerr_i`` or, with ``noise_scale=True``, ``s_i = k yerr_i`` with the
   scale ``k`` sampled too (prior log-uniform on [0.01, 100] unless given).
   Parameters without an explicit prior get a flat prior inside their bounds.
   Priors are frozen :mod:`scipy.stats` distributions (constructors in :mod:`sotfit.priors`).
   Tied parameters (``exprs``) are computed from the sampled ones; fixed ones stay fixed.
3. **emcee**, seeded: the ensemble sampler (differential-evolution moves by default,
   the stretch move on request) with one picklable
   log-probability object; with ``vectorize=True`` all walkers of a step are
   evaluated in one numpy call by broadcasting each model over a (walkers, points)
   grid (checked against a walker-by-walker loop once, per model; models that do
   not broadcast are looped).
4. **Diagnostics.** The integrated autocorrelation time tau of every parameter
   is estimated (emcee's ``get_autocorr_time(tol=0)``) and the chain must be at
   least ``50 tau`` long (emcee's documented rule); otherwise an
   :class:`AutocorrelationWarning` says how many steps are needed. A walker that
   accepts fewer than 1 % of its proposals (stuck) or a mean acceptance fraction
   below 0.05 also marks the chain as not converged (:class:`ConvergenceWarning`).
   :func:`chain_diagnostics` is the one place for these checks; its JSON-ready
   dict (tau, chain length over tau and effective draws per parameter,
   acceptance fractions, converged and why) is ``PosteriorResult.diagnostics``
   and goes into every summary.json. Burn-in (default ``2 max tau``) and
   thinning (default ``max(1, min tau / 2)``) are recorded in the result.
5. **Summaries**: median and 16/84 % percentiles of every parameter, as
   ``uncertainties`` values (value = median, standard deviation = half the
   16-84 % width) that keep the posterior correlation matrix.
6. **Model comparison** on the same data: AIC = 2k - 2 ln L_max and
   BIC = k ln N - 2 ln L_max with the full Gaussian log-likelihood (not lmfit's
   chi-square form, which assumes unknown errors), and WAIC (Watanabe 2010;
   Gelman, Hwang and Vehtari, Stat. Comput. 24, 997 (2014)) from the pointwise
   log-likelihood over the posterior draws. WAIC is used because it needs only
   posterior samples and, unlike AIC/BIC, counts the effective number of
   parameters the data actually constrain (parameters pinned by priors or
   degenerate combinations such as sigma_s G at small G count less than one).
   The evidence is not computed: flat priors on unbounded ranges make it
   undefined, and the ensemble sampler gives no estimate of it.

The package: :mod:`.posterior` (:class:`LogPosterior`, :func:`build_log_posterior`),
:mod:`.sampling` (:func:`sample`: start, run, summarise), :mod:`.diagnostics`
(:func:`chain_diagnostics`), :mod:`.result` (:class:`PosteriorResult`), :mod:`.criteria`
(AIC, BIC, WAIC, :func:`compare`) and :mod:`.errors`.
"""

from __future__ import annotations

from .criteria import compare, information_criteria
from .diagnostics import MIN_ACCEPTANCE, MIN_TAU_MULTIPLE, STUCK_ACCEPTANCE, chain_diagnostics
from .errors import AutocorrelationWarning, BayesError, ConvergenceWarning, PriorWarning
from .posterior import NOISE, LogPosterior, build_log_posterior, parameter_bounds
from .result import PosteriorResult, summarize
from .sampling import sample

__all__ = ["sample", "PosteriorResult", "BayesError", "ConvergenceWarning",
           "AutocorrelationWarning", "PriorWarning", "LogPosterior", "chain_diagnostics",
           "compare", "summarize", "build_log_posterior", "parameter_bounds", "MIN_TAU_MULTIPLE",
           "STUCK_ACCEPTANCE", "MIN_ACCEPTANCE", "NOISE", "information_criteria"]
