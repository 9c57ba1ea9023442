"""sotfit: spin-orbit-torque experiments and theory, fitted with honest error bars.

The top level exposes the core types and functions::

    import sotfit as sf
    res = sf.fit(dataset, sf.models.stfmr_mixing)

They are imported when first used (PEP 562), so that ``import sotfit`` and the start of the
``sotfit`` command do not load every model: the command line imports what its subcommand needs,
and an interruption while it starts is answered by the command, not by a traceback of the
package's imports.
"""

from importlib import import_module as _import_module

__version__ = "0.1.0"

#: Top-level name -> (module, attribute; None for the module itself).
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "models": (".models", None),
    "io": (".io", None),
    "units": (".units", None),
    "sample": (".bayes", "sample"),
    "Dataset": (".data", "Dataset"),
    "Sweep": (".data", "Sweep"),
    "DataError": (".data", "DataError"),
    "fit": (".fitting", "fit"),
    "fit_sweep": (".fitting", "fit_sweep"),
    "fit_global": (".fitting", "fit_global"),
    "FitError": (".fitting", "FitError"),
    "FitWarning": (".fitting", "FitWarning"),
    "load": (".io", "load"),
    "FitResult": (".results", "FitResult"),
    "ResultTable": (".results", "ResultTable"),
}

__all__ = [
    "Dataset", "Sweep", "DataError", "fit", "fit_sweep", "fit_global", "FitError",
    "FitWarning", "FitResult", "ResultTable", "models", "units", "__version__",
]


def __getattr__(name: str):
    """The top-level names of :data:`_EXPORTS`, imported on first use."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'sotfit' has no attribute {name!r}") from None
    value = _import_module(module, __name__)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({n for n in globals() if not n.startswith('_')} | set(_EXPORTS)
                  | {'__version__'})
