"""Errors and warnings of the Bayesian layer."""

from __future__ import annotations

__all__ = ["BayesError", "ConvergenceWarning", "AutocorrelationWarning", "PriorWarning"]


class BayesError(ValueError):
    """Input that cannot be sampled: missing errors, bad priors, too few points or walkers."""


class ConvergenceWarning(UserWarning):
    """The chain is not converged (see :func:`chain_diagnostics` for the criteria)."""


class AutocorrelationWarning(ConvergenceWarning):
    """The chain is too short compared with its autocorrelation time."""


class PriorWarning(UserWarning):
    """The priors exclude the least-squares optimum (the walkers start inside the support)."""
