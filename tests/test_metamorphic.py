"""Metamorphic tests: rewriting a file the way another lab would write it changes no number.

For the bundled sets and the shared real sets (skipped when absent), each transformation below
must leave every reported quantity of summary.json unchanged to 1e-9 relative:

* the data rows in reverse order;
* the field in another unit (mT or Oe -> T, written with full precision);
* the columns renamed, and read through ``--column`` / ``--column-unit``;
* one long file holding every spectrum (a frequency column) instead of one file per spectrum,
  and back.

The Hall methods have their own metamorphic cases (negated voltages with the sign of R_AHE and
R_PHE, split scans) in ``tests/test_hall_metamorphic.py``.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import fuzzing
from sotfit.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "stfmr_example"
THICKNESS = ROOT / "data" / "thickness_example"
SAMPLE = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
          "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak", "--delta-r",
          "0.5Ohm"]
FILES = sorted(EXAMPLE.glob("py_pt_*GHz.csv"), key=lambda p: int(p.stem.split("_")[-1][:-3]))


def _run(argv, out: Path) -> dict:
    assert main([*argv, "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


def _same(a: dict, b: dict):
    diff = fuzzing.same_numbers(a, b, rtol=1e-9)
    assert diff == [], diff[:10]
    assert fuzzing.numbers(a), "no numbers compared"


def _parts(path: Path):
    """(comment lines, header line, data rows as float arrays) of a bundled example file."""
    lines = path.read_text().splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if ln and not ln.startswith("#")]
    return comments, body[0], np.array([[float(c) for c in r.split(",")] for r in body[1:]])


def _write(path: Path, comments, header, rows):
    text = "\n".join([*comments, header, *(",".join(repr(float(v)) for v in r) for r in rows)])
    path.write_text(text + "\n")
    return path


@pytest.fixture(scope="module")
def stfmr_base(tmp_path_factory):
    d = tmp_path_factory.mktemp("stfmr-base")
    return _run(["stfmr", *map(str, FILES), *SAMPLE, "--no-figures"], d / "out")


def test_stfmr_reversed_rows(stfmr_base, tmp_path):
    files = []
    for f in FILES:
        c, h, rows = _parts(f)
        files.append(_write(tmp_path / f.name, c, h, rows[::-1]))
    _same(stfmr_base, _run(["stfmr", *map(str, files), *SAMPLE, "--no-figures"], tmp_path / "o"))


def test_stfmr_field_in_tesla_and_renamed_columns(stfmr_base, tmp_path):
    files = []
    for f in FILES:
        c, h, rows = _parts(f)
        assert h == "Field (mT),Vmix (uV)"
        rows = rows.copy()
        rows[:, 0] = rows[:, 0] * 1e-3  # mT -> T, as the reader converts
        files.append(_write(tmp_path / f.name, c, "B_applied,ch1_lockin", rows))
    out = _run(["stfmr", *map(str, files), *SAMPLE, "--no-figures", "--column", "field=B_applied",
                "--column", "voltage=ch1_lockin", "--column-unit", "field=T",
                "--column-unit", "voltage=uV"], tmp_path / "o")
    _same(stfmr_base, out)


def test_stfmr_one_long_file_and_back(stfmr_base, tmp_path):
    rows, comments = [], None
    for f in FILES:
        c, _, r = _parts(f)
        comments = [ln for ln in c if "field_angle" in ln]
        freq = float(f.stem.split("_")[-1][:-3])
        rows.append(np.column_stack([np.full(len(r), freq), r]))
    folder = tmp_path / "example"  # the same sample name (the folder) as the bundled files
    folder.mkdir()
    long = _write(folder / "all_frequencies.csv", comments,
                  "frequency (GHz),Field (mT),Vmix (uV)", np.vstack(rows))
    _same(stfmr_base, _run(["stfmr", str(long), *SAMPLE, "--no-figures"], tmp_path / "o"))


def test_stfmr_real_lvm_reversed_and_in_tesla(real_data, tmp_path):
    dev = real_data / "stfmr_cofe_pt" / "CoFe-Pt_110521a_dev13"
    if not dev.is_dir():
        pytest.skip(f"{dev} missing")
    files = sorted(dev.glob("*.lvm"))
    base = _run(["stfmr", *map(str, files), "--no-figures"], tmp_path / "base")
    rev, tesla = tmp_path / "rev" / dev.name, tmp_path / "tesla" / dev.name
    rev.mkdir(parents=True)
    tesla.mkdir(parents=True)
    for f in files:
        lines = f.read_text(encoding="latin-1").splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.strip() and ln.strip()[0] in "-0123456789"
                 and "\t" in ln)
        pre, data = lines[:k], [ln for ln in lines[k:] if ln.strip()]
        (rev / f.name).write_text("\n".join(pre + data[::-1]) + "\n", encoding="latin-1")
        a = np.array([[float(c) for c in ln.split("\t")[:2]] for ln in data])
        freq = next(ln for ln in pre if ln.startswith("Frequency(GHz)"))
        power = [ln for ln in pre if ln.startswith("Power(dBm)")]     # written with the spectra
        _write(tesla / (f.stem + ".csv"), ["# " + freq] + ["# " + ln for ln in power],
               "Field (T),Vmix (V)",
               np.column_stack([a[:, 0] * 1e-4, a[:, 1]]))
    _same(base, _run(["stfmr", *map(str, sorted(rev.glob("*.lvm"))), "--no-figures"],
                     tmp_path / "o1"))
    _same(base, _run(["stfmr", *map(str, sorted(tesla.glob("*.csv"))), "--no-figures"],
                     tmp_path / "o2"))


def test_thickness_reversed_rows(tmp_path):
    files = [THICKNESS / "nife_bisb.csv", THICKNESS / "cotb_bisb.csv"]
    base = _run(["thickness", *map(str, files), "--joint", "--no-figures"], tmp_path / "base")
    rev = []
    for f in files:
        lines = f.read_text().splitlines()
        head = [ln for ln in lines if ln.startswith("#")]
        body = [ln for ln in lines if ln and not ln.startswith("#")]
        p = tmp_path / f.name
        p.write_text("\n".join(head + body[:1] + body[1:][::-1]) + "\n")
        rev.append(p)
    _same(base, _run(["thickness", *map(str, rev), "--joint", "--no-figures"], tmp_path / "o"))
