"""Parameter names of a thickness problem: their states in the fit and the checks of
names given by the user (``--fix``, ``--free``, ``--prior``)."""

from __future__ import annotations

from ...units import UnitError, convert, dimension_of, normalise_unit
from ..microscopic import get_mechanism

__all__ = ["model_param", "parameter_states", "check_parameter_names", "house_unit",
           "house_value"]

#: The factor a spin Hall conductivity's unit writes beside an electrical conductivity unit
#: (its charge-equivalent number, docs/CONVENTIONS.md): not a unit of its own.
_HBAR_2E = "(hbar/2e)"


def model_param(problem, name: str):
    """The model :class:`~sotfit.models.spec.Param` behind a model or result name."""
    for m in problem.models:
        for p in m.params:
            if name == p.name or (name.startswith(p.name + "_") and
                                  name[len(p.name) + 1:].isdigit()):
                return p
    raise KeyError(name)


def house_unit(problem, name: str) -> str:
    """The house unit of a parameter (model, result or summary name) of ``problem``.

    Parameters
    ----------
    problem : ThicknessProblem
    name : str
        For example ``spin_diffusion_length``, ``re_g_mix_2`` or ``exchange``.

    Returns
    -------
    str
        Its unit as the model states it (``'nm'``, ``'1e13 Ohm^-1 m^-2'``); ``''`` for a
        dimensionless parameter or a name that is not a model parameter (a calibration factor).
    """
    try:
        return model_param(problem, get_mechanism(problem.mechanism).model_name(name)).unit
    except KeyError:
        return ""


def house_value(problem, name: str, text) -> float:
    """A value given for parameter ``name`` (``--fix``, a ``--prior`` bound) in its house unit.

    Parameters
    ----------
    problem : ThicknessProblem
    name : str
        The parameter (model, result or summary name).
    text : str or float
        A number with a unit of the parameter's dimension (``'25um'``, ``'3e5 S/m'`` for a spin
        Hall conductivity in its charge-equivalent number, ``'2e14 1/Ohm/m2'``), or a bare
        number, read in the house unit (:func:`house_unit`: nm, uOhm cm,
        1e13 Ohm^-1 m^-2, 1e5 (hbar/2e) Ohm^-1 m^-1, eV, ...).

    Returns
    -------
    float
        The value in the house unit of the parameter, through :func:`sotfit.units.convert`.

    Raises
    ------
    ValueError
        A text that is not a number with a unit, or a unit of another dimension; the message
        names the house unit.
    """
    from ...units import parse_quantity

    house = house_unit(problem, name)
    plain = house.replace(_HBAR_2E, "").strip()
    if isinstance(text, (int, float)):
        return float(text)
    value, unit = parse_quantity(text)
    unit = unit.replace(_HBAR_2E, "").strip()
    if not unit:
        return value
    dimension = dimension_of(plain) if plain else "dimensionless"
    try:
        return float(convert(value, normalise_unit(unit, dimension), plain or "1"))
    except UnitError as exc:
        kind = (f"a {dimension.replace('_', ' ')}, house unit {house}" if house
                else "dimensionless")
        raise UnitError(f"{text!r}: {name} is {kind}; give a unit of its kind or a bare "
                        f"number{' in ' + house if house else ''} ({exc})") from None


def parameter_states(problem) -> dict[str, str]:
    """Every parameter name the problem knows, with its state in the fit.

    Result names (``re_g_mix_0``) and model names (``re_g_mix``, standing for every copy)
    are listed. States: ``"free"`` (varied by the fit), ``"fixed"`` (by the problem or by
    default, as ``resistivity`` and ``g_sf``) or ``"tied to <name>"`` (an FL dataset's G
    follows the DL dataset's G of the same interface). A model name is free when any of
    its copies is.

    Returns
    -------
    dict
        ``{name: state}`` in model order.
    """
    single = len(problem.datasets) == 1
    out: dict[str, str] = {}
    model_state: dict[str, str] = {}
    free = set(problem.free)
    for i, m in enumerate(problem.models):
        for p in m.params:
            name = p.name if (single or p.name in problem.shared) else f"{p.name}_{i}"
            if name in problem.exprs:
                state = f"tied to {problem.exprs[name]}"
            elif name in problem.fixed or p.name in problem.fixed:
                state = "fixed"
            elif p.vary or name in free or p.name in free:
                state = "free"
            else:
                state = "fixed"
            out.setdefault(name, state)
            if model_state.get(p.name) != "free":
                model_state[p.name] = "free" if state == "free" else "fixed"
    for k, v in model_state.items():
        out.setdefault(k, v)
    return out


def check_parameter_names(problem, names, what: str, *,
                          free_only: bool = False, settable_only: bool = False) -> None:
    """Refuse names that are not parameters of the problem (or not free, or tied).

    Parameters
    ----------
    problem : ThicknessProblem
    names : iterable of str
        Names given by the user (result names such as ``re_g_mix_2`` or model names).
    what : str
        How the user gave them, for the message (``"--fix"``, ``"--prior"``).
    free_only : bool
        Also refuse parameters the fit does not vary (priors need a sampled parameter).
    settable_only : bool
        Only check that the names exist and are not tied (for ``free``).

    Raises
    ------
    ValueError
        Naming the offending name and the valid ones.
    """
    mech = get_mechanism(problem.mechanism)
    states = parameter_states(problem)
    free = [mech.stable(k) for k, v in states.items() if v == "free"]
    settable = [mech.stable(k) for k, v in states.items() if not v.startswith("tied")]
    model = ("drift-diffusion thickness model" if mech.name == "drift-diffusion"
             else f"{mech.name} thickness model")
    for n in names:
        n = mech.model_name(n)
        if n not in states:
            valid = free if free_only else settable
            raise ValueError(f"{what} {mech.stable(n)!r}: not a parameter of the {model}; "
                             f"valid names: {', '.join(valid)}")
        st = states[n]
        if st.startswith("tied"):
            raise ValueError(f"{what} {n!r}: {n} is {st} (same interface, DL and FL data); "
                             f"give {problem.exprs[n]} instead")
        if settable_only:
            continue
        if free_only and st != "free":
            raise ValueError(f"{what} {n!r}: {n} is fixed in this fit; parameters with a "
                             f"prior must be free: {', '.join(free)}")
