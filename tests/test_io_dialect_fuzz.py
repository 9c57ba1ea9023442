"""Lab dialects combined at random: the bundled example tables (ST-FMR spectra and harmonic Hall
rotations) rewritten with a random delimiter, decimal commas and thousands separators, typeset
minus signs, commas between thousands with decimal points, a preamble (comments, ``key: value``
entries, settings of two cells, a MultiVu ``[Header]``, a LabVIEW measurement file's headers),
Origin's names-and-units rows, a column
of time stamps, quotes, trailing delimiters, CRLF line ends and a Windows, UTF-8 or UTF-16
encoding. Every combination must read as the
same numbers, bit for bit, as the CSV it was made from (the digits are never changed, only how
they are written)."""

import random
from pathlib import Path

import numpy as np
import pytest

from sotfit.io import read_stfmr
from sotfit.io.hall import read_hall

ROOT = Path(__file__).resolve().parents[1]
STFMR = sorted((ROOT / "data" / "stfmr_example").glob("py_pt_*GHz.csv"))
HALL = sorted((ROOT / "data" / "hall_example" / "inplane").glob("phi_*.csv"))
#: Field sweeps (with phi_h, theta_h and m_z-state columns) and polar rotations.
PMA = sorted((ROOT / "data" / "hall_example" / "pma").glob("*.csv"))
HALL_OPTIONS = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X",
                    gain_2w=10.0)


def _parts(path):
    lines = path.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    return head, lines[len(head)].split(","), [r.split(",") for r in lines[len(head) + 1:]]


def _dialect(rng):
    """A random combination of the ways labs write a table."""
    d = {"delim": rng.choice([",", "\t", ";", " "])}
    d["decimal_comma"] = d["delim"] != "," and rng.random() < 0.4
    d["thousands"] = d["decimal_comma"] and rng.random() < 0.3
    d["minus"] = rng.random() < 0.15
    d["units_row"] = d["delim"] != " " and rng.random() < 0.3
    d["time_column"] = d["delim"] != " " and rng.random() < 0.25
    preambles = ["none", "comments", "entries"] + (["settings"] if d["delim"] != " " else []) \
        + (["multivu"] if d["delim"] == "," else []) \
        + (["lvm"] if d["delim"] in ("\t", ",") else [])
    d["preamble"] = rng.choice(preambles)
    multivu = d["preamble"] in ("multivu", "lvm")    # a program's own layout around the table
    if multivu:
        d["decimal_comma"] = d["decimal_comma"] and d["preamble"] == "lvm"
        d["thousands"] = d["units_row"] = False
        d["time_column"] = d["time_column"] and d["preamble"] == "multivu"
    d["quote"] = d["delim"] in (",", ";") and not multivu and rng.random() < 0.15
    # commas between thousands with decimal points: bare where the comma is no delimiter, in
    # double quotes in a comma file
    d["us_thousands"] = (not d["decimal_comma"] and not multivu and rng.random() < 0.3
                         and (d["delim"] != "," or d["quote"]))
    d["trailing"] = d["delim"] != " " and not multivu and rng.random() < 0.15
    d["crlf"] = rng.random() < 0.2
    d["encoding"] = rng.choice(["utf-8", "utf-8-sig", "utf-16", "utf-16-le"]
                               + ([] if d["minus"] else ["cp1252"]))
    return d


def _number(cell, d):
    """``cell`` written in dialect ``d`` (the same digits)."""
    if d["thousands"] and abs(float(cell)) >= 1000:
        decimals = len(cell.split(".")[1]) if "." in cell else 0
        cell = f"{float(cell):_.{decimals}f}".replace(".", "D").replace("_", ".").replace("D", ",")
    elif d["decimal_comma"]:
        cell = cell.replace(".", ",")
    elif d["us_thousands"] and abs(float(cell)) >= 1000:
        whole, point, fraction = cell.lstrip("-").partition(".")
        cell = ("-" if cell.startswith("-") else "") + f"{int(whole):,}" + point + fraction
    return cell.replace("-", "\u2212") if d["minus"] else cell


def _written(head, names, rows, d, rng):
    """The bytes of the table in dialect ``d``."""
    sep = d["delim"] if d["delim"] != " " else "  "
    quote = (lambda s: f'"{s}"') if d["quote"] else (lambda s: s)
    time = ["Time"] if d["time_column"] else []
    lines = {"none": [], "comments": ["# measured by the lab", "% lock-in SR830"],
             "entries": ["Date/time start measurement:\t05.12.2024 10:31:07",
                         "Samplename: Py/Pt bar 3", "Operator = AB"],
             "settings": [sep.join(p) for p in [("Instrument", "SR830"),
                                                ("Time constant (ms)", "300")]],
             "multivu": [], "lvm": []}[d["preamble"]] + head
    if d["preamble"] == "lvm":                   # LabVIEW's Write To Measurement File
        s = d["delim"]
        info = [s.join(h[2:].split(": ", 1)) for h in head if ": " in h]
        lines = [f"LabVIEW Measurement{s}", f"Writer_Version{s}2",
                 f"Separator{s}{'Tab' if s == chr(9) else 'Comma'}",
                 f"Decimal_Separator{s}{',' if d['decimal_comma'] else '.'}",
                 f"X_Columns{s}No", *info, f"***End_of_Header***{s}", "",
                 f"Channels{s}{len(names)}{s}", f"***End_of_Header***{s}",
                 s.join([*names, "Comment"])]
        lines += [s.join(_number(c, d) for c in r) + (s if d["trailing"] else "") for r in rows]
    elif d["preamble"] == "multivu":
        info = [f"INFO,{h[2:].split(': ', 1)[1]},{h[2:].split(': ', 1)[0]}" for h in head
                if ": " in h]
        lines = ["[Header]", "; MultiVu", "TITLE,x", *info, "[Data]",
                 ",".join(["Comment", "Time Stamp (sec)", *names, "Empty (K)"])]
        lines += [",".join(["", f"{i * 0.5:.1f}", *[_number(c, d) for c in r], ""])
                  for i, r in enumerate(rows)]
    else:
        if d["units_row"]:
            lines.append(sep.join(time + [quote(n.split(" (")[0]) for n in names]))
            lines.append(sep.join([""] * len(time) + [n.split(" (")[1][:-1] if " (" in n else ""
                                                      for n in names]))
        else:
            lines.append(sep.join(time + [quote(n) for n in names]))
        for i, r in enumerate(rows):
            cells = [f"2026-12-04 10:{i // 60 % 60:02d}:{i % 60:02d}"] * len(time) + [
                quote(_number(c, d)) if d["quote"] and (rng.random() < 0.5 or "," in
                                                         _number(c, d)) else _number(c, d)
                for c in r]
            lines.append(sep.join(cells) + (d["delim"] if d["trailing"] else ""))
    end = "\r\n" if d["crlf"] else "\n"
    return (end.join(lines) + end).encode(d["encoding"])


def _rewrite(files, folder, seed, keep_head):
    rng = random.Random(seed)
    d = _dialect(rng)
    out = []
    for p in files:
        head, names, rows = _parts(p)
        target = folder / (p.stem + {"multivu": ".dat", "lvm": ".lvm"}.get(d["preamble"], ".txt"))
        target.write_bytes(_written(head if keep_head else [], names, rows, d, rng))
        out.append(target)
    return out, d


@pytest.mark.parametrize("seed", range(40))
def test_stfmr_dialects_read_as_the_csv(tmp_path, seed):
    files, d = _rewrite(STFMR, tmp_path, seed, keep_head=True)
    for src, f in zip(STFMR, files):
        ref, got = read_stfmr(src), read_stfmr(f)
        assert len(got) == len(ref), d
        for a, b in zip(ref, got):
            np.testing.assert_array_equal(b.x, a.x, err_msg=str(d))
            np.testing.assert_array_equal(b.y, a.y, err_msg=str(d))
            assert b.meta["frequency"] == a.meta["frequency"]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("example", ["inplane", "pma"])
def test_hall_dialects_read_as_the_csv(tmp_path, seed, example):
    source = HALL if example == "inplane" else PMA
    files, d = _rewrite(source, tmp_path, seed, keep_head=False)
    ref, got = read_hall(source, **HALL_OPTIONS), read_hall(files, **HALL_OPTIONS)
    assert len(got) == len(ref), d
    for a, b in zip(ref, got):
        for harmonic in ("r1w", "r2w"):
            np.testing.assert_array_equal(getattr(b, harmonic).x, getattr(a, harmonic).x,
                                          err_msg=str(d))
            np.testing.assert_array_equal(getattr(b, harmonic).y, getattr(a, harmonic).y,
                                          err_msg=str(d))
