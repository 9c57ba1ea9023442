"""Preamplifier gains written in a file's preamble (``# gain_2w = 100``, ``SR560 gain: 100``,
``Gain 2f (dB): 40``): the readers of ST-FMR and harmonic Hall files find them here, and ask
whether the readings hold them, since the file does not say (docs/io.md, docs/hall.md).
"""

from __future__ import annotations

import re

from .brackets import split_outside_brackets

__all__ = ["gain_entry", "gain_factor", "gain_in_name", "gain_in_text", "gains_in_text"]

#: The word gain in an entry's name (``gain_2w``, ``SR560 gain on 2f channel``, ``Lock-in 2
#: preamp gain``, ``Amplifier gain 2nd harmonic``, ``preamp gain``), or an amplifier named
#: without it (``Preamp 2f``, ``Preamplifier (2nd harmonic)``, ``Amplification 2w``,
#: ``Amplifier factor 2f``, ``SR560``). An anchored pattern missed six of nine spellings labs
#: write: H_DL came out 100 times too large, no word.
_GAIN_WORD_RE = re.compile(r"(?<![a-z])(?:pre)?(?:amp(?:lifier)?)?[_\s-]*"
                           r"(?:gain|verst(?:ae|\u00e4)rkung|ganancia|guadagno|versterking)"
                           r"(?![a-z])"
                           # an amplifier named without the word gain ('Preamp 2f: x100',
                           # 'Amplification 2w', 'SR560: x100', 'Ampli 2w', 'Amp. factor (2f)'):
                           # 100 times too large, no word
                           r"|(?<![a-z])(?:pre[_\s-]*amp(?:lifier)?|amplifier|amplification|ampli"
                           r"|amp\.|amp(?=\s*factor)|(?:vor)?verst(?:ae|\u00e4)rker|ithaco)(?![a-z])"
                           r"|(?<![a-z0-9])sr5[56]\d(?![0-9])",
                           re.I)
#: The harmonic an entry's name says: ``2w``, ``2f``, ``2omega``, ``2nd harmonic``, ``second``
#: (``1w``, ``1st``, ``first`` for the first); a digit without one of these (``Lock-in 2``) says
#: none.
_HARMONIC_RE = re.compile(r"(?<![0-9.])(?P<h>[12])\s*(?:st|nd)?\s*[_-]?\s*"
                          r"(?:w|f|omega|ω|harmonic|harm)(?![a-z])"
                          r"|(?P<word>first|second)(?![a-z])", re.I)
#: A gain's value: a number, optionally ``x``-prefixed or in dB.
_GAIN_VALUE_RE = re.compile(r"^\s*[x×]?\s*(?P<v>[0-9.]+(?:[eE][-+]?\d+)?)\s*(?P<db>dB)?\s*[x×]?\s*$")


def gain_entry(key: str, value: str) -> tuple[str, set[int]] | None:
    """The gain a preamble entry writes, as written (`` dB`` added where only its name says
    dB), and the harmonics its name names (empty: none); None for an entry that is not a gain.

    Parameters
    ----------
    key, value : str
        The entry's name and value (``'SR560 gain on 2f channel'``, ``'100'``).
    """
    if _GAIN_WORD_RE.search(key) is None or _GAIN_VALUE_RE.match(value) is None \
            or _NOT_VOLTAGE_GAIN_RE.search(key) is not None:
        return None
    said = {int(m.group("h")) if m.group("h") else (1 if m.group("word").lower() == "first"
                                                      else 2)
            for m in _HARMONIC_RE.finditer(key)}
    in_db = re.search(r"\bdb\b", key.lower()) and "db" not in value.lower()
    return value.strip() + (" dB" if in_db else ""), said


def gain_factor(text: str) -> float:
    """The voltage gain (a factor) of a gain as :func:`gain_entry` or :func:`gain_in_text`
    gives it: ``'x100'`` 100, ``'40 dB'`` 100, ``'10^2'`` 100."""
    m = re.search(r"([0-9.]+(?:[eE][-+]?\d+)?)(?:\^([-+]?\d+))?", text)
    number = float(m.group(1)) ** (float(m.group(2)) if m.group(2) else 1.0)
    return 10 ** (number / 20) if "db" in text.lower() else number


#: A gain written in a column's name: ``X2 x100 (V)``, ``Vmix*10``, ``Vmix x 100``,
#: ``100xVmix``, ``X2_gain100``, ``V2w gain 100``, ``Vmix_amp100``, ``after 20 dB preamp``, or
#: in a bracket of its own (``Vmix (uV) [x10]``). ``x1``, ``X2`` are the lock-in channels of the
#: harmonics, no gain. These were read as they stand: torques 10 or 100 times too large.
_NAME_GAIN_RE = re.compile(
    r"(?:^|[\s_])(?:[x\u00d7*]\s*(?P<a>(?:[3-9]|\d{2,})(?:\.\d+)?)"
    r"|(?:gain|(?:pre)?amp(?:lifier|lification)?)[\s_=]*(?P<b>\d+(?:\.\d+)?))(?=$|[\s_(\[])"
    r"|(?:^|[\s_])(?P<c>\d+(?:\.\d+)?)\s*[x\u00d7](?=[a-z])"
    r"|(?<![\w.])(?P<db>\d+(?:\.\d+)?)\s*db(?![a-z])"
    r"|\*\s*(?P<e>\d+(?:\.\d+)?)(?![\w.])", re.I)
#: A bracket of its own that holds a gain (``[x10]``, ``(gain 100)``).
_BRACKET_RE = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


def gain_in_name(name: str) -> str | None:
    """The gain (a factor, as text) a column's name writes outside its unit (``'X2 x100 (V)'``
    -> ``'100'``, ``'Vmix after 20 dB preamp (uV)'`` -> ``'10'``, ``'Vmix (uV) [x10]'`` ->
    ``'10'``), or None."""
    text = str(name)
    parts = [_BRACKET_RE.sub(" ", text)] + _BRACKET_RE.findall(text)
    for part in parts:
        m = _NAME_GAIN_RE.search(part.strip())
        if m is None:
            continue
        if m.group("db"):
            return f"{10 ** (float(m.group('db')) / 20):g}"
        return m.group("a") or m.group("b") or m.group("c") or m.group("e")
    return None


#: A clause naming something that is no voltage amplifier before the lock-in: the microwave
#: chain (a synthesizer, a booster, an attenuator, rf amplifiers by their models), the magnet
#: and its field probe, controllers, the lock-in's own input gain (which its readings undo),
#: an oscilloscope's scale. A gain there does not scale V_mix or V_2w. (A filter's slope,
#: ``24 dB/oct``, is no factor: :data:`_TEXT_FACTOR_RE` passes it over.)
_RF_CHAIN = (r"rf|microwave|mw|synthesi[sz]er|source|booster|attenuat\w*|zhl|zva|zx60|zve|zfl|"
             r"power\s*amp\w*|generator|mini-?circuits|hp\s*83\d*|agilent\s*83\d*|"
             r"keysight\s*83\d*|bias[\s-]*tee|dbm|ghz|antenna|horn|dbi")
_OTHER_INSTRUMENTS = (r"magnet|supply|gaussmeter|teslameter|hall\s*probe|field\s*probe|pid|"
                      r"controller|lakeshore|oscilloscope|scope|ac\s*gain|lock-?in\s+amplifiers?|"
                      r"corner|reference|cmrr|common[\s-]*mode|bandwidth|roll-?off|per\s*oct\w*|"
                      r"photodiode|calibration|g-?factor|land[e\u00e9]|gyromagnetic|"
                      r"conductance|averag\w*|loop|servo|feedback|heater|temperature|"
                      r"proportional|integral")
_NOT_VOLTAGE_GAIN_RE = re.compile(rf"(?<![a-z])(?:{_RF_CHAIN}|{_OTHER_INSTRUMENTS})(?![a-z])"
                                  r"|-\s*3\s*db", re.I)
#: The microwave chain: a clause (between semicolons) that names it is passed over whole (its
#: amplifier's dB after a comma: 'source at 15 dBm, then a 30 dB amplifier').
_RF_CHAIN_RE = re.compile(rf"(?<![a-z])(?:{_RF_CHAIN})(?![a-z])", re.I)
#: Another instrument or a specification: only the part (between commas) that names it is
#: passed over ('Preamp SR560, gain 100, CMRR > 90 dB' lost its gain to the CMRR).
_OTHER_INSTRUMENT_RE = re.compile(rf"(?<![a-z])(?:{_OTHER_INSTRUMENTS})(?![a-z])|-\s*3\s*db",
                                  re.I)
#: The harmonic or signal a gain belongs to: ``2w``, ``1f``, ``mix``, ``2nd``.
_HARMONIC = r"(?:[12]\s*(?:w|f|omega)|mix|2nd|1st)"
#: The subscript of a gain's symbol: ``G2w``, ``G_2w``, ``G_mix`` (none: ``G``).
_GAIN_SUBSCRIPT = rf"(?:_?{_HARMONIC})?"
#: Words naming the voltage a gain scales (``voltage``, ``V_2w``, ``2nd``, ``harmonic``).
_VOLTAGE_WORDS = (r"voltages?|signals?|v_?mix|v_?[12]\s*(?:w|f|omega)|(?<![0-9.])[12]\s*"
                  r"(?:w|f|omega|nd|st)|harmonics?")
#: Words that name a voltage amplifier (or what it did) in text.
_AMPLIFIER_TEXT_RE = re.compile(
    r"(?<![a-z])(?:pre[_\s-]*amp\w*|amplif\w*|ampli|amp|(?:vor)?verst(?:ae|\u00e4)rk\w*|"
    r"ganancia|guadagno|versterk\w*|ithaco|multipl\w*|boost\w*)(?![a-z])"
    r"|(?<![a-z0-9])sr-?5[56]\d(?![0-9])|(?<![a-z])(?:dlpva|femto|li-?75a?|lna)(?![a-z])"
    # a gain's symbol ('G=100', 'G_2w = 10', 'G_mix=100'; a capital G: 'g=2.05' is Lande's)
    # and a factor x N after the signal it scales ('signal x100', 'V2w x10', 'Vmix (x100)',
    # '2w: x10', 'second harmonic x10', '2w channel x10'): the torques came out 10 or 100
    # times too large, no word
    r"|(?<![a-zA-Z])(?-i:G)" + _GAIN_SUBSCRIPT + r"\s*=\s*\+?\d"
    rf"|(?<![a-z])(?:{_VOLTAGE_WORDS}|channels?)(?![a-z])[^;]*?(?<![\w.])[x\u00d7]\s*\d",
    re.I)
#: A word naming the voltage a gain may scale (``voltage gain, 100``, ``2w gain, 10``).
_VOLTAGE_WORD_RE = re.compile(rf"(?<![a-z])(?:{_VOLTAGE_WORDS})(?![a-z])", re.I)
#: A number as texts write a gain: ``100``, ``+40``, ``1e2``, ``10^2``.
_GAIN_NUMBER = r"[+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?:\^[-+]?\d+)?"
#: ``gain`` followed by its number (``gain = 100``, ``gain 1e2``, ``Gain = +40 dB``).
_TEXT_GAIN_RE = re.compile(
    r"(?<![a-z])(?:gain|ganancia|guadagno|versterking|verst(?:ae|\u00e4)rkung)"
    # the harmonic it belongs to ('gain_2w 100', 'gain 1f: 10'), and a comma before the value
    rf"(?:[\s_]*{_HARMONIC}(?![a-z]))?\s*"
    r"(?:(?P<comma>,)|[:=]|of|is|set\s+to|at)?\s*[x\u00d7]?\s*(?P<v>" + _GAIN_NUMBER
    + r")(?![\w.^])(?!\s*db\s*/)\s*(?P<db>db(?![a-z/]))?", re.I)     # not a roll-off: 24 dB/oct
#: A factor in a clause that names an amplifier: ``x100``, ``100x``, ``100 V/V``, ``100
#: times``, ``100-fold``, ``40 dB`` (not ``24 dB/oct``), ``by (a factor of) 100``, ``set to
#: 100``, ``factor (2f): 100``, ``G=100``, ``G100``.
_TEXT_FACTOR_RE = re.compile(
    r"(?<![\w.])[x\u00d7]\s*(?P<a>" + _GAIN_NUMBER + r")(?![\w.^])"
    r"|(?<![\w.^])(?P<b>" + _GAIN_NUMBER + r")\s*(?:[x\u00d7]|v/v|-?\s*fold|-?\s*fach|\s+times)"
    r"(?![a-z0-9])(?!\s*\d)"
    r"|(?<![\w.^])(?P<db>" + _GAIN_NUMBER + r")\s*db(?![a-z/])(?!\s*/)"
    r"|(?:by(?:\s+a\s+factor\s+of)?|factor\s+of|set\s+to)\s+(?P<c>" + _GAIN_NUMBER
    + r")(?![\w.^])"
    r"|(?:(?<!g-)(?<!g )(?<![a-z])factor(?:\s*\([^()]*\))?\s*[:=]?|(?<![a-zA-Z])(?-i:G)"
    + _GAIN_SUBSCRIPT + r"\s*=|(?<![a-zA-Z0-9])(?-i:G)(?=\d))\s*"
    r"(?P<d>" + _GAIN_NUMBER + r")(?![\w.^])"
    # 'PreAmp 100', 'preamp (2w) 100', 'Ithaco 1201: 100': a number alone after the
    # amplifier's name and its bracket, ending the clause
    r"|(?:amp\w*|ithaco\s*\d*|sr-?5[56]\d|verst\w*|li-?75a?|dlpva[-\w]*|multiplier)\s*"
    r"(?:\([^()]*\))?\s*[:=]?\s*(?P<e>" + _GAIN_NUMBER + r")\s*(?=(?:\([^()]*\))?\s*(?:$|[,;]))",
    re.I)
#: A unit after a number (``2 A/V``, ``10 mV/div``, ``40 um``, ``300 ms``) makes it no voltage
#: gain; units the unit parser has no dimension for.
_OTHER_UNITS = {"ms", "us", "ns", "ps", "min", "h", "k", "div", "oct", "dec", "dbm", "dbv",
                "w", "mw", "uw", "ppm", "ohms", "v/v"}
#: The word after a number: letters, a unit's signs (``%``, ``/``, ``\u00b5``, ``\u03a9``).
_NEXT_WORD_RE = re.compile(r"\s*([^\s,;:()\[\]=]+)")


def _is_unit(word: str) -> bool:
    """Whether ``word`` is a unit (``um``, ``mV/div``, ``A/V``, ``ms``); ``V/V`` is a gain's."""
    from ..units import UnitError, normalise_unit

    word = word.rstrip(".")
    if word.lower() == "v/v":
        return False
    for part in dict.fromkeys((word, word.split("/")[0])):
        if part.lower() in _OTHER_UNITS:
            return True
        try:
            normalise_unit(part)
            return True
        except UnitError:
            continue
    return False


#: Words after a number that count (``x 3 averages``, ``x4 channels``): no gain.
_COUNT_WORDS = {"average", "averages", "avg", "avgs", "channel", "channels", "sweep", "sweeps",
                "scan", "scans", "repeat", "repeats", "repetition", "repetitions", "point",
                "points", "sample", "samples", "cycle", "cycles", "run", "runs", "trace",
                "traces", "shot", "shots", "file", "files", "turns", "periods"}


def _followed_by_unit(text: str, end: int) -> bool:
    """Whether the number ending at ``end`` in ``text`` is followed by a unit (words of a
    sentence, ``preamp``, ``times``, ``low-noise``, are none: they were taken for units and a
    gain of 100 read past)."""
    m = _NEXT_WORD_RE.match(text, end)
    return m is not None and (_is_unit(m.group(1))
                              or m.group(1).lower().rstrip(".") in _COUNT_WORDS)


def gain_in_text(text: str) -> str | None:
    """The gain (as written: ``'100'``, ``'40 dB'``) that a line of text writes for a voltage
    amplifier, or None: the first of :func:`gains_in_text` other than 1 (``x1 on 1w, x10 on
    2w`` gave the 1 and the 10 was never read), else the first."""
    found = gains_in_text(text)
    return next((g for g in found if gain_factor(g) != 1.0), found[0] if found else None)


def gains_in_text(text: str) -> list[str]:
    """The gains (as written: ``'100'``, ``'40 dB'``) that a line of text writes for a voltage
    amplifier, in order (empty: none): ``gain`` followed by a number (``Preamplifier: SR560, gain 100``), or
    a factor (``x100``, ``100x``, ``100 V/V``, ``40 dB``, ``by 100``) in a clause that names an
    amplifier (``Preamp: SR560 (x10), DC coupled``, ``signal amplified 100x by an SR560``).
    Clauses (the parts between semicolons) that name the microwave chain, the magnet, a
    controller, a filter or the lock-in's own input gain are passed over, and so is a number
    followed by a unit (``gain 2 A/V``, ``10 x 40 um``). :func:`gain_entry` reads the entries
    whose value is the gain alone; these were read without a word (torques 10 or 100 times
    too large)."""
    found: list[str] = []
    for clause in text.split(";"):
        # the parts between commas (outside brackets) that name no other instrument: 'Preamp
        # SR560, gain 100, CMRR > 90 dB' lost its gain to the CMRR
        if _RF_CHAIN_RE.search(clause) is not None:
            continue
        parts = split_outside_brackets(clause)
        clause = ",".join(part for part in parts if _OTHER_INSTRUMENT_RE.search(part) is None)
        if not clause.strip():
            continue
        before = len(found)
        for m in _TEXT_GAIN_RE.finditer(clause):
            if m.group("comma") and clause[:m.start()].strip() \
                    and _AMPLIFIER_TEXT_RE.search(clause[:m.start()]) is None \
                    and _VOLTAGE_WORD_RE.search(clause[:m.start()]) is None:
                continue    # 'X gain, 2' of a setting list: a voltage's gain only if so named
            if m.group("db") or not _followed_by_unit(clause, m.end("v")):
                found.append(m.group("v") + (" dB" if m.group("db") else ""))
        if len(found) > before or _AMPLIFIER_TEXT_RE.search(clause) is None:
            continue
        for f in _TEXT_FACTOR_RE.finditer(clause):
            if f.group("db"):
                found.append(f"{f.group('db')} dB")
                continue
            number = f.group("a") or f.group("b") or f.group("c") or f.group("d") or f.group("e")
            end = next(f.end(g) for g in "acde" if f.group(g)) if not f.group("b") else f.end()
            if f.group("b") or not _followed_by_unit(clause, end):
                found.append(number)
    return found
