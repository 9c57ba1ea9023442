"""Preamplifier gains written in a file's preamble (``# gain_2w = 100``, ``SR560 gain: 100``,
``Gain 2f (dB): 40``): the readers of ST-FMR and harmonic Hall files find them here, and ask
whether the readings hold them, since the file does not say (docs/io.md, docs/hall.md).
"""

from __future__ import annotations

import re

__all__ = ["gain_entry", "gain_factor", "gain_in_name", "gain_in_text"]

#: The word gain in an entry's name (``gain_2w``, ``SR560 gain on 2f channel``, ``Lock-in 2
#: preamp gain``, ``Amplifier gain 2nd harmonic``, ``preamp gain``), or an amplifier named
#: without it (``Preamp 2f``, ``Preamplifier (2nd harmonic)``, ``Amplification 2w``,
#: ``Amplifier factor 2f``, ``SR560``). An anchored pattern missed six of nine spellings labs
#: write: H_DL came out 100 times too large, no word.
_GAIN_WORD_RE = re.compile(r"(?<![a-z])(?:pre)?(?:amp(?:lifier)?)?[_\s-]*gain(?![a-z])"
                           # an amplifier named without the word gain ('Preamp 2f: x100',
                           # 'Amplification 2w', 'SR560: x100'): 100 times too large, no word
                           r"|(?<![a-z])(?:pre[_\s-]*amp(?:lifier)?|amplifier|amplification)"
                           r"(?![a-z])|(?<![a-z0-9])sr5[56]\d(?![0-9])", re.I)
#: The harmonic an entry's name says: ``2w``, ``2f``, ``2omega``, ``2nd harmonic``, ``second``
#: (``1w``, ``1st``, ``first`` for the first); a digit without one of these (``Lock-in 2``) says
#: none.
_HARMONIC_RE = re.compile(r"(?<![0-9.])(?P<h>[12])\s*(?:st|nd)?\s*[_-]?\s*"
                          r"(?:w|f|omega|ω|harmonic|harm)(?![a-z])"
                          r"|(?P<word>first|second)(?![a-z])", re.I)
#: A gain's value: a number, optionally ``x``-prefixed or in dB.
_GAIN_VALUE_RE = re.compile(r"^\s*[x×]?\s*(?P<v>[0-9.]+(?:[eE][-+]?\d+)?)\s*(?P<db>dB)?\s*[x×]?\s*$")


#: An amplifier of the microwave power (``RF amplifier: 30 dB``), which does not scale the
#: voltages read.
_RF_RE = re.compile(r"(?<![a-z])(?:rf|microwave|mw|hf|power|pa)(?![a-z])", re.I)


def gain_entry(key: str, value: str) -> tuple[str, set[int]] | None:
    """The gain a preamble entry writes, as written (`` dB`` added where only its name says
    dB), and the harmonics its name names (empty: none); None for an entry that is not a gain.

    Parameters
    ----------
    key, value : str
        The entry's name and value (``'SR560 gain on 2f channel'``, ``'100'``).
    """
    if _GAIN_WORD_RE.search(key) is None or _GAIN_VALUE_RE.match(value) is None \
            or _RF_RE.search(key) is not None:
        return None
    said = {int(m.group("h")) if m.group("h") else (1 if m.group("word").lower() == "first"
                                                      else 2)
            for m in _HARMONIC_RE.finditer(key)}
    in_db = re.search(r"\bdb\b", key.lower()) and "db" not in value.lower()
    return value.strip() + (" dB" if in_db else ""), said


def gain_factor(text: str) -> float:
    """The voltage gain (a factor) of a gain as :func:`gain_entry` gives it: ``'x100'`` 100,
    ``'40 dB'`` 100."""
    m = re.search(r"[0-9.]+(?:[eE][-+]?\d+)?", text)
    number = float(m.group(0))
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


#: A gain written in text (a header entry's value, a remark): ``gain = 100``, ``gain 1e2``,
#: ``gain: 40 dB``, ``(gain 100)``. A digit followed by a letter (``gain 2f``) is a harmonic.
_TEXT_GAIN_RE = re.compile(
    r"(?<![a-z])gain\s*(?:[:=]|of|is|set\s+to|at)?\s*[x\u00d7]?\s*"
    r"(?P<v>\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*(?P<db>db)?(?![\w.])", re.I)
#: A multiplier (``x100``, ``100x``, ``100 x``, ``×100``) or ``N dB`` in text that names an
#: amplifier (``preamp x100``, ``amplified 100x by an SR560``, ``after a 20 dB preamp``).
_TEXT_FACTOR_RE = re.compile(
    r"(?<![\w.])[x\u00d7]\s*(?P<a>\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?![\w.])"
    r"|(?<![\w.])(?P<b>\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*[x\u00d7](?![a-z0-9])"
    r"|(?<![\w.])(?P<db>\d+(?:\.\d+)?)\s*db(?![a-z])", re.I)
#: Words that name an amplifier in text, or what it did (``amplified``).
_AMPLIFIER_TEXT_RE = re.compile(r"(?<![a-z])(?:pre[_\s-]*amp\w*|amplif\w*)|(?<![a-z0-9])"
                                r"sr5[56]\d(?![0-9])", re.I)


def gain_in_text(text: str) -> str | None:
    """The gain (as written: ``'100'``, ``'40 dB'``) that a line of text writes for an
    amplifier, or None: ``gain`` followed by a number anywhere (``Preamplifier: SR560, gain
    100``, ``Settings: SR560 gain=100, filter 3 kHz``), or a multiplier or dB figure in a
    clause that names an amplifier (``Lock-in sensitivity 1 mV; preamp x100``, ``signal
    amplified 100x by an SR560``). :func:`gain_entry` reads the entries whose value is the
    gain alone; these were read without a word (torques 10 or 100 times too large)."""
    for clause in re.split(r"[;,()\[\]]|\.\s", text):
        if _RF_RE.search(clause) is not None:     # the microwave power's amplifier
            continue
        m = _TEXT_GAIN_RE.search(clause)
        if m is not None:
            return m.group("v") + (" dB" if m.group("db") else "")
        if _AMPLIFIER_TEXT_RE.search(clause) is None:
            continue
        f = _TEXT_FACTOR_RE.search(clause)
        if f is not None:
            return f.group("a") or f.group("b") or f"{f.group('db')} dB"
    return None
