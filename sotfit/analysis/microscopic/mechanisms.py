"""Mechanisms of a thickness fit: where the spin-mixing conductance G comes from
(drift-diffusion, tight-binding interface barrier, delta barrier), with their parameters,
options and physical ranges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ...models.drift_diffusion import drift_diffusion_dl, drift_diffusion_fl
from ...models.interface.composed import interface_barrier_efficiency, interface_delta_efficiency
from ...models.interface.specs import DELTA_DEFAULTS, barrier_mixing_complex, delta_mixing_grid
from ...models.spec import ModelSpec
from ...units import HOUSE

__all__ = ["Mechanism", "MECHANISMS", "get_mechanism", "DELTA_CHI2_68", "DELTA_CHI2_95",
           "G_UNIT", "DELTA_RANGE"]

#: Delta chi-square of the 68.3 % and 95.4 % regions of two parameters jointly
#: (scipy.stats.chi2(2).ppf(0.6827), .ppf(0.9545)).
DELTA_CHI2_68 = 2.2957
DELTA_CHI2_95 = 6.1801
G_UNIT = HOUSE["mixing_conductance"]


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


def _units(spec: ModelSpec, *names: str) -> dict[str, str]:
    """The units of the parameters ``names`` as the ModelSpec ``spec`` defines them.

    Parameters
    ----------
    spec : ModelSpec
        The model whose parameter table holds the units.
    *names : str
        Parameter names.

    Returns
    -------
    dict
        ``{name: unit}`` in the order given.
    """
    return {n: spec.param(n).unit for n in names}


MECHANISMS = {
    "drift-diffusion": Mechanism(
        name="drift-diffusion", title="drift-diffusion (seed 003 eqs. (1)-(2))",
        dl=drift_diffusion_dl, fl=drift_diffusion_fl, interface=("re_g_mix", "im_g_mix"),
        optional=(), constants={}, option_units={}, aliases={},
        plane=("re_g_mix", "im_g_mix"), scales=("linear", "linear"), g_func=_g_dd,
        bounds_func=_bounds_dd, units=_units(drift_diffusion_dl, "re_g_mix", "im_g_mix")),
    "interface-barrier": Mechanism(
        name="interface-barrier",
        title=("drift-diffusion (seed 003 eqs. (1)-(2)) with G of the tight-binding interface "
               "barrier (seed 003 Fig. 4)"),
        dl=interface_barrier_efficiency, fl=interface_barrier_efficiency,
        interface=("delta_t", "J"), optional=(),
        constants={"t0": 1.0, "fermi_energy": -4.0, "eps_m": 0.0, "lattice_constant": 0.3,
                   "t_c_ratio": 1.0},
        option_units=_units(interface_barrier_efficiency, "t0", "fermi_energy", "eps_m",
                            "lattice_constant", "t_c_ratio"),
        aliases={"exchange": "J"}, plane=("delta_t", "J"), scales=("linear", "symlog"),
        g_func=_g_barrier, bounds_func=_bounds_barrier, units=_units(interface_barrier_efficiency, "delta_t", "J")),
    "interface-delta": Mechanism(
        name="interface-delta",
        title=("drift-diffusion (seed 003 eqs. (1)-(2)) with G of the delta barrier with "
               "exchange and Rashba coupling (seed 004 eqs. 15-17)"),
        dl=interface_delta_efficiency, fl=interface_delta_efficiency,
        interface=("u0", "u_ex"), optional=("u_R",),
        constants=dict(DELTA_DEFAULTS),
        option_units=_units(interface_delta_efficiency, "k_fermi", "theta_m", "phi_m", "u_R"),
        aliases={}, plane=("u0", "u_ex"), scales=("linear", "symlog"), g_func=_g_delta,
        bounds_func=_bounds_delta, units=_units(interface_delta_efficiency, "u0", "u_ex", "u_R")),
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
