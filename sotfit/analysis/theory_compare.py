"""Theory against a measured torque ratio: where in parameter space does a model agree?

A measured field-like over damping-like ratio (from any sotfit summary.json: ST-FMR,
harmonic Hall, with its standard error) is set against the ratio a band or scattering model
predicts on a grid of two of its parameters (Fermi energy and magnetisation angle for the
T-matrix theory of seed 002; Fermi energy and a band parameter for the k.p models of seeds
000/001). The route is the ModelSpec one: any ModelSpec that returns the ratio (or its
inverse) against one parameter (its x) is evaluated over x for every value of the second
parameter; nothing model-specific happens here.

Consistency: at each grid point the exact (Fieller) test of FL - R DL = 0 for the theory ratio
R, ``z = -(FL - R DL) sign(DL) / sqrt(s_FL^2 + R^2 s_DL^2 - 2 R c s_FL s_DL)`` (:func:`ratio_z`;
signed as theory minus measurement), a standard normal where the ratio is R whatever the error
of DL. The region within 1 sigma is ``|z| <= 1``, within 2 sigma ``|z| <= 2``. Where DL lies
many standard errors from zero this equals ``(R - FL/DL) / s_R`` with the first-order error
``s_R = |R_m| sqrt((s_FL/FL)^2 + (s_DL/DL)^2 - 2 c s_FL s_DL/(FL DL))`` of the measured ratio
R_m, taken at R; nearer zero the two differ (a ratio 600 +- 67 against a theory 304.6: z = -6.91
by the test, -4.4 by the first-order error), and the test is the one to trust. The correlation
c of FL and DL is 0 unless the summary gives it; the theory is taken as exact (its numerical
error is far below any measured one). By default magnitudes are
compared (``signed=False``): the sign of a field-like torque depends on conventions (current
direction, which side the spin source is, Oersted referencing) that a model and an experiment
rarely share; ``signed=True`` compares signed values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..flags import ZERO_REASON
from ..models.spec import ModelSpec
from ..results import TORQUE_PAIRS
from ..units import UnitError, quantity, to_house

__all__ = ["MeasuredRatio", "measured_ratio", "read_measured_ratio", "ratio_grid",
           "compare_ratio", "consistency", "THEORY_RATIOS", "parameter_value", "RATIO_PAIRS",
           "oersted_removal_note"]

#: (field-like, damping-like) names that sotfit summaries use, in order of preference; all
#: give the same ratio (the conversions from fields to efficiencies cancel).
RATIO_PAIRS = TORQUE_PAIRS
#: Sections searched in order when none is given.
SECTIONS = ("global", "sequential", "quantities", "")
#: Quantities of a summary section that an Oersted-free FL/DL ratio rests on besides the pair:
#: the field-like field is the measured field-like plus Oersted field less the Oersted field
#: computed from the current (docs/stfmr.md, section 6.3).
OERSTED_BASIS = ("mu0_h_fl_oe", "mu0_h_oe")
#: A note of the summary concerns the compared ratio when it names a torque field or
#: efficiency, the torques, or the Oersted field (a sign in doubt, the field angle the torques
#: use, the currents they scale with); notes on the Kittel or damping fits do not.
_RATIO_NOTE = re.compile(r"\b(xi_e_(fl|dl)|xi_(fl|dl)|mu0_h_(fl_oe|fl|dl|oe)|torques?|"
                         r"efficienc(y|ies)|field-like|damping-like|oersted)\b", re.IGNORECASE)
#: The current's name in a summary's ``sample`` (ST-FMR ``i_rf``, harmonic Hall ``current``)
#: -> the name of its peak/rms switch there, and the options that set the absolute scale.
_CURRENT_KEYS = {"i_rf": ("i_rf_is_rms", "--irf and --delta-r (--irf-is peak/rms)"),
                 "current": ("current_is_rms", "--current (--current-is peak/rms)")}

#: Theory routes of ``sotfit theory compare``: ModelSpec name, whether it returns DL/FL
#: (inverted to FL/DL here), the sign that turns its ratio into the fields' basis of
#: docs/CONVENTIONS.md (H_FL sigma + H_DL m x sigma; 1 when absent), the x sweep name, the
#: aliases of second sweeps, and the ``switches``: ModelSpec parameters of 0 or 1 that choose
#: the approximation rather than describe the material (what each value means), kept out of
#: the model's parameters in the summary and the messages; ``default_notes``: why a parameter
#: neither swept nor given has its default (said in the summary's notes).
THEORY_RATIOS = {
    "tmatrix": {"model": "tmatrix_dl_fl_ratio_vs_energy", "invert": True, "x": "energy",
                "x_param": "fermi_energy", "second": {"angle": "theta"},
                "switches": {"tmatrix": "1: full T-matrix (skew scattering), 0: first Born "
                                        "approximation ('theory tmatrix --approximation')",
                             "hall": "1: K_J = K sigma^-1 (eq. 2), 0: K/sigma_xx (seed 002 "
                                     "eq. 34) ('theory tmatrix --normalisation')"},
                "default_notes": {
                    "theta": "the default of the T-matrix ModelSpecs, a tilted magnetisation at "
                             "which every efficiency of seed 002 eq. (4) is defined (tau_2 needs "
                             "m_x != 0, all of them m_z != 0); the ratio tau_1^o / tau_1^e "
                             "compared here is defined at 0 deg too, the default of 'theory "
                             "tmatrix' (--param theta=0deg for its point, --sweep angle=... for "
                             "a map)"},
                "what": "tau_1^o / tau_1^e of the disordered Rashba ferromagnet (T-matrix, seed "
                        "002 eqs. (3)-(4)); magnetisation angle theta from +z"},
    "kp-2deg": {"model": "kp_2deg_torque_ratio", "invert": False, "sign": -1.0, "x": "energy",
                "x_param": "fermi_energy", "second": {},
                "what": "-chi_FL / chi_DL of the 2DEG Rashba ferromagnet, m along z (k.p, seed "
                        "001 eqs. (6)-(7): S = chi_FL H_SOC - chi_DL m x H_SOC, so in the "
                        "fields' basis sigma, m x sigma with sigma along H_SOC the FL/DL ratio "
                        "is -chi_FL/chi_DL; chi_FL with one charge sign throughout, -(eq. 14a) "
                        "of seed 001, so the FL/DL ratio is +tau J_ex/hbar where the relation "
                        "printed after its eq. 7 gives -tau J_ex/hbar: docs/kp.md, 'Sign')"},
    "kp-tmdc": {"model": "kp_tmdc_torque_ratio", "invert": False, "sign": -1.0, "x": "energy",
                "x_param": "mu", "second": {},
                "what": "-tau^oc_x / tau^in_x of TMDC/CrI3, theta_m = 0, E at 45 deg (k.p, seed "
                        "000 eqs. (7)-(12), (22), Table I): S^oc lies along sigma = z x E and "
                        "S^in along m x sigma = -E, so with tau = (2J/hbar) m x S the x "
                        "components of the two torques have the ratio -S.sigma / S.(m x sigma) "
                        "and the FL/DL ratio of the fields' basis is -tau^oc_x / tau^in_x"},
}

#: Dimensions of the parameter units the theory ModelSpecs use.
_UNIT_DIMENSIONS = {"eV": "energy", "meV": "energy", "deg": "angle", "ps": "time",
                    "eV nm": "rashba", "meV nm": "rashba", "nm": "length",
                    "nm^-2": "areal_density"}


@dataclass(frozen=True)
class MeasuredRatio:
    """A measured FL/DL ratio with its standard error (dimensionless).

    Attributes
    ----------
    value, stderr : float
    numerator, denominator : dict
        The two summary quantities used (``{"name", "value", "stderr", "unit", "where"}``).
    correlation : float
        Correlation of numerator and denominator used in the propagation (0 unless given).
    source : str
    notes : tuple of str
    flags : tuple of str
        The flags the summary put on the two quantities (``'xi_fl: reason'``): the ratio
        carries them into the comparison (an assumed field angle, a DL consistent with zero).
    """

    value: float
    stderr: float
    numerator: dict
    denominator: dict
    correlation: float = 0.0
    source: str = ""
    notes: tuple = field(default=())
    flags: tuple = field(default=())

    def to_dict(self) -> dict:
        out = {"value": self.value, "stderr": self.stderr, "unit": "",
               "definition": f"{self.numerator['name']} / {self.denominator['name']}",
               "numerator": self.numerator, "denominator": self.denominator,
               "correlation": self.correlation, "source": self.source,
               "notes": list(self.notes)}
        if self.flags:
            out["flags"] = list(self.flags)
        return out


def _entry(summary, section, name):
    sec = summary.get(section) if section else summary
    if isinstance(sec, Mapping) and isinstance(sec.get(name), Mapping) and "value" in sec[name]:
        return sec[name]
    return None


def _source_notes(summary: Mapping, section: str) -> list[str]:
    """The notes of ``summary`` (its top level and ``section``) that concern an FL/DL ratio
    (:data:`_RATIO_NOTE`): a sign in doubt (a stack order given wrong flipped xi_FL, and
    ``theory compare`` read it without a word), the field angle the torques rest on."""
    holders = [summary.get(section) if section else None, summary]
    notes = [n for h in holders if isinstance(h, Mapping) and isinstance(h.get("notes"), list)
             for n in h["notes"] if isinstance(n, str) and _RATIO_NOTE.search(n)]
    return [f"the summary's note: {n}" for n in dict.fromkeys(notes)]


def _basis_flags(sec: Mapping, names: Sequence[str], known: Sequence[str]) -> list[str]:
    """``'name: reason'`` for the flags of the quantities ``names`` of section ``sec`` whose
    reason is not among ``known`` (flags the pair already carries are not repeated)."""
    seen = {k.partition(": ")[2] for k in known}
    out = []
    for n in names:
        q = sec.get(n)
        for reason in (q.get("flags") or ()) if isinstance(q, Mapping) else ():
            # a field-like plus Oersted field consistent with zero (the two cancel) leaves the
            # Oersted-free field-like field, and the ratio, as well determined as ever
            if reason not in seen and not reason.startswith(ZERO_REASON):
                seen.add(reason)
                out.append(f"{n}: {reason}")
    return out


def _calibration(summary: Mapping) -> tuple[str, str]:
    """The options that set the absolute scale of a summary's current, and the current and
    Delta R its ``sample`` records with the current's convention (``'I = 1 mA (peak), Delta R =
    0.5 Ohm'``), or that they are not recorded."""
    sample = summary.get("sample") if isinstance(summary.get("sample"), Mapping) else {}
    key = next((k for k in _CURRENT_KEYS if k in sample), "i_rf")
    rms_key, options = _CURRENT_KEYS[key]
    parts = []
    cur, rms = sample.get(key), sample.get(rms_key)
    if isinstance(cur, Mapping) and "value" in cur:
        kind = "rms" if rms else "peak" if rms is not None else "peak or rms not recorded"
        parts.append(f"I = {cur['value']:g} {cur.get('unit', '')} ({kind})")
    elif "i_rf_peak_by_frequency" in sample:
        parts.append("I per frequency (--irf-at)")
    dr = sample.get("delta_r")
    if isinstance(dr, Mapping) and "value" in dr:
        parts.append(f"Delta R = {dr['value']:g} {dr.get('unit', '')}")
    return options, ", ".join(parts) or "the current is not recorded in the summary"


def oersted_removal_note(summary: Mapping, section: str, fl_name: str, dl_name: str
                         ) -> str | None:
    """Why the FL/DL ratio ``fl_name/dl_name`` of a summary section depends on the absolute
    calibration of the current, or None where it does not rest on the Oersted removal.

    The field-like field free of the Oersted field is mu0 H_FL = mu0 (H_FL + H_Oe) - mu0 H_Oe:
    the first measured (in ST-FMR proportional to V / (I_rf Delta R)), the second computed
    from the current (mu0 f I_rf / 2w, proportional to I_rf; docs/stfmr.md, section 6.3, seed
    003 after eq. (2)). Their difference, and so xi_FL/xi_DL, changes with I_rf^2 Delta R: an rms
    current given as the peak flipped the sign of xi_FL/xi_DL (0.707 mA for a 1 mA peak: 0.211
    became -0.159, the bundled ST-FMR example). The ratio
    of the measured fields mu0_h_fl_oe/mu0_h_dl does not depend on it.

    Parameters
    ----------
    summary : mapping
        The summary.json read as a dict (``analysis``, ``sample``).
    section : str
        The section holding the pair ('' the top level).
    fl_name, dl_name : str
        The pair compared.

    Returns
    -------
    str or None
    """
    sec = summary.get(section) if section else summary
    if not isinstance(sec, Mapping) or not all(isinstance(sec.get(n), Mapping)
                                                for n in OERSTED_BASIS):
        return None
    options, recorded = _calibration(summary)
    fixed = ""
    hoe, hdl = sec["mu0_h_fl_oe"].get("value"), (sec.get("mu0_h_dl") or {}).get("value")
    if isinstance(hoe, (int, float)) and isinstance(hdl, (int, float)) and hdl != 0:
        fixed = f" (here {hoe / hdl:.4g})"
    return (f"{fl_name}/{dl_name} rests on the Oersted removal: its field-like part is the "
            "measured field-like plus Oersted field mu0_h_fl_oe less the Oersted field mu0_h_oe "
            "computed from the current (docs/stfmr.md, section 6.3), so it depends on the "
            f"absolute calibration given by {options}: {recorded}; an rms current "
            "given as the peak changes the ratio, even its sign. The ratio of the measured "
            f"fields mu0_h_fl_oe/mu0_h_dl{fixed}, which includes the Oersted field, does not "
            "depend on it")


def measured_ratio(summary: Mapping, *, section: str | None = None, source: str = "",
                   correlation: float | None = None) -> MeasuredRatio:
    """The FL/DL ratio of a sotfit summary (ST-FMR, harmonic Hall) with its standard error.

    Parameters
    ----------
    summary : mapping
        A summary.json read as a dict.
    section : str, optional
        Section holding the efficiencies (``global``, ``sequential``, ``quantities``); default
        the first of those that holds a pair, then the top level.
    source : str
        Where the summary came from (for messages).
    correlation : float, optional
        Correlation of the FL and DL values; default the summary's ``correlations`` entry if
        any, else 0 (noted).

    Returns
    -------
    MeasuredRatio

    Raises
    ------
    ValueError
        No pair of FL and DL quantities with values and standard errors, or a DL value of 0.
    """
    sections = [section] if section is not None else list(SECTIONS)
    for sec in sections:
        for fl_name, dl_name in RATIO_PAIRS:
            fl, dl = _entry(summary, sec, fl_name), _entry(summary, sec, dl_name)
            if fl is None or dl is None:
                continue
            vf, vd = fl.get("value"), dl.get("value")
            sf, sd = fl.get("stderr"), dl.get("stderr")
            where = f"{source}: {sec or 'top level'}"
            if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (vf, vd)):
                raise ValueError(f"{where}: {fl_name} or {dl_name} has no finite value")
            if not all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0
                       for v in (sf, sd)):
                raise ValueError(f"{where}: {fl_name} and {dl_name} need standard errors to "
                                 "compare with theory")
            if vd == 0:
                raise ValueError(f"{where}: {dl_name} is 0; the ratio is undefined")
            notes = []
            scale = _unit_ratio(fl, dl, fl_name, dl_name, where)
            if scale != 1.0:
                vf, sf = vf * scale, sf * scale
                written = [str(e.get("unit") or "") or "no unit" for e in (fl, dl)]
                notes.append(f"{fl_name} ({written[0]}) taken in the unit of {dl_name} "
                             f"({written[1]}): times {scale:g}")
            c = correlation
            if c is None:
                # the section's own correlations (those of its values), else the top level's
                # the pair in either order, then any FL/DL pair (the conversions between the
                # pairs are exact factors: one correlation for all)
                keys = [f"{fl_name},{dl_name}", f"{dl_name},{fl_name}"] + \
                    [f"{a},{b}" for p in RATIO_PAIRS for a, b in (p, p[::-1])]
                for holder in (summary.get(sec) if sec else None, summary):
                    corr = holder.get("correlations") if isinstance(holder, Mapping) else None
                    found = [corr.get(k) for k in keys] if isinstance(corr, Mapping) else []
                    c = next((v for v in found if isinstance(v, (int, float))
                              and math.isfinite(v) and abs(v) <= 1), None)
                    if c is not None:
                        break
                if c is None:
                    c = 0.0
                    notes.append(f"{fl_name} and {dl_name} taken as uncorrelated (the summary "
                                 "gives no correlation)")
            r = vf / vd
            rel2 = (sf / vf) ** 2 + (sd / vd) ** 2 - 2 * c * sf * sd / (vf * vd) if vf != 0 \
                else None
            s = abs(r) * math.sqrt(max(rel2, 0.0)) if rel2 is not None else abs(sf / vd)
            q = lambda e, n: {"name": n, "value": float(e["value"]),  # noqa: E731
                              "stderr": float(e["stderr"]), "unit": e.get("unit", ""),
                              "where": sec or "top level"}
            # the flags of the measurement go with its ratio: a comparison of a ratio resting
            # on an assumed field angle (52 standard errors off) was unflagged, --strict exit 0;
            # so do those of the fields it rests on, and the notes on them (a sign in doubt)
            flags = list(dict.fromkeys(f"{n}: {reason}" for e, n in ((fl, fl_name), (dl, dl_name))
                                       for reason in (e.get("flags") or ())))
            flags += _basis_flags(summary.get(sec) if sec else summary, OERSTED_BASIS, flags)
            notes += _source_notes(summary, sec)
            oersted = oersted_removal_note(summary, sec, fl_name, dl_name)
            notes += [oersted] if oersted else []
            return MeasuredRatio(float(r), float(s), q(fl, fl_name), q(dl, dl_name), float(c),
                                 source, tuple(notes), tuple(flags))
    if summary.get("analysis") == "thickness":
        raise ValueError(f"{source or 'summary'}: a thickness summary holds the spin transport "
                         "of the series (sigma_s, lambda_s, G_mix), not one sample's pair of "
                         "field-like and damping-like efficiencies, whose ratio changes with the "
                         "thickness: compare the summary.json of one sample's `sotfit stfmr` or "
                         "`sotfit hall` run (docs/walkthrough.md, the T-matrix step)")
    names = ", ".join(f"{a}/{b}" for a, b in RATIO_PAIRS)
    raise ValueError(f"{source or 'summary'}: no field-like and damping-like pair ({names}) with "
                     f"values in section(s) {[s or 'top level' for s in sections]}"
                     + _near_misses(summary, sections))


def _near_misses(summary: Mapping, sections) -> str:
    """What a summary written by hand holds in place of a pair, for the message: a name of
    the pairs as a bare number (``"xi_fl": 0.2``) or in other capitals (``xi_FL``); both were
    'no pair', as if nothing had been given."""
    known = {n for pair in RATIO_PAIRS for n in pair}
    said = []
    for sec in sections:
        held = summary.get(sec) if sec else summary
        if not isinstance(held, Mapping):
            continue
        for key, value in held.items():
            name = str(key)
            where = sec or "top level"
            if name in known and not isinstance(value, Mapping):
                said.append(f"{where} {name!r} is {value!r}, not an entry {{\"value\": ..., "
                            "\"stderr\": ..., \"unit\": ...}")
            elif name not in known and name.lower() in known:
                said.append(f"{where} {name!r} is written {name.lower()!r} in sotfit summaries")
    return ("; " + "; ".join(dict.fromkeys(said))) if said else ""


def _unit_ratio(fl: Mapping, dl: Mapping, fl_name: str, dl_name: str, where: str) -> float:
    """The factor that takes the field-like entry ``fl`` into the unit of the damping-like
    ``dl`` (1 where they are written in one unit): a summary edited by hand or put together
    from two sources gave a ratio 1e5 times off, unflagged, when the two were in different
    units (``1e5 Ohm^-1 m^-1`` and ``Ohm^-1 m^-1``, or ``%`` and a fraction)."""
    uf, ud = str(fl.get("unit") or ""), str(dl.get("unit") or "")
    if uf.strip() == ud.strip():
        return 1.0
    try:
        (one_f, house_f), (one_d, house_d) = to_house(1.0, uf), to_house(1.0, ud)
    except (UnitError, KeyError) as exc:
        # fields per unit current written with one denominator ('mT/mA' and 'Oe/mA', 'mT per
        # 1e11 A/m^2' and 'Oe per 1e11 A/m^2') were refused as unknown units: the common
        # denominator cancels in the ratio, and the numerators are compared
        top = _common_denominator(uf, ud)
        if top is None:
            raise ValueError(f"{where}: {fl_name} in {uf!r} and {dl_name} in {ud!r}: {exc}"
                             ) from None
        try:
            (one_f, house_f), (one_d, house_d) = to_house(1.0, top[0]), to_house(1.0, top[1])
        except (UnitError, KeyError) as exc2:
            raise ValueError(f"{where}: {fl_name} in {uf!r} and {dl_name} in {ud!r}: "
                             f"{exc2}") from None
    if house_f != house_d:
        raise ValueError(f"{where}: {fl_name} in {uf!r} and {dl_name} in {ud!r} are not "
                         f"quantities of one kind; their ratio is not the FL/DL ratio")
    return float(one_f / one_d)


def _common_denominator(uf: str, ud: str):
    """The numerators of two units that share a denominator written alike after ``/`` or
    ``per`` (``'mT/mA'``, ``'Oe/mA'`` -> ``('mT', 'Oe')``), or None."""
    def split(u):
        m = re.match(r"^\s*(.+?)\s*(?:/|\bper\b)\s*(.+?)\s*$", u)
        return (m.group(1), " ".join(m.group(2).split())) if m else None

    f, d = split(uf), split(ud)
    if f is None or d is None or f[1] != d[1]:
        return None
    return f[0], d[0]


def read_measured_ratio(path, **kwargs) -> MeasuredRatio:
    """:func:`measured_ratio` of a summary.json file (errors name the file)."""
    p = Path(path)
    if p.is_dir():
        inside = p / "summary.json"
        hint = (f" (it holds {inside}: give that)" if inside.is_file() else
                " (give the summary.json of a sotfit run)")
        raise ValueError(f"{p}: a folder, not a summary.json{hint}")
    try:
        summary = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{p}: not a readable summary.json ({exc})") from None
    if not isinstance(summary, Mapping):
        raise ValueError(f"{p}: not a sotfit summary (the JSON top level is not an object)")
    return measured_ratio(summary, source=str(p), **kwargs)


def parameter_value(model: ModelSpec, name: str, text: str, switches=()) -> float:
    """A value for parameter ``name`` of ``model`` from text with a unit, in the model's unit.

    Dimensionless parameters (unit ``""`` or ``m_e``) take a bare number, and so do angles
    (degrees, as everywhere in sotfit); every other needs its unit (``5meV``, ``17meVnm``,
    ``3ps``).

    Parameters
    ----------
    model : ModelSpec
    name : str
        A parameter of ``model``.
    text : str
        Its value as written.
    switches : collection of str
        Parameters of ``model`` that are switches of 0 or 1 (``THEORY_RATIOS[...]["switches"]``):
        named apart from the parameters in the message of an unknown name.

    Raises
    ------
    ValueError
        Unknown parameter (listing the known ones) or a value without its unit.
    """
    try:
        p = model.param(name)
    except ValueError:
        listed = [n for n in model.param_names if n not in switches]
        told = [n for n in model.param_names if n in switches]
        raise ValueError(f"{name!r} is not a parameter of {model.name}; its parameters are "
                         f"{', '.join(listed)}" + (f" (and its switches of 0 or 1: "
                                                   f"{', '.join(told)})" if told else "")
                         ) from None
    dim = _UNIT_DIMENSIONS.get(p.unit)
    if dim is None:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{name} = {text!r}: a number is needed ({p.unit or 'dimensionless'})"
                             ) from None
    try:
        # a bare angle is in degrees (docs/CONVENTIONS.md); every other dimension needs its unit
        house = quantity(str(text), dim, default_unit="deg" if dim == "angle" else None)
    except UnitError as exc:
        raise ValueError(f"{name} = {text!r}: {exc} (unit of {name}: {p.unit})") from None
    return house / to_house(1.0, p.unit, dim)[0]


def ratio_grid(model: ModelSpec, x, second: str | None, values, params: Mapping | None = None,
               invert: bool = False, errors: list | None = None) -> np.ndarray:
    """The model's ratio over ``x`` (its own variable) for every value of parameter ``second``.

    Parameters
    ----------
    model : ModelSpec
        Returns a ratio against x.
    x : array_like
        In the model's x unit.
    second : str or None
        A parameter of the model (None: a single row).
    values : array_like
        Its values, in the parameter's unit.
    params : mapping, optional
        Other parameters (model units).
    invert : bool
        Return 1/ratio (for a model that returns DL/FL).
    errors : list, optional
        Receives ``(x, value, message)`` of every point where the model refuses the
        parameters (e.g. outside the dilute limit of the T-matrix theory); those points are
        NaN.

    Returns
    -------
    ndarray, shape (len(x), len(values))
        Non-finite where the model has no value (a zero denominator, a refused point).
    """
    x = np.asarray(x, float)
    vals = [None] if second is None else list(np.asarray(values, float))
    out = np.empty((x.size, len(vals)))
    for j, v in enumerate(vals):
        kw = dict(params or {})
        if second is not None:
            kw[second] = float(v)
        with np.errstate(all="ignore"):
            try:
                y = np.asarray(model(x, **kw), float)
            except ValueError:
                # some point is refused: evaluate one by one, NaN where refused
                y = np.empty(x.size)
                for i, xv in enumerate(x):
                    try:
                        y[i] = float(np.asarray(model(np.array([xv]), **kw), float)[0])
                    except ValueError as exc:
                        y[i] = np.nan
                        if errors is not None:
                            errors.append((float(xv), None if v is None else float(v), str(exc)))
            if invert:
                # a damping-like part at the rounding level of the field-like one (the first
                # Born approximation has none: its DL/FL of 1e-17 gave FL/DL = +-1e17) is no
                # ratio, as an exact 0 is not
                zero = np.abs(y) <= VANISHING_RATIO
                y = np.where(zero, np.nan, 1.0 / np.where(zero, 1.0, y))
        out[:, j] = y
    return out


#: A model's DL/FL at or below this is no ratio (rounding of a vanishing damping-like part).
VANISHING_RATIO = 1e-12

#: Below this many standard errors of the damping-like value from zero the first-order standard
#: error of the ratio misleads (its distribution is far from normal); the note says so.
DENOMINATOR_SIGMAS = 5.0


def ratio_z(measured: MeasuredRatio, ratio) -> np.ndarray:
    """How far a ratio R lies from the measurement, in standard errors, by the exact test of
    FL - R DL = 0 (Fieller): (FL - R DL) / sqrt(s_FL^2 + R^2 s_DL^2 - 2 R c s_FL s_DL), a
    standard normal where the ratio is R and FL, DL are normal, whatever the error of DL.

    The first-order error of FL/DL is right only while DL is many standard errors from zero:
    with xi_DL = 0.010 +- 0.003 a theory ratio of 119 lay 4.6 first-order standard errors from
    the measured 50 +- 30 but 1.9 by this test (a Monte Carlo of the ratio gives a 95 % interval
    of [31, 121]).

    Parameters
    ----------
    measured : MeasuredRatio
        Its numerator and denominator values and standard errors, and their correlation.
    ratio : array_like
        Theory ratios R (FL/DL).

    Returns
    -------
    ndarray
        z, signed as theory minus measurement (z > 0 where R lies above the measured ratio);
        NaN where R is not finite.
    """
    n, d = measured.numerator, measured.denominator
    f, sf, dl, sd = float(n["value"]), float(n["stderr"]), float(d["value"]), float(d["stderr"])
    c = float(measured.correlation)
    r = np.asarray(ratio, float)
    with np.errstate(invalid="ignore", over="ignore"):
        var = sf * sf + r * r * sd * sd - 2.0 * r * c * sf * sd
        z = (f - r * dl) / np.sqrt(np.where(var > 0, var, np.nan)) * np.sign(dl)
    return -z


def consistency(theory, measured: MeasuredRatio, axes: Sequence, names: Sequence,
                units: Sequence, signed: bool = False) -> dict:
    """Where a theory grid agrees with a measured ratio (JSON-ready).

    Parameters
    ----------
    theory : ndarray (nx, ny)
        Theory FL/DL ratio.
    measured : MeasuredRatio
    axes : (array, array)
        Grid axes (their units in ``units``).
    names : (str, str)
    units : (str, str)
    signed : bool
        Compare signed values (default magnitudes).

    Returns
    -------
    dict
        ``z`` (array, not JSON), ``levels``: per 1 and 2 sigma the number and fraction of grid
        points within, the ranges of each parameter over them and the parameter ranges per
        value of the second axis; ``nearest`` (the grid point of smallest |z|, its theory
        value and z); ``consistent_1sigma`` / ``consistent_2sigma`` (anywhere on the grid);
        ``compared`` (``"magnitudes"`` or ``"signed values"``).
    """
    th = np.asarray(theory, float)
    if not signed:
        # a theory magnitude against the measured magnitude: the theory ratio taken with the
        # measured sign
        th = np.abs(th) * (1.0 if measured.value >= 0 else -1.0)
    z = ratio_z(measured, th)
    if not signed and measured.value < 0:
        # signed as |theory| minus |measurement| (the theory taken with the measured sign
        # turned z the other way where the measured ratio is negative)
        z = -z
    finite = np.isfinite(z)
    out = {"compared": "signed values" if signed else "magnitudes", "levels": {},
           "test": "exact: (FL - R DL) / its standard error at each theory ratio R (Fieller)"}
    for k in (1, 2):
        inside = finite & (np.abs(z) <= k)
        lev = {"points": int(inside.sum()), "fraction": float(inside.sum() / max(finite.sum(), 1))}
        for ax_i, (ax, n, u) in enumerate(zip(axes, names, units)):
            idx = np.nonzero(inside.any(axis=1 - ax_i))[0]
            lev[f"{n}_range"] = ([float(np.asarray(ax)[idx].min()), float(np.asarray(ax)[idx].max())]
                                 if idx.size else None)
            lev[f"{n}_unit"] = u
        # per value of the second parameter: the interval(s) of the first
        rows = []
        for j, yv in enumerate(np.asarray(axes[1])):
            col = inside[:, j]
            if col.any():
                xs = np.asarray(axes[0])[col]
                rows.append({names[1]: float(yv), f"{names[0]}_min": float(xs.min()),
                             f"{names[0]}_max": float(xs.max()), "points": int(col.sum())})
        lev["by_" + names[1]] = rows
        out["levels"][f"{k}_sigma"] = lev
    if finite.any():
        i, j = np.unravel_index(int(np.nanargmin(np.where(finite, np.abs(z), np.nan))), z.shape)
        out["nearest"] = {names[0]: float(np.asarray(axes[0])[i]),
                          names[1]: float(np.asarray(axes[1])[j]),
                          "theory_ratio": float(np.asarray(theory)[i, j]), "z": float(z[i, j])}
    else:
        out["nearest"] = None
    out["consistent_1sigma"] = out["levels"]["1_sigma"]["points"] > 0
    out["consistent_2sigma"] = out["levels"]["2_sigma"]["points"] > 0
    shown = th if signed else np.abs(th)
    out["theory_range"] = ([float(np.nanmin(shown)), float(np.nanmax(shown))] if finite.any()
                           else None)
    out["denominator_sigmas"] = float(abs(measured.denominator["value"])
                                      / measured.denominator["stderr"])
    out["z"] = z
    return out


def compare_ratio(model: ModelSpec, x, second: str | None, values, params: Mapping | None,
                  measured: MeasuredRatio, names: Sequence, units: Sequence,
                  invert: bool = False, signed: bool = False, sign: float = 1.0):
    """The theory ratio on a grid and where it agrees with a measured ratio.

    Parameters
    ----------
    model, x, second, values, params, invert
        As :func:`ratio_grid` (``second`` None: a single row, ``values`` then ``[nan]``).
    measured : MeasuredRatio
    names, units : (str, str)
        Names and units of the two axes, as :func:`consistency`.
    signed : bool
        As :func:`consistency`.
    sign : float
        +1 or -1: the model's ratio times it is the FL/DL ratio of the fields' basis of
        docs/CONVENTIONS.md (:data:`THEORY_RATIOS`).

    Returns
    -------
    theory : ndarray (nx, ny)
        Theory FL/DL ratio (NaN where the model refuses a point).
    consistency : dict or None
        :func:`consistency` without ``z`` (None when the model refuses every point).
    z : ndarray (nx, ny) or None
        (theory - measured) / sigma of the measured ratio.
    refused : list
        The points the model refused, as the ``errors`` of :func:`ratio_grid`.
    """
    refused = []
    theory = sign * ratio_grid(model, x, second, values, params, invert=invert, errors=refused)
    if refused and len(refused) == theory.size:
        return theory, None, None, refused
    res = consistency(theory, measured, (x, values), names, units, signed=signed)
    return theory, res, res.pop("z"), refused
