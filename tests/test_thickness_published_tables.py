"""Thickness tables as groups publish them in supplementary files: a sample label, the
thickness in Angstrom, the resistivity beside it, each efficiency followed by a column named
only '±', rows in descending thickness; values planted with seed 003's eqs. (1)-(2)."""

import numpy as np
import pytest

from sotfit.io.thickness import ThicknessError, read_thickness_table
from sotfit.analysis.thickness import build_problem, fit_thickness

from test_drift_diffusion import seed003_eq1_eq2  # independent transcription of eqs. (1)-(2)

U = "10^5 \u03a9^-1 m^-1"
T_NM = np.array([60, 45, 30, 20, 14, 10, 8, 6, 4, 3, 2], float)       # descending
TRUTH = {"spin_hall_conductivity": 3.0, "spin_diffusion_length": 10.0, "re_g_mix": 2.0,
         "im_g_mix": 0.5}


def supplementary(path, seed=11, drop_error=None):
    dl, fl = seed003_eq1_eq2(T_NM, 3.0, 10.0, 2.0, 0.5, 200.0)
    rng = np.random.default_rng(seed)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    ydl, yfl = dl + edl * rng.standard_normal(dl.size), fl + efl * rng.standard_normal(fl.size)
    rows = []
    for i, t in enumerate(T_NM):
        e = "" if i == drop_error else f"{efl[i]:.4f}"
        rows.append(f"S{i + 1},{t * 10:g},200,{ydl[i]:.4f},{edl[i]:.4f},{yfl[i]:.4f},{e}")
    path.write_text(f"Sample,t_BiSb (\u00c5),\u03c1 (\u00b5\u03a9 cm),\u03be_DL^E ({U}),\u00b1 ({U}),"
                    f"\u03be_FL^E ({U}),\u00b1 ({U})\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def test_a_supplementary_table_gives_the_planted_parameters_within_their_errors(tmp_path):
    s = read_thickness_table(supplementary(tmp_path / "s2.csv"))
    np.testing.assert_array_equal(s.dl.x, np.sort(T_NM))
    assert s.resistivity == 200.0
    lsq = fit_thickness(build_problem([s], joint=True))
    for name, truth in TRUTH.items():
        key = name if name in lsq.params else f"{name}_0"
        assert abs(lsq.value(key) - truth) < 2 * lsq.stderr(key), (name, lsq.value(key))


def test_a_second_column_of_one_name_is_named_as_the_header_writes_it(tmp_path):
    """Two columns named '± (10^5 Ω^-1 m^-1)': the note and the message named the second
    '± (10^5 Ω^-1 m^-1).1', as pandas renames it, a column the file does not have."""
    s = read_thickness_table(supplementary(tmp_path / "s2.csv"))
    notes = " ".join(s.meta["reader_notes"])
    assert ".1'" not in notes
    assert f"column '\u00b1 ({U})' (column 7, the second of that name) (the one right of " \
           f"'\u03be_FL^E ({U})'" in notes
    with pytest.raises(ThicknessError) as exc:
        read_thickness_table(supplementary(tmp_path / "s3.csv", drop_error=4))
    msg = str(exc.value)
    assert ".1'" not in msg
    assert (f"column '\u03be_FL^E ({U})' has a value on line 6 where column '\u00b1 ({U})' "
            "(column 7, the second of that name) has none") in msg


def percent_table(path, header="# bulk resistivity: 200 \u00b5\u03a9 cm"):
    """Dimensionless xi in percent, value ± error in one cell, each made with the row's own
    resistivity (thin films more resistive), in a column named rho_xx."""
    dl, fl = seed003_eq1_eq2(T_NM, 3.0, 10.0, 2.0, 0.5, 200.0)
    rng = np.random.default_rng(11)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    ydl, yfl = dl + edl * rng.standard_normal(dl.size), fl + efl * rng.standard_normal(fl.size)
    rho = 200.0 * (1 + 2.0 / T_NM)
    pc = rho * 1e-3 * 100
    rows = [f"S{i + 1}\t{t * 10:g}\t{rho[i]:.1f}\t{ydl[i] * pc[i]:.3f} \u00b1 {edl[i] * pc[i]:.3f}"
            f"\t{yfl[i] * pc[i]:.3f} \u00b1 {efl[i] * pc[i]:.3f}" for i, t in enumerate(T_NM)]
    path.write_text(f"{header}\nSample\tt (\u00c5)\t\u03c1_xx (\u00b5\u03a9 cm)\t\u03be_DL (%)\t"
                    "\u03be_FL (%)\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path, rho


def test_a_resistivity_column_named_rho_xx_and_a_bulk_resistivity_line_are_read(tmp_path):
    """'ρ_xx (µΩ cm)' beside the efficiencies and '# bulk resistivity: 200 µΩ cm' above: the
    table was refused as needing a resistivity (neither name was one the reader knew)."""
    path, rho = percent_table(tmp_path / "c.txt")
    s = read_thickness_table(path)
    assert s.resistivity == 200.0 and s.meta["resistivity_source"] == "header"
    notes = " ".join(s.meta["reader_notes"])
    assert "column '\u03c1_xx (\u00b5\u03a9 cm)' read as the resistivity" in notes
    assert "converted row by row" in notes
    ref = read_thickness_table(supplementary(tmp_path / "s2.csv"))
    np.testing.assert_allclose(s.dl.y, ref.dl.y, rtol=2e-3)   # the digits printed differ
    lsq = fit_thickness(build_problem([s], joint=True))
    for name, truth in TRUTH.items():
        key = name if name in lsq.params else f"{name}_0"
        assert abs(lsq.value(key) - truth) < 2 * lsq.stderr(key), (name, lsq.value(key))
    # without the bulk line: the column varies, and the message asks for the bulk value
    path, _ = percent_table(tmp_path / "d.txt", header="")
    with pytest.raises(ThicknessError, match="varies with thickness .* --rho 206.7uOhmcm"):
        read_thickness_table(path)


def captioned(path, seed=11):
    """A supplementary sheet saved as CSV: a caption padded to the table's width, an empty
    row, names written as typeset ('ξDL^E', 'ΔξDL^E'), an empty row and a footnote below."""
    dl, fl = seed003_eq1_eq2(T_NM, 3.0, 10.0, 2.0, 0.5, 200.0)
    rng = np.random.default_rng(seed)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    ydl, yfl = dl + edl * rng.standard_normal(dl.size), fl + efl * rng.standard_normal(fl.size)
    rows = [f"BiSb-{t * 10:g}A,{t * 10:g},200,{ydl[i]:.4f},{edl[i]:.4f},{yfl[i]:.4f},{efl[i]:.4f}"
            for i, t in enumerate(T_NM)]
    u = "10^5 S/m"
    path.write_text(
        "Table S3. Spin-orbit torque efficiencies of BiSb(t)/NiFe(6 nm) from ST-FMR.,,,,,,\n"
        ",,,,,,\n"
        f"Sample,t (\u00c5),\u03c1 (\u00b5\u03a9 cm),\u03beDL^E ({u}),\u0394\u03beDL^E ({u}),"
        f"\u03beFL^E ({u}),\u0394\u03beFL^E ({u})\n" + "\n".join(rows)
        + "\n,,,,,,\nErrors are one standard deviation of fits to five devices.,,,,,,\n",
        encoding="utf-8")
    return path


def test_a_caption_above_a_sheet_and_names_as_typeset_are_read(tmp_path):
    """The caption was taken for the column names ("unknown unit 'NiFe(6 nm) from ST-FMR.'"),
    and 'ξDL^E' (the subscript without its '_') was no efficiency's name; the footnote was
    quoted as ',,,,,,', the empty row above it."""
    s = read_thickness_table(captioned(tmp_path / "s3.csv"))
    ref = read_thickness_table(supplementary(tmp_path / "s2.csv"))
    np.testing.assert_array_equal(s.dl.y, ref.dl.y)
    np.testing.assert_array_equal(s.fl.yerr, ref.fl.yerr)
    notes = " ".join(s.meta["reader_notes"])
    assert ("line(s) 1 above the column names ('Table S3. Spin-orbit torque efficiencies of "
            "BiSb(t') read as a title, not as the column names") in notes
    assert "after the data ('Errors are one standard deviation of fit')" in notes


def test_a_caption_is_not_the_name_of_the_sample_column_in_sotfit_tables(tmp_path, capsys):
    from sotfit.cli import main

    assert main(["tables", str(captioned(tmp_path / "s3.csv"))]) == 0
    out = capsys.readouterr().out
    assert "1 column(s) of text not read: 'Sample' (text such as 'BiSb-600A')" in out
    assert "line(s) 1 above the column names read as free text" in out


def test_a_thickness_in_amperes_says_how_to_read_it_as_angstrom(tmp_path):
    """'t_BiSb (A)': 'no thickness column among [...]', the column not named."""
    p = tmp_path / "a.csv"
    p.write_text("# resistivity: 200 uOhm cm\nt_BiSb (A),xi_E_DL (10^5 S/m),"
                 "xi_E_DL err (10^5 S/m)\n20,0.05,0.004\n30,0.08,0.005\n40,0.15,0.007\n")
    with pytest.raises(ThicknessError, match=r"column 't_BiSb \(A\)' is named as a thickness, "
                       r"but its unit A is the ampere's; .*--column-unit thickness=Ang"):
        read_thickness_table(p)
    s = read_thickness_table(p, columns={"thickness": "t_BiSb (A)"},
                             column_units={"thickness": "Ang"})
    np.testing.assert_array_equal(s.dl.x, [2, 3, 4])
    p.write_text(p.read_text().replace("t_BiSb (A)", "thickness (A)"))
    with pytest.raises(ThicknessError, match="current unit.*if A means Angstrom"):
        read_thickness_table(p)


@pytest.mark.parametrize("values, said", [
    ("xi_dl (1)", "are fractions"), ("xi_dl", "are without a unit, read as fractions"),
    ("xi_e_dl (1e5 S/m)", "are in 1e5/Ohm/m")])
def test_errors_in_percent_of_values_that_are_not_percent_are_refused(tmp_path, values, said):
    """'xi_dl (1)' beside 'xi_dl_err (%)' holding 3.2 (% of each value): read as absolute
    errors of 0.032, up to 90 times the true ones, flagged only as a chi-square improbably
    small; beside a conductivity the message did not say the errors were relative."""
    p = tmp_path / "rel.csv"
    p.write_text(f"# resistivity: 200 uOhm cm\nthickness (nm),{values},xi_dl_err (%)\n"
                 "2,0.011,8.0\n3,0.017,6.2\n4,0.032,4.7\n6,0.057,4.0\n"
                 .replace("xi_dl_err", "xi_e_dl_err" if "xi_e" in values else "xi_dl_err"))
    with pytest.raises(ThicknessError, match=f"is in % where its values .* {said}: errors in "
                       r"percent of each value \(relative errors\) are not read"):
        read_thickness_table(p)
    # both in percent: read as before
    p.write_text("# resistivity: 200 uOhm cm\nthickness (nm),xi_dl (%),xi_dl_err (%)\n"
                 "2,1.1,0.09\n3,1.7,0.1\n4,3.2,0.15\n6,5.7,0.23\n")
    s = read_thickness_table(p)
    np.testing.assert_allclose(s.dl.yerr * 200e-3, [0.0009, 0.001, 0.0015, 0.0023], rtol=1e-12)


def _dl_and_fl_apart(tmp_path, rho_fl=200):
    dl, fl = seed003_eq1_eq2(T_NM, 3.0, 10.0, 2.0, 0.5, 200.0)
    rng = np.random.default_rng(11)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    ydl, yfl = dl + edl * rng.standard_normal(dl.size), fl + efl * rng.standard_normal(fl.size)
    u = "10^5 S/m"
    a, b = tmp_path / "fig3a_dl.csv", tmp_path / "fig3b_fl.csv"
    a.write_text(f"# resistivity: 200 uOhm cm\nt (nm),xi_E_DL ({u}),xi_E_DL err ({u})\n"
                 + "\n".join(f"{t:g},{ydl[i]:.4f},{edl[i]:.4f}" for i, t in enumerate(T_NM)))
    b.write_text(f"# resistivity: {rho_fl} uOhm cm\nt (nm),xi_E_FL ({u}),xi_E_FL err ({u})\n"
                 + "\n".join(f"{t:g},{yfl[i]:.4f},{efl[i]:.4f}" for i, t in enumerate(T_NM)))
    return a, b


def test_dl_and_fl_tables_of_one_interface_are_joined_by_one_label(tmp_path, capsys):
    """Fig. 3a (DL) and 3b (FL) as two tables: one label for both was refused ('two thickness
    series are labelled'), and without it they were two interfaces, the DL one's Im G held at
    0, without a word; joined, the fit is that of one table holding both."""
    import json

    from sotfit.cli import main

    a, b = _dl_and_fl_apart(tmp_path)
    assert main(["thickness", str(a), str(b), "--label", "BiSb", "--label", "BiSb", "--joint",
                 "--no-figures", "--out", str(tmp_path / "j")]) == 0
    joined = json.loads((tmp_path / "j" / "summary.json").read_text())
    assert main(["thickness", str(supplementary(tmp_path / "s2.csv")), "--joint",
                 "--no-figures", "--out", str(tmp_path / "one")]) == 0
    one = json.loads((tmp_path / "one" / "summary.json").read_text())
    for k in TRUTH:
        assert joined[k]["value"] == pytest.approx(one[k]["value"], rel=1e-6)
        assert joined[k]["stderr"] == pytest.approx(one[k]["stderr"], rel=1e-6)
    assert any("read as one interface, 'BiSb'" in n for n in joined["notes"])
    capsys.readouterr()
    assert main(["thickness", str(a), str(b), "--joint", "--no-figures",
                 "--out", str(tmp_path / "two")]) == 0
    two = json.loads((tmp_path / "two" / "summary.json").read_text())
    assert any("field-like data only" in n and "give both one label" in n for n in two["notes"])
    a, b = _dl_and_fl_apart(tmp_path, rho_fl=250)
    assert main(["thickness", str(a), str(b), "--label", "BiSb", "--label", "BiSb", "--joint",
                 "--out", str(tmp_path / "r")]) == 2
    assert "give resistivities 200.0 and 250.0 uOhm cm" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["SE", "s.e.", "Std. Err.", "std. error", "1\u03c3",
                                  "Error bar", "\u00b1 SD", "+-"])
def test_an_error_column_right_of_its_values_under_the_names_tables_give_it(tmp_path, name):
    """'SE', 's.e.', 'Std. Err.', '1σ', '± SD', '+-' right of the values: 'no uncertainty
    column'; 'σ' alone stays unread (a spin Hall conductivity is written so)."""
    p = tmp_path / "e.csv"
    p.write_text(f"# resistivity: 200 uOhm cm\nthickness (nm),xi_E_DL (10^5 S/m),{name} (10^5 S/m)\n"
                 "2,0.05,0.004\n3,0.09,0.005\n4,0.16,0.007\n", encoding="utf-8")
    s = read_thickness_table(p)
    np.testing.assert_allclose(s.dl.yerr, [0.004, 0.005, 0.007], rtol=1e-12)
    p.write_text(p.read_text(encoding="utf-8").replace(name, "\u03c3"), encoding="utf-8")
    with pytest.raises(ThicknessError, match="no uncertainty column"):
        read_thickness_table(p)


def test_a_setting_above_a_table_of_value_and_error_cells_is_read(tmp_path):
    """'resistivity (µΩ cm): 200' above a table whose every efficiency cell writes its error
    ('1.3484±0.0434', a workbook's sheet as the reader writes it out): the setting was taken
    for the column names, 'some data rows have more cells than the header has column names'."""
    dl, fl = seed003_eq1_eq2(T_NM, 3.0, 10.0, 2.0, 0.5, 200.0)
    rng = np.random.default_rng(11)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    ydl, yfl = dl + edl * rng.standard_normal(dl.size), fl + efl * rng.standard_normal(fl.size)
    rows = [f"{t * 10:g},{ydl[i]:.4f}\u00b1{edl[i]:.4f},"
            + ("\u2014" if i == 3 else f"{yfl[i]:.4f}\u00b1{efl[i]:.4f}")
            for i, t in enumerate(T_NM)]
    p = tmp_path / "s4.csv"
    p.write_text("resistivity (\u00b5\u03a9 cm): 200\nt (\u00c5),\u03be_DL^E (10^5 S/m),"
                 "\u03be_FL^E (10^5 S/m)\n" + "\n".join(rows) + "\n", encoding="utf-8")
    s = read_thickness_table(p)
    ref = read_thickness_table(supplementary(tmp_path / "s2.csv"))
    assert s.resistivity == 200.0
    np.testing.assert_array_equal(s.dl.y, ref.dl.y)
    np.testing.assert_array_equal(s.dl.yerr, ref.dl.yerr)
    np.testing.assert_array_equal(s.fl.x, np.delete(ref.fl.x, 7))     # 20 nm left out


def test_a_ferromagnet_or_hall_resistivity_column_is_not_the_spin_source_resistivity(tmp_path):
    """'rho_NiFe (uOhm cm)' (the ferromagnet's, one value) beside a '# resistivity:' line was
    refused as disagreeing with it, and 'rho_xy (uOhm cm)' (a Hall resistivity, varying) beside
    dimensionless xi converted each row with it: both are columns of other quantities, passed
    over as before a resistivity's name with its subscript was read."""
    ts = (4, 6, 8, 10, 14, 20)
    plain = "\n".join(f"{t:g},{0.01 * t:.3f},0.002" for t in ts)
    ref = tmp_path / "plain.csv"
    ref.write_text("# resistivity: 350 uOhm cm\nthickness (nm),xi_dl,xi_dl_err\n" + plain + "\n")
    want = read_thickness_table(ref).dl.y
    path = tmp_path / "other.csv"
    for name, cells in (("rho_NiFe (uOhm cm)", ["30"] * 6),
                        ("rho_xy (uOhm cm)", [f"{0.5 + 0.1 * t:.2f}" for t in ts])):
        path.write_text(f"# resistivity: 350 uOhm cm\nthickness (nm),xi_dl,xi_dl_err,{name}\n"
                        + "\n".join(f"{r},{c}" for r, c in zip(plain.splitlines(), cells)) + "\n")
        s = read_thickness_table(path)
        assert s.resistivity == 350.0 and s.meta["resistivity_source"] == "header", name
        np.testing.assert_array_equal(s.dl.y, want)
    for name in ("rho_CoFeB (uOhm cm)", "\u03c1_FM (\u00b5\u03a9 cm)", "rho_AHE (uOhm cm)"):
        path.write_text(f"thickness (nm),xi_dl,xi_dl_err,{name}\n" + "\n".join(
            f"{t:g},{0.01 * t:.3f},0.002,{0.5 + 0.1 * t:.2f}" for t in (4, 6, 8, 10)) + "\n")
        s = read_thickness_table(path, resistivity=200.0)
        assert s.meta["resistivity_source"] == "option", name
        assert not any("read as the resistivity" in n for n in s.meta.get("reader_notes", [])), name


@pytest.mark.parametrize("cells", ["4,1.0,0.1", "4,1.0±0.1,-0.5±0.04"])
def test_a_setting_padded_to_the_width_of_the_table_is_read(tmp_path, cells):
    """'resistivity (µΩ cm): 200,,' (one cell, padded with empty ones as a sheet saved as CSV
    writes it) above the table: 'cannot read the resistivity '200,, µΩ cm''."""
    names = "xi_dl (%),xi_dl_err (%)" if "±" not in cells else "xi_dl (%),xi_fl (%)"
    rows = "\n".join(cells.replace("4,", f"{t},", 1) for t in (4, 6, 8, 10))
    path = tmp_path / "padded.csv"
    path.write_text(f"resistivity (\u00b5\u03a9 cm): 200,,\nthickness (nm),{names}\n{rows}\n",
                    encoding="utf-8")
    s = read_thickness_table(path)
    assert s.resistivity == 200.0 and s.meta["resistivity_source"] == "header"
    np.testing.assert_allclose(s.dl.y, 0.01 / 200.0 * 1e3)
