"""ST-FMR exports written by a spreadsheet in a decimal-comma locale (semicolon-separated,
German column and header names) give the numbers of the same spectra written with decimal
points, through the command as a user runs it."""

import json
from pathlib import Path

import numpy as np
import pytest

from sotfit.cli import main
from summary_compare import without_sources

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"


def _german(src: Path, dst: Path) -> None:
    """``src`` (``# frequency_GHz: f`` comment, ``Field (mT),Vmix (uV)``, comma-separated)
    written as a German spreadsheet export: ``Frequenz: f GHz``, ``Feld (mT);Spannung (µV)``,
    semicolons and decimal commas."""
    lines = src.read_text(encoding="utf-8").splitlines()
    f = next(ln.split(":")[1].strip() for ln in lines if ln.startswith("# frequency_GHz"))
    body = [ln for ln in lines if ln and not ln.startswith("#")][1:]
    text = (f"Frequenz: {f.replace('.', ',')} GHz\nFeld (mT);Spannung (µV)\n"
            + "".join(ln.replace(",", ";").replace(".", ",") + "\n" for ln in body))
    dst.write_text(text, encoding="cp1252")


def test_decimal_comma_exports_give_the_same_fits(tmp_path):
    files = sorted(EXAMPLE.glob("py_pt_*GHz.csv"))[:3]
    german = tmp_path / "de"
    german.mkdir()
    for p in files:
        _german(p, german / p.name.replace("py_pt", "messung"))
    args = ["--no-figures", "--no-global"]
    assert main(["stfmr", *map(str, files), "--out", str(tmp_path / "a"), *args]) == 0
    assert main(["stfmr", str(german), "--out", str(tmp_path / "b"), *args]) == 0
    sa, sb = (json.loads((tmp_path / o / "summary.json").read_text()) for o in "ab")
    assert len(sa["spectra"]) == 3
    assert without_sources(sa["spectra"]) == without_sources(sb["spectra"])   # every bit
    assert "sequential" in sa                                  # the Kittel and damping fits
    for key in set(sa) - {"spectra", "notes", "inputs", "flags"}:
        assert without_sources(sa[key]) == without_sources(sb[key]), key
    said = [n for n in sb["notes"] if "decimal commas" in n]
    assert len(said) == 3 and all("messung_" in n for n in said)


def _integer_fields(folder: Path, fields_oe, voltages, name="6GHz.csv") -> Path:
    """A semicolon table of a spreadsheet in a decimal-comma locale whose field column has the
    number format #.##0 (integers with points between thousands: '-3.200', '-992') and whose
    voltages have decimal commas."""
    def grouped(v):
        return f"{int(v):,d}".replace(",", ".")

    rows = [f"{grouped(h)};{f'{v:.5f}'.replace('.', ',')}" for h, v in zip(fields_oe, voltages)]
    path = folder / name
    path.write_text("Frequency: 6 GHz\nField (Oe);Vmix (µV)\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def test_integer_fields_with_points_between_thousands_beside_decimal_commas(tmp_path):
    """'-3.200;2,02666' ... '-992;3,08176': the points of the field column were refused as
    'a decimal point or a point between thousands, which cannot be told apart', while the
    column writes integers below 1000 without a point (#.##0) and every voltage has a decimal
    comma: the points can only be between thousands. A column whose every field is 1000 or more
    (no integer below 1000 beside them) is still not guessed at."""
    from sotfit.data import DataError
    from sotfit.io import read_stfmr

    h = np.arange(-3200, 3201, 8)
    v = 2.0 + 1e-4 * h + 0.5 * np.exp(-((np.abs(h) - 800) / 60.0) ** 2)
    d = read_stfmr([_integer_fields(tmp_path, h, v)])[0]
    order = np.argsort(d.x)
    np.testing.assert_allclose(d.x[order], np.sort(h) * 1e-4, rtol=0, atol=1e-12)
    np.testing.assert_allclose(d.y[order], np.round(v, 5)[np.argsort(h)], rtol=0, atol=1e-9)
    assert any("'-3.200' as -3200: points between thousands" in n
               for n in d.meta.get("reader_notes", ()))
    big = h[np.abs(h) >= 1000]
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(DataError, match="6GHz.csv"):
        read_stfmr([_integer_fields(other, big, v[np.abs(h) >= 1000])])
