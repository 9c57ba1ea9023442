"""emcee sampling of a :class:`~sotfit.bayes.posterior.LogPosterior`: start, run, summarise.

:func:`sample` places the walkers in a ball around the least-squares optimum
(:func:`_start_walkers`), runs the seeded ensemble sampler (:func:`_run_chain`, the walkers
of a step split into blocks over worker processes when asked) and turns the chain into a
:class:`~sotfit.bayes.result.PosteriorResult` (:func:`_summarise`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .. import priors as _priors
from ..models.spec import ModelSpec
from ..results import FitResult
from .criteria import information_criteria
from .diagnostics import MIN_TAU_MULTIPLE, chain_diagnostics
from .errors import AutocorrelationWarning, BayesError, ConvergenceWarning, PriorWarning
from ..fitting import as_problem
from .posterior import NOISE, LogPosterior, _normalise, build_log_posterior
from .result import PosteriorResult, _summary

__all__ = ["sample"]


def sample(datasets, models: ModelSpec | Sequence[ModelSpec] | None = None,
           *, priors: Mapping | None = None, shared: Iterable[str] | str = (),
           init: Mapping | None = None, fixed=None, free: Iterable[str] = (),
           bounds: Mapping | None = None, exprs: Mapping | None = None,
           noise_scale: bool = False, nwalkers: int = 32, nsteps: int = 5000,
           burn: int | None = None, thin: int | None = None, seed: int | None = None,
           ball: float = 0.1, vectorize: bool = True, progress: bool = False,
           lsq: FitResult | None = None, waic_draws: int = 2000,
           min_tau_multiple: float = MIN_TAU_MULTIPLE, moves="de", workers: int | None = None,
           scheduler: str | None = None, max_steps: int | None = None) -> PosteriorResult:
    """Sample the posterior of one or several datasets with emcee.

    Parameters
    ----------
    datasets, models
        As :func:`sotfit.fit_global`, or a whole :class:`sotfit.fitting.Problem` as
        ``datasets`` (then its fields, ``priors`` included, are not given as keywords);
        every dataset needs ``yerr``.
    priors : mapping, optional
        ``{name: frozen scipy.stats distribution or text such as 'uniform(0, 100)'}``. A name
        may be a result name (``re_g_mix_2``) or a model parameter name (applies to every
        copy). Unlisted parameters have a flat prior within their bounds.
    shared, init, fixed, free, bounds, exprs
        As :func:`sotfit.fit_global`.
    noise_scale : bool
        Sample a common factor ``noise_scale`` multiplying every ``yerr``.
    nwalkers, nsteps : int
        Ensemble size (at least twice the number of sampled parameters) and chain length
        (with ``max_steps``, the shortest chain).
    burn, thin : int, optional
        Burn-in steps discarded and thinning; default ``2 max tau`` and ``max(1, min tau/2)``.
    seed : int, optional
        Seeds both the initial ball and emcee's random state (same seed, same chain).
    ball : float
        Width of the initial ball in units of the least-squares standard errors.
    vectorize : bool
        Evaluate all walkers of a step in one numpy call (models that do not
        broadcast are looped automatically).
    progress : bool or callable
        ``True``: emcee's progress bar; a callable is called as ``progress(done, total)``
        (steps) about a hundred times during the run (e.g. ``sotfit.cli.common.Progress``).
    lsq : FitResult, optional
        A least-squares result to start from (otherwise computed).
    waic_draws : int
        Posterior draws used for WAIC.
    min_tau_multiple : float
        The chain must be this many autocorrelation times long (emcee recommends 50).
    moves : {"de", "stretch"} or emcee move(s)
        ``"de"`` (default): differential-evolution moves, 80 % ``DEMove`` and 20 % the
        snooker move (:class:`sotfit.bayes.moves.SnookerMove`; emcee's ``DESnookerMove``,
        used before, narrows the posterior: 5-26 % too narrow widths); on the seed 003 NiFe/BiSb posterior (strongly correlated
        sigma_s, lambda_s and G) they give autocorrelation times 2-3 times shorter than
        emcee's default stretch move (``"stretch"``). Anything else is passed to
        ``emcee.EnsembleSampler(moves=...)``.
    workers : int or None
        Local worker processes evaluating the walkers of each step (None or 1: this process);
        they are started once for the whole run (:class:`sotfit.parallel.TaskPool`). Worth it
        when one evaluation of the model is slow; the walkers are split into one block per
        worker and each block is evaluated as in the serial run, so the chain is the same.
    scheduler : str or None
        Address of a running dask.distributed scheduler instead of local processes
        (``pip install sotfit[dask]``).
    max_steps : int or None
        None (default): the chain is ``nsteps`` long. An int >= ``nsteps``: the chain runs
        ``nsteps`` steps, then goes on in blocks until it is ``min_tau_multiple``
        autocorrelation times long with a settled tau (:func:`run_until_converged`), or
        ``max_steps`` long; ``diagnostics["adaptive"]`` records the checks.

    Returns
    -------
    PosteriorResult

    Raises
    ------
    BayesError
        Missing uncertainties, fewer points than parameters, too few walkers, priors
        with no probability inside the bounds, burn-in longer than the chain.

    Warns
    -----
    PriorWarning
        The priors exclude the least-squares optimum; the walkers then start just inside
        the prior support.
    AutocorrelationWarning
        The chain is shorter than ``min_tau_multiple`` autocorrelation times.
    ConvergenceWarning
        Stuck walkers or a very low acceptance fraction (:func:`chain_diagnostics`).
    """
    problem = as_problem(datasets, models, BayesError, shared=shared, init=init, fixed=fixed,
                         free=free, bounds=bounds, exprs=exprs, priors=priors)
    datasets, models = _normalise(problem.datasets, problem.models)
    nwalkers, nsteps = int(nwalkers), int(nsteps)
    if nsteps < 2:
        raise BayesError(f"nsteps = {nsteps}: a chain needs at least 2 steps")
    if max_steps is not None and int(max_steps) < nsteps:
        raise BayesError(f"max_steps = {max_steps} is shorter than nsteps = {nsteps}")
    logp, lsq = build_log_posterior(problem, noise_scale=noise_scale, lsq=lsq,
                                    vectorize=vectorize)
    _check_sizes(logp, datasets, nwalkers)
    start, p0 = _start_walkers(logp, lsq, nwalkers, ball, seed)
    sampler, checks = _run_chain(logp, p0, nsteps, moves, seed, progress, workers, scheduler,
                                 max_steps=max_steps, min_tau_multiple=min_tau_multiple)
    diag = chain_diagnostics(sampler.get_chain(), sampler.acceptance_fraction, logp.free,
                             burn=burn, min_tau_multiple=min_tau_multiple)
    if checks is not None:
        diag["adaptive"] = checks
        if diag["converged"] and checks["stopped"] == "max_steps":
            _unsettled(diag, sampler.get_chain(), checks)
        if not diag["converged"] and sampler.iteration >= int(max_steps):
            diag["message"] += (f" (the chain ran to its longest, {int(max_steps)} steps: "
                                "a longer --max-steps, or max_steps=, lets it go on)")
    _warn_if_not_converged(diag, sampler.iteration)
    return _summarise(logp, lsq, sampler, diag, start, thin=thin, seed=seed,
                      waic_draws=waic_draws, data=(tuple(datasets), tuple(models)))


def _unsettled(diag: dict, chain, checks: dict) -> None:
    """Mark ``diag`` not converged: an adaptive chain that ran to its longest before its tau
    settled (:func:`run_until_converged`), however many of its own tau it is long.

    Its tau is still moving with the chain's length, so the chain's length over it says
    little: a BiSb-like thickness series, 50 000 steps long, was 57 tau by its own estimate
    (871 steps) and 31 tau by that of a chain of 150 000 steps (1603)."""
    tau, half = _tau(chain), _tau(chain[:chain.shape[0] // 2])
    steps = [c[0] for c in checks["checks"]]
    diag["converged"] = False
    diag["tau_unsettled"] = True
    diag["reasons"] = list(diag["reasons"]) + [
        f"the autocorrelation time had not settled when the chain stopped at "
        f"{chain.shape[0]} steps: its longest tau, {float(np.max(tau)):.1f} steps, was "
        f"{float(np.max(half)):.1f} for the chain's first half"
        + (f" and {checks['checks'][-2][1]:.1f} at {steps[-2]} steps" if len(steps) > 1 else "")
        + " (a tau still growing with the chain is too small: the chain is shorter than 50 "
        "of the posterior's tau)"]
    diag["message"] = "; ".join(diag["reasons"])


def _warn_if_not_converged(diag: dict, nsteps: int) -> None:
    """:class:`AutocorrelationWarning` for a chain too short, :class:`ConvergenceWarning` for
    stuck walkers or a low acceptance fraction (:func:`chain_diagnostics`)."""
    if not diag["converged"]:
        short = diag["steps_needed"] > nsteps or diag.get("tau_unsettled", False)
        warnings.warn(diag["message"], AutocorrelationWarning if short else ConvergenceWarning,
                      stacklevel=3)


def _check_sizes(logp: LogPosterior, datasets, nwalkers: int) -> None:
    """Refuse fewer points than sampled parameters, or fewer than two walkers per parameter."""
    ndim, ndata = logp.ndim, sum(len(d) for d in datasets)
    if ndata <= ndim:
        src = ", ".join(sorted({d.source for d in datasets}))
        raise BayesError(f"{src}: {ndata} point(s) cannot determine {ndim} sampled parameter(s)")
    if nwalkers < 2 * ndim:
        raise BayesError(f"nwalkers = {nwalkers} is too few for {ndim} parameters; "
                         f"emcee needs at least {2 * ndim}")


def _start_point(logp: LogPosterior, lsq: FitResult, ball: float) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares optimum and errors of the sampled parameters (``noise_scale`` starting
    at sqrt(redchi)), moved just inside the prior support where the priors exclude it."""
    start = np.array([lsq.value(n) for n in logp.free if n != NOISE], float)
    err = np.array([lsq.stderr(n) for n in logp.free if n != NOISE], float)
    if logp.noise:
        start = np.append(start, max(math.sqrt(max(lsq.redchi, 1e-12)), 1e-3))
        err = np.append(err, 0.1 * start[-1])
    moved = []
    for k, (n, d) in enumerate(zip(logp.free, logp.prior_dists)):
        lo, hi = logp.lower[k], logp.upper[k]
        ok = lo <= start[k] <= hi and (d is None or np.isfinite(d.logpdf(start[k])))
        if ok:
            continue
        width = (hi - lo) if np.isfinite(hi - lo) else max(abs(start[k]), 1.0)
        new = float(np.clip(start[k], lo + 0.01 * width, hi - 0.01 * width))
        moved.append(f"{n} = {start[k]:.6g} ({_priors.describe(d)}; walkers start at {new:.6g})")
        start[k], err[k] = new, 0.01 * width / max(ball, 1e-12)
    if moved:
        warnings.warn("the least-squares optimum has zero prior probability: " + "; ".join(moved),
                      PriorWarning, stacklevel=4)
    return start, err


def _start_walkers(logp: LogPosterior, lsq: FitResult, nwalkers: int, ball: float, seed):
    """The start point and the seeded initial ball of walkers (nwalkers, ndim)."""
    start, err = _start_point(logp, lsq, ball)
    rng = np.random.default_rng(seed)
    return start, _init_ball(logp, start, err, nwalkers, ball, rng)


def _init_ball(logp: LogPosterior, start, err, nwalkers, ball, rng):
    """Walkers in a Gaussian ball of widths ``ball * err`` around ``start``, all with a finite
    posterior. A parameter the data barely constrain (a least-squares error far beyond its
    bounds) gets a ball of at most a tenth of its bounded range, so the walkers can start."""
    ndim = logp.ndim
    err = np.where(np.isfinite(err) & (err > 0), err, np.maximum(1e-3 * np.abs(start), 1e-8))
    span = np.asarray(logp.upper, float)[:ndim] - np.asarray(logp.lower, float)[:ndim]
    cap = np.where(np.isfinite(span), 0.1 * span / max(ball, 1e-12), np.inf)
    err = np.minimum(err, cap)
    p0 = start + ball * err * rng.standard_normal((nwalkers, ndim))
    for _ in range(500):
        bad = ~np.isfinite(logp(p0))
        if not bad.any():
            return p0
        p0[bad] = start + ball * err * rng.standard_normal((bad.sum(), ndim))
    raise BayesError("could not place the walkers around the least-squares optimum with a finite "
                     "posterior; check the priors and bounds")


class _WalkerBlocks:
    """The log-posterior of all walkers of a step, one block of walkers per task of ``pool``
    (each block evaluated by :class:`LogPosterior` as the serial run does, row by row)."""

    def __init__(self, logp: LogPosterior, pool):
        self.logp, self.pool = logp, pool

    def __call__(self, theta):
        th = np.asarray(theta, float)
        if th.ndim == 1:
            return self.logp(th)
        blocks = np.array_split(th, min(self.pool.size, th.shape[0]))
        return np.concatenate(self.pool.map(self.logp, blocks))


class _StopOnInterrupt:
    """The log-posterior of a step, with Ctrl-C held for the sampling loop to raise: emcee wraps
    the log-probability in a handler that prints every exception's traceback and the walkers'
    positions before passing it on (Ctrl-C during ``thickness --mcmc`` printed emcee's
    traceback). The step ends with its proposals rejected and :func:`_run_chain` stops."""

    def __init__(self, fn):
        self.fn, self.interrupted = fn, False

    def __call__(self, theta):
        try:
            return self.fn(theta)
        except KeyboardInterrupt:
            self.interrupted = True
            n = np.asarray(theta).shape[0] if np.ndim(theta) > 1 else 1
            return np.full(n, -np.inf) if np.ndim(theta) > 1 else -np.inf


def _moves(moves):
    """emcee moves from ``"de"`` (80 % DEMove, 20 % the snooker move as published,
    :class:`sotfit.bayes.moves.SnookerMove`: emcee's own ``DESnookerMove`` narrows the
    posterior), ``"stretch"`` (emcee's default, None) or emcee move objects (passed on)."""
    from .moves import de_moves

    if not isinstance(moves, str):
        return moves
    if moves == "de":
        return de_moves()
    if moves == "stretch":
        return None
    raise BayesError(f"unknown moves {moves!r}; use 'de', 'stretch' or emcee moves")


def _run_chain(logp: LogPosterior, p0, nsteps: int, moves, seed, progress, workers, scheduler,
               *, max_steps: int | None = None, min_tau_multiple: float = MIN_TAU_MULTIPLE):
    """The seeded emcee run from ``p0``; the walkers of each step are evaluated in this
    process or in blocks by the workers of one pool kept for the whole run. Returns the
    sampler and, with ``max_steps``, the record of :func:`run_until_converged` (else None)."""
    import emcee

    from ..parallel import TaskPool

    nwalkers, ndim = p0.shape
    moves = _moves(moves)
    with TaskPool(workers, scheduler) as pool:
        # emcee calls a vectorised log-probability itself (its own pool= only serves one call
        # per walker): the blocks of walkers go to the pool; the LogPosterior accepts
        # (nwalkers, ndim) and loops non-broadcasting models
        fn = _StopOnInterrupt(logp if pool.size == 1 else _WalkerBlocks(logp, pool))
        sampler = emcee.EnsembleSampler(nwalkers, ndim, fn, vectorize=True, moves=moves)
        if seed is not None:
            sampler.random_state = np.random.RandomState(seed).get_state()
        if max_steps is not None:
            if progress is True:
                from ..progress import Progress
                progress = Progress("sampling")
            checks = run_until_converged(sampler, p0, nsteps, int(max_steps), min_tau_multiple,
                                         progress=progress, stop=lambda: fn.interrupted)
            return sampler, checks
        every = max(1, nsteps // 100)
        steps = sampler.sample(p0, iterations=nsteps,
                               progress=bool(progress) and not callable(progress))
        for i, _ in enumerate(steps, start=1):
            if fn.interrupted:
                raise KeyboardInterrupt
            if callable(progress) and (i % every == 0 or i == nsteps):
                progress(i, nsteps)
    return sampler, None


#: Between two checks of an adaptive chain it grows by this fraction of its length ...
CHECK_FRACTION = 0.1
#: ... and by at least this many steps (a tau costs one FFT per walker and parameter).
CHECK_STEPS = 500
#: An adaptive chain stops where every tau moved by less than this fraction since the check
#: before (emcee's documentation checks 1 % every 100 steps; checks 10 % of the chain apart
#: see more of tau's drift, which grows with the chain while it explores).
TAU_SETTLED = 0.05
#: ... and where the longest tau is at most this many times the longest tau of the chain's
#: first half. Between checks a tenth of the chain apart a tau that grows with the chain (a
#: slow direction still being explored) moves by a few per cent, within the noise of its
#: estimate: on a BiSb-like thickness series the chain stopped at 17 270 steps with tau 335
#: steps (51.6 tau, "converged"), where a chain three times as long gave tau 878 (the 17 270
#: steps were 19.7 tau); its first half had given 200. A tau that no longer depends on the
#: chain's length grows by less over a doubling (1.03-1.2 on Gaussian and funnel posteriors of
#: 4-12 parameters, whose own tau is nearly reached at 50 tau).
TAU_GROWTH = 1.25


def run_until_converged(sampler, p0, nsteps: int, max_steps: int,
                        min_tau_multiple: float = MIN_TAU_MULTIPLE, *, progress=None,
                        stop=None) -> dict:
    """Run an emcee sampler from ``p0`` until its chain is long enough, in blocks.

    The chain runs ``nsteps`` steps, then grows by blocks of ``CHECK_FRACTION`` of its length
    (at least ``CHECK_STEPS``) until, at a check, it is at least ``min_tau_multiple``
    integrated autocorrelation times long for every parameter (emcee's
    ``integrated_time(tol=0)`` of the whole chain), every tau moved by less than
    ``TAU_SETTLED`` since the check before (the rule of emcee's documentation, "Saving &
    monitoring progress") and the longest tau is at most ``TAU_GROWTH`` times that of the
    chain's first half (a tau still growing with the chain is none of the posterior yet), or
    until it is ``max_steps`` long. The blocks continue one random
    stream: the first ``n`` steps are those of a fixed run of ``n`` steps with the same seed.

    Parameters
    ----------
    sampler : emcee.EnsembleSampler
        A fresh sampler (its random state set).
    p0 : ndarray, shape (nwalkers, ndim)
        The walkers' start.
    nsteps, max_steps : int
        The shortest and the longest chain (steps).
    min_tau_multiple : float
        Chain length over tau to reach.
    progress : callable, optional
        ``progress(done, total)``: ``total`` is the length the chain is expected to need, by
        the latest tau (``nsteps`` at first, at most ``max_steps``).
    stop : callable, optional
        Returns True when the run is to end (Ctrl-C held by the log-probability).

    Returns
    -------
    dict
        JSON-ready: ``min_steps``, ``max_steps``, ``min_tau_multiple``, ``tau_settled``,
        ``tau_growth``, ``checks`` (``[steps, longest tau in steps]`` at every check), ``stopped``
        (``"converged"`` or ``"max_steps"``).
    """
    state, done, target = p0, 0, int(nsteps)
    checks, previous, stopped, shown = [], None, "max_steps", int(nsteps)
    while True:
        block = target - done
        every = max(1, block // 100)
        for i, state in enumerate(sampler.sample(state, iterations=block), start=1):
            if stop is not None and stop():
                raise KeyboardInterrupt
            if callable(progress) and (i % every == 0 or i == block) and done + i < shown:
                progress(done + i, shown)
        done = target
        chain = sampler.get_chain()
        tau = _tau(chain)
        if previous is None:
            # the first check compares with the chain as a check one block earlier saw it
            previous = _tau(chain[:max(2, done - _block(done))])
        checks.append([done, float(np.max(tau))])
        settled = bool(np.all(np.abs(tau - previous) < TAU_SETTLED * tau))
        if settled and done >= min_tau_multiple * float(np.max(tau)):
            # the estimate of a chain half as long: a tau still growing with the chain is
            # no tau of the posterior yet
            settled = float(np.max(tau)) <= TAU_GROWTH * float(np.max(_tau(chain[:done // 2])))
        if done >= min_tau_multiple * float(np.max(tau)) and settled:
            stopped = "converged"
            break
        if done >= max_steps:
            break
        previous = tau
        target = min(max_steps, done + _block(done))
        # the bar's end: where the chain would be long enough by this tau
        need = int(math.ceil(min_tau_multiple * float(np.max(tau))))
        shown = min(max_steps, max(target, need))
    if callable(progress):
        progress(done, done)
    return {"min_steps": int(nsteps), "max_steps": int(max_steps),
            "min_tau_multiple": float(min_tau_multiple), "tau_settled": TAU_SETTLED,
            "tau_growth": TAU_GROWTH,
            "checks": checks, "stopped": stopped}


def _block(done: int) -> int:
    """Steps an adaptive chain of ``done`` steps grows by before its next check."""
    return max(CHECK_STEPS, int(math.ceil(CHECK_FRACTION * done)))


def _tau(chain) -> np.ndarray:
    """Integrated autocorrelation time of every parameter (steps), as
    :func:`sotfit.bayes.diagnostics.chain_diagnostics` estimates it."""
    from emcee.autocorr import integrated_time

    n = chain.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):     # a walker that has not moved
        tau = np.asarray(integrated_time(chain, tol=0, quiet=True), float)
    return np.where(np.isfinite(tau) & (tau > 0), tau, float(n))


def _draws(logp: LogPosterior, sampler, burn: int, thin: int | None, tau) -> tuple:
    """Burn-in, thinning, the flat draws (ndraws, ndim) and every parameter's draws."""
    nsteps = sampler.iteration
    if thin is None:
        thin = max(1, int(0.5 * float(np.min(tau))))
    burn, thin = int(burn), int(thin)
    if not 0 <= burn < nsteps:
        raise BayesError(f"burn-in of {burn} steps leaves nothing of a {nsteps}-step chain")
    if thin < 1:
        raise BayesError(f"thin must be >= 1, got {thin}")
    flat = sampler.get_chain(discard=burn, thin=thin, flat=True)
    if flat.shape[0] < 2:
        raise BayesError(f"burn {burn} and thin {thin} leave fewer than 2 draws")
    full = logp.expand(flat)
    if logp.noise:
        full[NOISE] = flat[:, -1]
    return burn, thin, flat, full


def _posterior_values(logp: LogPosterior, names, full, flat) -> tuple[dict, dict]:
    """Percentiles (16, 50, 84) of every parameter and its uncertainties value: the median
    with half the 16-84 % width, correlated by the posterior correlation matrix."""
    from uncertainties import correlated_values, ufloat

    percentiles = {n: _summary(full[n]) for n in names}
    med = np.array([percentiles[n][1] for n in logp.free])
    half = np.array([0.5 * (percentiles[n][2] - percentiles[n][0]) for n in logp.free])
    corr = np.atleast_2d(np.corrcoef(flat.T)) if logp.ndim > 1 else np.ones((1, 1))
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    cov = corr * np.outer(half, half)
    uvals = {}
    if np.all(half > 0):
        uvals.update(zip(logp.free, correlated_values(med, cov, tags=list(logp.free))))
    else:
        uvals.update({n: ufloat(m, h, tag=n) for n, m, h in zip(logp.free, med, half)})
    for n in names:
        if n in uvals:
            continue
        ex = logp.exprs.get(n)
        if ex is not None and ex.strip() in uvals:
            uvals[n] = uvals[ex.strip()]
        elif n in logp.exprs:
            p16, p50, p84 = percentiles[n]
            uvals[n] = ufloat(p50, 0.5 * (p84 - p16), tag=n)
        else:
            uvals[n] = float(percentiles[n][1])
    return percentiles, uvals


def _summarise(logp: LogPosterior, lsq: FitResult, sampler, diag, start, *, thin, seed,
               waic_draws: int, data) -> PosteriorResult:
    """The :class:`PosteriorResult` of a finished run; ``data`` is (datasets, models)."""
    datasets, models = data
    tau = np.array([diag["autocorr_time"][n] for n in logp.free])
    burn, thin, flat, full = _draws(logp, sampler, diag["burn"], thin, tau)
    names = list(lsq.params) + ([NOISE] if logp.noise else [])
    percentiles, uvals = _posterior_values(logp, names, full, flat)
    units = dict(lsq.units)
    if logp.noise:
        units[NOISE] = ""
    ndata = sum(len(d) for d in datasets)
    crit = information_criteria(logp, flat, sampler.get_chain(), sampler.get_log_prob(), start,
                                ndata, waic_draws)
    meta = dict(lsq.meta)
    meta["vectorized_models"] = list(logp.vector_ok)
    return PosteriorResult(
        model_name=lsq.model_name, params=uvals, percentiles=percentiles, units=units,
        varied=tuple(logp.free), samples=full, chain=sampler.get_chain(),
        log_prob=sampler.get_log_prob(), acceptance_fraction=sampler.acceptance_fraction,
        autocorr_time=dict(zip(logp.free, tau.tolist())), burn=burn, thin=thin,
        nwalkers=int(sampler.nwalkers), nsteps=int(sampler.iteration), seed=seed,
        priors={n: _priors.describe(d) for n, d in zip(logp.free, logp.prior_dists)},
        converged=diag["converged"], message=diag["message"], ndata=ndata, **crit, lsq=lsq,
        datasets=datasets, models=models, param_maps=lsq.param_maps,
        meta=meta, diagnostics=diag)
