"""``sotfit stfmr`` end to end on small synthetic files."""

import json
import warnings
import math
import re
from pathlib import Path

import numpy as np
import pytest

import sotfit as sf
from sotfit.cli import main

from stfmr_synth import TRUTH, spectrum, write_positive_branch_files

FREQS = (5, 7, 9, 12)


def _local_reader(paths, *, field_unit=None, voltage_unit=None, frequency=None, **_):
    """Stand-in for sotfit.io.read_stfmr while the readers are not in this branch."""
    out = []
    for p in paths:
        text = open(p, encoding="utf-8").read().splitlines()
        a = np.loadtxt(p, delimiter=",", skiprows=1)
        m = re.search(r"(\d+(?:\.\d+)?)GHz", str(p))
        f = float(m.group(1)) if m else frequency
        if f is None:
            raise ValueError(f"{p}: no frequency in the file, its name or --frequency")
        assert text[0] == "field (T),vmix (uV)"
        out.append(sf.Dataset(a[:, 0], a[:, 1], x_name="field", x_unit="T", y_name="vmix",
                              y_unit="uV", meta={"frequency": float(f), "source": str(p)}))
    return sf.Sweep(out)


@pytest.fixture(autouse=True)
def reader(monkeypatch):
    import sotfit.io as sio

    if not hasattr(sio, "read_stfmr"):
        monkeypatch.setattr(sio, "read_stfmr", _local_reader, raising=False)


@pytest.fixture
def files(tmp_path):
    paths = []
    for i, f in enumerate(FREQS):
        d = spectrum(float(f), seed=i, n=241, vs=1.5, va=2.0)
        p = tmp_path / "in" / f"{f}GHz.csv"
        p.parent.mkdir(exist_ok=True)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write("field (T),vmix (uV)\n")
            for x, y in zip(d.x, d.y):
                fh.write(f"{x:.8g},{y:.8g}\n")
        paths.append(str(p))
    return paths


SAMPLE_ARGS = ["--ms", "1.1T", "--t-fm", "4nm", "--t-nm", "6nm", "--width", "10um",
               "--rho", "20uOhmcm", "--irf-is", "peak", "--irf", "8mA", "--delta-r", "0.6Ohm",
               "--current-fraction", "0.8"]


def test_end_to_end_writes_tables_summary_and_figures(files, tmp_path, capsys):
    out = tmp_path / "out"
    before = [open(f).read() for f in files]
    rc = main(["stfmr", *files, "--out", str(out), *SAMPLE_ARGS])
    assert rc == 0
    assert [open(f).read() for f in files] == before  # inputs untouched
    summary = json.loads((out / "summary.json").read_text())
    for route in ("sequential", "global"):
        sec = summary[route]
        for name in ("mu0_meff", "gyromagnetic_ratio", "alpha", "linewidth_inhomogeneous",
                     "xi_fmr", "mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl", "xi_dl", "xi_fl"):
            assert set(sec[name]) >= {"value", "stderr", "unit"}, (route, name)
        q = sec["mu0_meff"]
        assert q["unit"] == "T" and abs(q["value"] - TRUTH["meff"]) < 3 * q["stderr"]
        q = sec["alpha"]
        assert abs(q["value"] - TRUTH["alpha"]) < 3 * q["stderr"]
    # the planted ratio V_s/V_a = 0.75 gives xi_fmr through Liu's formula
    assert summary["spectra"][0]["ratio"]["value"] == pytest.approx(0.75, rel=0.05)
    head = (out / "spectra.csv").read_text().splitlines()[0]
    assert "h_res (T)" in head and "vs_stderr (uV)" in head and "frequency (GHz)" in head
    assert len((out / "spectra.csv").read_text().splitlines()) == 1 + 2 * len(FREQS)
    figs = sorted(p.name for p in (out / "figures").iterdir())
    assert "kittel.png" in figs and "linewidth.png" in figs and "overview.png" in figs
    assert sum(n.startswith("spectrum_") for n in figs) == len(FREQS)
    text = capsys.readouterr().out
    assert "mu0_meff" in text and "sequential" in text


def test_existing_output_needs_overwrite_and_json_prints_summary(files, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    rc = main(["stfmr", *files, "--out", str(out), "--no-figures"])
    assert rc == 2 and "--overwrite" in capsys.readouterr().err
    assert (out / "keep.txt").exists()
    # --overwrite replaces only what sotfit wrote: a folder with a foreign file is refused
    rc = main(["stfmr", *files, "--out", str(out), "--no-figures", "--overwrite"])
    assert rc == 2 and "keep.txt" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "x"
    (out / "keep.txt").unlink()
    assert main(["stfmr", *files, "--out", str(out), "--no-figures", "--no-global"]) == 0
    capsys.readouterr()
    rc = main(["stfmr", *files, "--out", str(out), "--no-figures", "--overwrite", "--json",
               "--no-global"])
    assert rc == 0
    s = json.loads(capsys.readouterr().out)
    assert "mu0_meff" in s["sequential"] and "global" not in s
    assert "xi_fmr" not in s["sequential"]  # no sample given


def test_sample_file_and_rms_current(files, tmp_path):
    sample = tmp_path / "sample.toml"
    sample.write_text('ms = "1.1T"\nt_fm = "4nm"\nt_nm = "6nm"\nwidth = "10um"\nrho = "20uOhmcm"\n'
                      'irf = "8mA"\nirf_is = "rms"\ndelta_r = "0.6Ohm"\ncurrent_fraction = 0.8\n')
    out = tmp_path / "o"
    rc = main(["stfmr", *files, "--out", str(out), "--sample", str(sample), "--no-figures",
               "--no-global"])
    assert rc == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["sample"]["i_rf_peak"]["value"] == pytest.approx(8 * math.sqrt(2))
    # the same run with the peak value on the command line gives the same fields
    out2 = tmp_path / "o2"
    rc = main(["stfmr", *files, "--out", str(out2), *SAMPLE_ARGS[:-6], "--irf",
               f"{8 * math.sqrt(2)}mA", "--delta-r", "0.6Ohm", "--current-fraction", "0.8",
               "--no-figures", "--no-global"])
    s2 = json.loads((out2 / "summary.json").read_text())
    assert s2["sequential"]["mu0_h_dl"]["value"] == pytest.approx(
        s["sequential"]["mu0_h_dl"]["value"], rel=1e-9)
    # a summary.json of an earlier run gives its sample (the whole summary was refused:
    # "unknown field 'sotfit_version'")
    out3 = tmp_path / "o3"
    assert main(["stfmr", *files, "--out", str(out3), "--sample", str(out / "summary.json"),
                 "--no-figures", "--no-global"]) == 0
    s3 = json.loads((out3 / "summary.json").read_text())
    assert s3["sample"] == s["sample"]
    assert s3["sequential"]["mu0_h_dl"]["value"] == pytest.approx(    # numbers read back
        s["sequential"]["mu0_h_dl"]["value"], rel=1e-12)


def test_bad_sample_value_and_unknown_field(files, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["stfmr", *files, "--out", str(tmp_path / "a"), "--t-fm", "4"])  # no unit
    assert "has no unit" in capsys.readouterr().err
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps({"thickness": "4nm"}))
    rc = main(["stfmr", *files, "--out", str(tmp_path / "b"), "--sample", str(bad)])
    assert rc == 2 and "unknown field 'thickness'" in capsys.readouterr().err


def test_missing_frequency_and_no_resonance_are_clear_errors(tmp_path, capsys):
    h = np.linspace(-0.2, 0.2, 101)
    p = tmp_path / "flat_9GHz.csv"
    rng = np.random.default_rng(0)
    with open(p, "w") as fh:
        fh.write("field (T),vmix (uV)\n")
        for x in h:
            fh.write(f"{x:.6g},{0.1 + rng.normal(0, 0.01):.6g}\n")
    rc = main(["stfmr", str(p), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "flat_9GHz.csv" in err and "no resonance" in err
    q = tmp_path / "nofreq.csv"
    q.write_text(p.read_text())
    rc = main(["stfmr", str(q), "--out", str(tmp_path / "o2")])
    err = capsys.readouterr().err
    assert rc == 2 and "nofreq.csv" in err and "frequency" in err.lower()


def test_mcmc_samples_the_global_fit(tmp_path):
    paths = write_positive_branch_files(tmp_path)
    out = tmp_path / "out"
    from sotfit.bayes import AutocorrelationWarning

    # 400 steps are too few for reliable summaries, and the tool must say so
    with pytest.warns(AutocorrelationWarning, match="autocorrelation times"):
        rc = main(["stfmr", *paths, "--out", str(out), "--mcmc", "--mcmc-steps", "400",
                   "--no-figures"])
    assert rc == 0
    s = json.loads((out / "summary.json").read_text())
    m = s["mcmc"]
    for name in ("mu0_meff", "alpha"):
        lo, med, hi = m[name]["percentiles_16_50_84"]
        assert lo < med < hi
    truth = TRUTH["meff"]
    assert abs(m["mu0_meff"]["value"] - truth) < 4 * m["mu0_meff"]["stderr"]
    assert (out / "mcmc_chain.npz").exists()


def test_summary_written_piece_by_piece_is_the_indented_json(tmp_path):
    """write_json streams the pieces of dumps_json: the same text, valid JSON, leaves
    (quantities, rows of numbers) on one line, numpy scalars as floats."""
    import json

    import numpy as np

    from sotfit.cli.common import dumps_json, write_json

    obj = {"a": {"value": np.float64(1.5), "stderr": None, "unit": "T"},
           "rows": [[1, 2], [3, 4]], "spectra": [{"source": f"s{i}", "x": {"value": i}}
                                                 for i in range(5000)], "empty": {}}
    path = tmp_path / "summary.json"
    write_json(obj, path)
    text = path.read_text(encoding="utf-8")
    assert text == dumps_json(obj) + "\n"
    back = json.loads(text)
    assert back["a"] == {"value": 1.5, "stderr": None, "unit": "T"}
    assert back["spectra"][4999] == {"source": "s4999", "x": {"value": 4999}}
    assert '"a": {"value": 1.5, "stderr": null, "unit": "T"}' in text


def test_summary_json_leaves_are_what_json_writes():
    """Every one-line leaf of the summary's JSON is json.dumps of it (separators ", " and
    ": ", numpy scalars as floats, non-ASCII escaped), NaN and infinities written null (JSON has
    no spelling for them: test_summary_json_is_json_where_a_number_is_not_finite), and the
    whole text reads back as the object."""
    import json

    import numpy as np

    from sotfit.cli.common import dumps_json

    leaf = {"value": np.float32(2.25), "stderr": float("nan"), "unit": "\u00b5V",
            "flags": ["a \"quoted\" reason"], "row": (1, -np.inf)}
    obj = {"q": leaf, 3: [leaf, {"inner": leaf}], "empty": [], "s": "caf\u00e9"}
    text = dumps_json(obj)
    expected = json.dumps(leaf, separators=(", ", ": "), default=float)
    expected = expected.replace("NaN", "null").replace("-Infinity", "null")
    assert text.count(expected) == 3
    assert '"3": [' in text and '"s": "caf\\u00e9"' in text
    back = json.loads(text)
    assert back["3"][1]["inner"]["unit"] == "\u00b5V" and back["q"]["row"] == [1, None]


def test_run_hands_its_objects_back_to_the_garbage_collector(tmp_path):
    """The command keeps its fits from the cyclic garbage collector while it runs (gc.freeze
    after every chunk) and hands everything back when it ends, also when it fails."""
    import gc
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
    assert gc.get_freeze_count() == 0
    assert main(["stfmr", str(example), "--no-figures", "--out", str(tmp_path / "a")]) == 0
    assert gc.get_freeze_count() == 0
    assert main(["stfmr", str(tmp_path / "missing"), "--out", str(tmp_path / "b")]) != 0
    assert gc.get_freeze_count() == 0


def test_a_file_of_a_folder_that_is_not_data_is_named_with_how_to_leave_it_out(tmp_path, capsys):
    """A notes file among the spectra of a folder stops the run (nothing is left out without
    the user's word), and the error says it came from the folder and how to leave it out; the
    same file named on its own gets the reader's error alone."""
    folder = tmp_path / "set"
    folder.mkdir()
    example = Path(__file__).resolve().parents[1] / "data"
    for f in sorted((example / "stfmr_example").glob("py_pt_1[02]GHz.csv")):
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "notes.txt").write_text("Py/Pt bar 3, measured 2024-05-01\n")
    assert main(["stfmr", str(folder), "--out", str(tmp_path / "o1"), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "notes.txt: no numeric data rows" in err
    assert (f"notes.txt is a file of the folder {folder} given as input: if it is not a data "
            "file, leave it out") in err
    assert not (tmp_path / "o1").exists()
    named = [str(p) for p in sorted(folder.iterdir())]
    assert main(["stfmr", *named, "--out", str(tmp_path / "o2"), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "notes.txt: no numeric data rows" in err and "given as input" not in err
    data = [p for p in named if p.endswith(".csv")]
    assert main(["stfmr", *data, "--out", str(tmp_path / "o3"), "--no-figures"]) == 0


def test_spectra_of_several_samples_are_refused_unless_one_sample_is_said(files, tmp_path,
                                                                          capsys):
    """Two device folders given together (``DIR/*/``) were fitted as one sample: one Kittel
    and damping fit across films of different M_eff, exit 0. The sample names (a header entry,
    else the folder) now refuse it, naming the samples; ``--one-sample`` says they are one."""
    import shutil

    a, b = tmp_path / "devA", tmp_path / "devB"
    a.mkdir(), b.mkdir()
    for k, f in enumerate(files):
        shutil.copy(f, (a if k % 2 else b) / Path(f).name)
    out = tmp_path / "mixed"
    assert main(["stfmr", str(a), str(b), "--no-figures", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"the spectra are of 2 samples by their sample names \(devA: 2 spectra "
                     r"\(7GHz\.csv, 12GHz\.csv\); devB: 2 spectra \(5GHz\.csv, 9GHz\.csv\); .*"
                     r"--one-sample", err)
    assert not out.exists()
    for extra, where in ((["--one-sample"], "one"), ([], "same")):
        folders = [str(a), str(b)] if extra else [str(Path(files[0]).parent)]
        assert main(["stfmr", *folders, *extra, "--no-figures", "--out",
                     str(tmp_path / where)]) == 0
    one, same = (json.loads((tmp_path / w / "summary.json").read_text()) for w in ("one", "same"))
    a, b = one["sequential"]["mu0_meff"], same["sequential"]["mu0_meff"]
    # the same spectra in another order: the same fit to rounding
    assert abs(a["value"] - b["value"]) < 1e-6 * b["stderr"] and a["stderr"] == pytest.approx(
        b["stderr"], rel=1e-6)


def test_files_of_one_name_in_two_folders_are_told_apart(files, tmp_path):
    """Two device folders that both hold ``8GHz.lvm`` gave two spectra named ``8GHz.lvm`` in
    the tables and the summary of a ``--one-sample`` run: which row is which device could not
    be told. Such files are named by their folder too (``devA/9GHz.csv``), the numbers the
    same; files of unique names keep their name."""
    import shutil

    a, b = tmp_path / "devA", tmp_path / "devB"
    a.mkdir(), b.mkdir()
    for f in files:
        shutil.copy(f, a / Path(f).name)
    # 9GHz.csv in both folders, the same numbers (an entry tells the files apart: identical
    # files, or files that differ only in free comments, are refused as one measurement given
    # twice)
    (b / Path(files[2]).name).write_text("# device: B\n" + Path(files[2]).read_text())
    out = tmp_path / "both"
    assert main(["stfmr", str(a), str(b), "--one-sample", "--no-figures", "--out", str(out)]) == 0
    spectra = json.loads((out / "summary.json").read_text())["spectra"]
    names = [s["source"] for s in spectra]
    assert names == ["5GHz.csv", "7GHz.csv", "devA/9GHz.csv", "12GHz.csv", "devB/9GHz.csv"]
    rows = (out / "spectra.csv").read_text().splitlines()[1:]
    assert {r.split(",")[0] for r in rows} == set(names)
    # the copy fits as the original, under its own name
    assert spectra[2]["h_res"] == spectra[4]["h_res"]


def test_a_folder_per_frequency_gives_the_frequency_of_its_files(tmp_path):
    """Spectra kept as ``8GHz/spectrum.csv``, ``10GHz/spectrum.csv``, ... (no frequency in the
    file or its name) were "no rf frequency found"; given together, their folders also made
    them spectra of several samples. A folder named by the conditions of a measurement gives
    them (noted) when nothing else does, and is not a sample: the folder above it is. The
    numbers are those of the same spectra with the frequency in their headers."""
    example = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
    run = tmp_path / "run3"
    for f in (8, 10, 12, 14):
        lines = (example / f"py_pt_{f}GHz.csv").read_text().splitlines()
        (run / f"{f}GHz").mkdir(parents=True)
        (run / f"{f}GHz" / "spectrum.csv").write_text(
            "\n".join(ln for ln in lines if not ln.startswith("#")) + "\n")
    files = [str(run / f"{f}GHz" / "spectrum.csv") for f in (8, 10, 12, 14)]
    out, ref = tmp_path / "out", tmp_path / "ref"
    assert main(["stfmr", *files, "--no-figures", "--no-global", "--out", str(out)]) == 0
    assert main(["stfmr", *(str(example / f"py_pt_{f}GHz.csv") for f in (8, 10, 12, 14)),
                 "--angle", "45deg", "--no-figures", "--no-global", "--out", str(ref)]) == 0
    got, want = (json.loads((d / "summary.json").read_text()) for d in (out, ref))
    assert [s["frequency"]["value"] for s in got["spectra"]] == [8.0, 10.0, 12.0, 14.0]
    assert [s["source"] for s in got["spectra"]][:1] == ["8GHz/spectrum.csv"]
    assert got["sequential"]["mu0_meff"] == want["sequential"]["mu0_meff"]
    assert ("reader: 8GHz/spectrum.csv: frequency 8 GHz from the folder name '8GHz' (the file, "
            "its name and the options give none)") in got["notes"]


@pytest.mark.parametrize("folder", ["2-20GHz", "up_to_20GHz", "dev2_10GHz"])
def test_a_folder_named_by_a_range_gives_no_frequency(tmp_path, folder, capsys):
    """A range or a bound in a folder's name (``2-20GHz``) is not the frequency of its files."""
    example = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_8GHz.csv"
    f = tmp_path / folder / "spectrum.csv"
    f.parent.mkdir()
    f.write_text("\n".join(ln for ln in example.read_text().splitlines()
                           if not ln.startswith("#")) + "\n")
    assert main(["stfmr", str(f), "--no-figures", "--out", str(tmp_path / "o")]) == 2
    assert "no rf frequency found" in capsys.readouterr().err


def test_the_default_field_angle_of_the_torques_is_said(files, tmp_path):
    """Torques of spectra whose files give no field angle were computed at the default 45 deg
    without a word (the torque fields scale with the angle: 60 deg read as 45 gave xi_DL 0.049
    for 0.080 and xi_FL of the other sign), then with a note only; now every torque quantity
    but xi_FMR (a ratio) is flagged, and nothing is said when --angle gives it or no torques
    are computed."""
    reason = ("field angle 45 deg assumed for the torque fields (the default: no file gives one "
              "and --angle was not given)")
    runs = {"default": SAMPLE_ARGS, "given": [*SAMPLE_ARGS, "--angle", "45deg"], "bare": [],
            "ratio": ["--ms", "1.1T", "--t-fm", "4nm", "--t-nm", "6nm"]}   # xi_FMR: no angle
    for name, extra in runs.items():
        assert main(["stfmr", *files, *extra, "--no-figures", "--out", str(tmp_path / name)]) == 0
    got = {name: json.loads((tmp_path / name / "summary.json").read_text()) for name in runs}
    seq = got["default"]["sequential"]
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl", "xi_dl", "xi_fl"):
        assert any(f.startswith(reason) for f in seq[k]["flags"]), k
    assert not any(f.startswith(reason) for f in seq["xi_fmr"].get("flags", []))
    for name in ("given", "bare", "ratio"):
        assert not any("assumed for the torque" in f["reason"] for f in got[name]["flags"])
        assert not any("assumed for the torque" in n for n in got[name]["notes"])

def _lockin_files(folder: Path, files, phase_deg: float) -> list[str]:
    """``files`` rewritten as the X and Y channels of a lock-in at ``phase_deg``."""
    folder.mkdir()
    out = []
    for f in files:
        rows = np.loadtxt(f, delimiter=",", skiprows=1)
        th = math.radians(phase_deg)
        p = folder / Path(f).name
        with open(p, "w", encoding="utf-8") as fh:
            fh.write("field (T),X (uV),Y (uV)\n")
            for h, v in rows:
                fh.write(f"{h:.8g},{v * math.cos(th):.8g},{v * math.sin(th):.8g}\n")
        out.append(str(p))
    return out


@pytest.mark.parametrize("phase", [20.0, 160.0])
def test_torque_signs_from_a_lockin_phase_convention_are_flagged(files, tmp_path, phase):
    """V_mix combined from X and Y takes the sign of the axis whose larger component is
    positive: at a lock-in phase of 160 deg every V_mix was reversed and xi_DL came out -0.080
    for +0.080 (xi_FL +0.119 for -0.010) with no flag. The sign-carrying torque quantities are
    flagged at any phase; xi_FMR (a ratio) is not."""
    lk = _lockin_files(tmp_path / "lk", files, phase)
    out = tmp_path / "o"
    assert main(["stfmr", *lk, *SAMPLE_ARGS, "--angle", "45deg", "--lockin-channels",
                 "X (uV),Y (uV)", "--no-figures", "--out", str(out)]) == 0
    seq = json.loads((out / "summary.json").read_text())["sequential"]
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl", "xi_dl", "xi_fl"):
        assert any("lock-in channels" in f and "--column voltage=NAME" in f
                   for f in seq[k].get("flags", [])), k
    assert not any("lock-in" in f for f in seq["xi_fmr"].get("flags", []))


def test_out_of_plane_geometry_gives_no_in_plane_torques(tmp_path):
    """--geometry outofplane with a sample computed the in-plane torques and xi_FMR (the
    ellipticity and sin 2phi cos phi of a field in the plane) with no flag: none now, with a
    note saying why. Spectra at f = gamma' (H - M_eff), resonance fields above M_eff."""
    from sotfit.models.lineshapes import mixing_voltage

    meff, gamma = 0.5, 29.0
    paths = []
    for i, f in enumerate((10.0, 14.0, 18.0, 22.0)):
        hr = f / gamma + meff
        w = 0.0008 + 0.012 * f / gamma
        h = np.linspace(hr + 12 * w, hr - 12 * w, 241)
        v = mixing_voltage(h, hr, w, 1.0, 0.8) + np.random.default_rng(i).normal(0, 0.02,
                                                                               h.size)
        p = tmp_path / "in" / f"{f:g}GHz.csv"
        p.parent.mkdir(exist_ok=True)
        p.write_text("field (T),vmix (uV)\n" + "".join(f"{a:.8g},{b:.8g}\n" for a, b in zip(h, v)))
        paths.append(str(p))
    out = tmp_path / "o"
    assert main(["stfmr", *paths, *SAMPLE_ARGS, "--angle", "45deg", "--geometry", "outofplane",
                 "--no-figures", "--out", str(out)]) == 0
    got = json.loads((out / "summary.json").read_text())
    assert abs(got["sequential"]["mu0_meff"]["value"] - meff) < 5 * got["sequential"]["mu0_meff"]["stderr"]
    for k in ("xi_fmr", "mu0_h_dl", "xi_dl"):
        assert k not in got["sequential"]
        assert k not in got["spectra"][0].get("torques_sequential", {})
    assert any("no torques or efficiencies" in n and "outofplane" in n for n in got["notes"])


def test_two_spectra_say_what_the_dispersion_fits_need(files, tmp_path):
    """'fewer than two frequencies or three spectra' read wrong for two frequencies: the note
    counts both."""
    out = tmp_path / "o"
    assert main(["stfmr", *files[:2], "--no-figures", "--out", str(out)]) == 0
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert any(n.startswith("2 spectra fitted at 2 frequencies: the Kittel, damping and "
                            "global fits need at least two frequencies and three spectra")
               for n in notes)


def test_flagged_values_are_marked_in_the_printout(tmp_path, capsys):
    """The harmonic Hall printout marked flagged values, the ST-FMR one did not (a damping of
    1.6e-11 +/- 0.79 looked like any result): '[flagged]' after each flagged value."""
    from sotfit.cli.stfmr import human_summary

    summary = {"spectra": [1, 2], "failures": [], "notes": [],
               "sequential": {"alpha": {"value": 1.6e-11, "stderr": 0.79, "unit": "",
                                        "flags": ["consistent with zero"]},
                              "mu0_meff": {"value": 0.85, "stderr": 0.001, "unit": "T"}}}
    text = human_summary(summary)
    assert "alpha = 1.6e-11 +/- 0.79  [flagged]" in text
    assert "mu0_meff = 0.85 +/- 0.001 T\n" in text + "\n"


def test_the_rf_power_goes_into_the_tables_and_the_summary(files, tmp_path):
    """--power (or a file's power) was used to tell power series from repeats but written
    nowhere: each spectrum's rows and summary entry carry it, in dBm."""
    import pandas as pd

    out = tmp_path / "out"
    assert main(["stfmr", *files, "--power", "12dBm", "--no-figures", "--no-global",
                 "--out", str(out)]) == 0
    for name in ("spectra.csv", "spectra_combined.csv"):
        assert set(pd.read_csv(out / name)["power (dBm)"]) == {12.0}
    s = json.loads((out / "summary.json").read_text())
    assert all(e["power"] == {"value": 12.0, "stderr": None, "unit": "dBm"} for e in s["spectra"])


def test_the_tables_say_their_widths_are_half_widths(files, tmp_path):
    """spectra.csv and spectra_combined.csv gave 'width (T)' without saying it is the half
    width at half maximum (summary.json said so): a column 'linewidth_convention' says HWHM in
    every row, as summary.json's entry of that name; the columns read by name before are as
    they were, and 'flags' is still the last column."""
    import pandas as pd

    out = tmp_path / "out"
    assert main(["stfmr", *files, "--no-figures", "--no-global", "--out", str(out)]) == 0
    said = json.loads((out / "summary.json").read_text())["linewidth_convention"]
    assert said == "HWHM"
    for name in ("spectra.csv", "spectra_combined.csv"):
        table = pd.read_csv(out / name, keep_default_na=False)
        assert set(table["linewidth_convention"]) == {said}, name
        assert {"width (T)", "width_stderr (T)", "h_res (T)"} <= set(table.columns), name
        assert list(table.columns)[-2:] == ["linewidth_convention", "flags"], name
    s = json.loads((out / "summary.json").read_text())
    combined = pd.read_csv(out / "spectra_combined.csv")
    assert list(combined["width (T)"]) == [e["width"]["value"] for e in s["spectra"]]


@pytest.mark.parametrize("where", ["name", "header"])
def test_a_files_rf_power_beyond_any_source_is_refused(files, tmp_path, capsys, where):
    """A header's 'Power(dBm): 1.5E+3' or a name's '1000dBm' went into the tables with exit 0
    (only --power was checked): refused, naming the file and where it was read."""
    src = Path(files[0])
    text = src.read_text()
    if where == "name":
        bad = tmp_path / f"{src.stem}_1000dBm.csv"
        bad.write_text(text)
    else:
        bad = tmp_path / src.name
        bad.write_text("# Power (dBm): 1.5E+3\n" + text)
    assert main(["stfmr", str(bad), "--no-figures", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{bad.name}: an rf power of" in err and "lies outside -150 to 50 dBm" in err


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_correlated_residuals_are_measured_and_flag_the_means(tmp_path, rho):
    """The errors of a lineshape fit assume independent points; a drift or a lock-in's time
    constant correlates them, and a drift of lag-1 autocorrelation 0.5 made per-spectrum
    errors 2-3 times too small with no word, and half the means over spectra went out
    unflagged with errors 2 times too small. Each branch's residual lag-1 autocorrelation is
    written (spectra.csv, summary.json); where their median makes the errors more than 1.5
    times too small, the means over spectra whose scatter did not raise their errors as much
    are flagged. The bundled example spectra with noise of lag-1 autocorrelation 0.6 (a
    first-order autoregression, as a lock-in's output filter makes; the residuals keep 0.5 of
    it, their errors 1.8 times too small) or white noise added."""
    import pandas as pd

    example = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
    folder = tmp_path / "in"
    folder.mkdir()
    for i, f in enumerate(sorted(example.glob("py_pt_*GHz.csv"))):
        lines = f.read_text().splitlines()
        at = next(k for k, ln in enumerate(lines) if ln.startswith("Field"))
        rows = [ln.split(",") for ln in lines[at + 1:]]
        e = np.random.default_rng(100 + i).normal(0, 0.05, len(rows))
        noise = np.empty_like(e)
        noise[0] = e[0]
        for k in range(1, e.size):          # the same variance for any rho
            noise[k] = rho * noise[k - 1] + math.sqrt(1 - rho ** 2) * e[k]
        body = [f"{a},{float(float(b) + n)!r}" for (a, b), n in zip(rows, noise)]
        (folder / f.name).write_text("\n".join(lines[:at + 1] + body) + "\n")
    out = tmp_path / "out"
    assert main(["stfmr", str(folder), "--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm",
                 "--width", "10um", "--rho", "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA",
                 "--irf-is", "peak",
                 "--delta-r", "0.5Ohm", "--no-figures", "--out", str(out)]) == 0
    lag1 = pd.read_csv(out / "spectra.csv")["residual_lag1"]
    assert (lag1.median() > 0.4) == (rho > 0) and (abs(lag1.median()) < 0.2) == (rho == 0)
    s = json.loads((out / "summary.json").read_text())
    said = [f for f in s["flags"] if "residuals of the spectra's fits are correlated" in f["reason"]]
    assert bool(said) == (rho > 0)
    factor = math.sqrt((1 + lag1.median()) / (1 - lag1.median()))
    for f in said:                       # only means whose scatter did not raise their error
        route, name = f["quantity"].split(".")
        assert s[route][name]["birge_ratio_across_spectra"] < factor


def test_the_redchi_factor_is_printed_with_the_digits_it_has(tmp_path, capsys):
    """The quick start printed 'reduced chi-square 1.01 > 1; errors inflated by sqrt(redchi) = 1':
    a factor just above 1 is printed with the digits that show it."""
    example = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
    assert main(["stfmr", str(example), "--out", str(tmp_path / "o"), "--no-figures",
                 "--no-global"]) == 0
    notes = [ln for ln in capsys.readouterr().out.splitlines() if "sqrt(redchi)" in ln]
    assert notes
    for line in notes:
        redchi = float(re.search(r"reduced chi-square ([0-9.e+-]+) >", line).group(1))
        factor = re.search(r"sqrt\(redchi\) = ([0-9.e+-]+)$", line).group(1)
        assert float(factor) > 1, line
        assert float(factor) == pytest.approx(math.sqrt(redchi), rel=2e-3), line


def test_summary_json_is_json_where_a_number_is_not_finite():
    """A value or error that could not be computed (NaN, an infinity) was written as Python
    writes it, a bare NaN that no JSON reader but Python's accepts: it is null, as JSON has it;
    strings and keys that spell NaN stay as they are."""
    import json

    import numpy as np

    from sotfit.cli.common import dumps_json

    obj = {"q": {"value": float("nan"), "stderr": np.float64(np.inf), "unit": "T"},
           "notes": ["NaN where the fit stopped", "-Infinity"], "NaN": [1.5, -np.inf],
           "deep": {"rows": [{"x": [float("nan"), 2.0]}]}}

    def strict(constant):
        raise AssertionError(f"not JSON: {constant}")

    back = json.loads(dumps_json(obj), parse_constant=strict)
    assert back["q"] == {"value": None, "stderr": None, "unit": "T"}
    assert back["notes"] == ["NaN where the fit stopped", "-Infinity"]
    assert back["NaN"] == [1.5, None] and back["deep"]["rows"][0]["x"] == [None, 2.0]


def test_mcmc_says_its_widths_leave_out_the_misfit_of_the_kittel_and_linewidth_laws():
    """The least-squares errors of the global fit are inflated by the Birge ratios of the
    Kittel and linewidth fits; the posterior of the lineshape likelihood is not (M_eff 0.0062 T
    wide beside 0.0092 T by least squares, without a word): said, with the factor, where it
    applies; nothing where the laws fit within the errors."""
    from types import SimpleNamespace

    from sotfit.analysis.stfmr.posterior import _unseen_misfit_notes

    result = {"mu0_meff": {}, "gyromagnetic_ratio": {}, "alpha": {},
              "linewidth_inhomogeneous": {}}
    misfit = SimpleNamespace(kittel=SimpleNamespace(redchi=2.2, model_name="kittel_inplane"),
                             linewidth=SimpleNamespace(redchi=0.8, model_name="linewidth"))
    notes = _unseen_misfit_notes(misfit, result)
    assert len(notes) == 1
    assert ("the posterior widths of mu0_meff, gyromagnetic_ratio come from the lineshape "
            "residuals alone") in notes[0]
    assert "reduced chi-square of 2.2" in notes[0] and "times 1.48" in notes[0]
    fine = SimpleNamespace(kittel=SimpleNamespace(redchi=0.9, model_name="kittel_inplane"),
                           linewidth=None)
    assert _unseen_misfit_notes(fine, result) == []


def test_mcmc_without_a_length_runs_until_the_chain_is_long_enough(tmp_path, monkeypatch, capsys):
    """Without --mcmc-steps the chain runs its shortest length, then on in blocks until it is
    50 autocorrelation times long with a settled tau (or --mcmc-max-steps long); the fixed
    default of 10 000 steps was 48.9 tau on the bundled example, flagged not converged. The
    shortest chain is made short here to keep the test fast."""
    import sotfit.cli.common as common

    monkeypatch.setattr(common, "ADAPTIVE_MIN_STEPS", 300)
    paths = write_positive_branch_files(tmp_path)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = main(["stfmr", *paths, "--out", str(out), "--mcmc", "--mcmc-max-steps", "1800",
                   "--no-figures"])
    assert rc == 0
    m = json.loads((out / "summary.json").read_text())["mcmc"]
    run = m["diagnostics"]["adaptive"]
    assert run["min_steps"] == 300 and run["max_steps"] == 1800
    steps = [c[0] for c in run["checks"]]
    assert steps[0] == 300 and steps == sorted(steps) and steps[-1] == m["nsteps"] > 300
    over = m["diagnostics"]["chain_over_tau"]
    if run["stopped"] == "converged":
        assert m["converged"] and min(over.values()) >= 50
    else:
        assert m["nsteps"] == 1800 and not m["converged"]
    # a fixed length is that length, without checks; both options are refused
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # 200 steps are too few, and the run says so
        rc = main(["stfmr", *paths, "--out", str(tmp_path / "fixed"), "--mcmc", "--mcmc-steps",
                   "200", "--no-figures"])
    m = json.loads((tmp_path / "fixed" / "summary.json").read_text())["mcmc"]
    assert rc == 0 and m["nsteps"] == 200 and "adaptive" not in m["diagnostics"]
    capsys.readouterr()
    rc = main(["stfmr", *paths, "--out", str(tmp_path / "both"), "--mcmc", "--mcmc-steps",
               "200", "--mcmc-max-steps", "400"])
    err = capsys.readouterr().err
    assert rc == 2 and "--mcmc-max-steps is the longest chain" in err and "--mcmc-steps" in err
    assert not (tmp_path / "both").exists()
