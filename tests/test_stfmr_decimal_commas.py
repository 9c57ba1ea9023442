"""ST-FMR exports written by a spreadsheet in a decimal-comma locale (semicolon-separated,
German column and header names) give the numbers of the same spectra written with decimal
points, through the command as a user runs it."""

import json
from pathlib import Path

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
