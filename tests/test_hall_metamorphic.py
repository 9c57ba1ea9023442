"""Metamorphic tests of the harmonic Hall methods: rewriting the files the way another lab would
write them changes no torque field.

For every method on the bundled example sets (data/hall_example) and on the shared real sets
(Py/Pt rotations, Ta/CoFeB loops; skipped when absent), through ``sotfit hall``:

* every voltage column negated together with the R_AHE and R_PHE given on the command line (a Hall
  bar wired the other way round): the same torque fields (R_AHE, R_PHE and r_ane change sign);
* the rows in reverse order (each column pair of a side-by-side file reversed in place);
* the field in tesla instead of mT or Oe (written with full precision);
* the scans of several files joined into one long table, or a file of several scans split into
  one file per column pair;
* the columns renamed and read through ``--column`` (and ``--column-unit``);

leave every torque field unchanged to 1e-9 relative (and, but for the negation, every reported
number). Signs are conventions, never refusals: a negative R_AHE is accepted by every method.
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fuzzing
from sotfit.analysis.hall import avci
from sotfit.cli import main
from sotfit.io.hall import read_hall_table
from sotfit.units import to_house

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example"
KW = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X", gain_2w=10)
CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel", "X",
        "--gain-2w", "10", "--no-figures"]
TORQUES = ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl")
RTOL = 1e-9


def _nominal(v):
    return float(getattr(v, "nominal_value", v))


# ------------------------------------------------------------------ the cases
class Case:
    """One ``sotfit hall`` run: its files, its options and the signed resistances it is given."""

    def __init__(self, name, files, argv, signed=None, extra_files=None, lockin=("X1", "Y1", "X2", "Y2")):
        self.name, self.files, self.argv = name, [Path(f) for f in files], list(argv)
        self.signed = dict(signed or {})          # option -> value in Ohm (negated with the voltages)
        self.extra = dict(extra_files or {})      # option -> file (e.g. --calibration)
        self.lockin = lockin                      # the voltage columns (name without unit)

    def command(self, files, signed=None, extra=None, more=()):
        signed = self.signed if signed is None else signed
        extra = self.extra if extra is None else extra
        argv = ["hall", *map(str, files), *self.argv, *more]
        for opt, v in signed.items():
            argv.append(f"{opt}={v!r}Ohm")
        for opt, f in extra.items():
            argv += [opt, str(f)]
        return argv


def _bundled():
    phis = sorted((EX / "inplane").glob("phi_*.csv"))
    sweeps = sorted((EX / "pma").glob("sweep_*.csv"))
    thetas = sorted((EX / "pma").glob("theta_*.csv"))
    return {
        "avci": Case("avci", phis, ["--method", "avci", *CONV, "--meff", "0.8T"], {"--r-ahe": 0.8}),
        "hayashi": Case("hayashi", sweeps, ["--method", "hayashi", *CONV], {"--r-phe": 0.15}),
        "angular": Case("angular", thetas, ["--method", "angular", *CONV], {"--r-phe": 0.15}),
        "macrospin": Case("macrospin", thetas[:3] + sweeps, ["--method", "macrospin", *CONV],
                          {"--r-phe": 0.15}),
    }


def _real(real_data):
    py = real_data / "hhv_py_pt"
    ta = real_data / "cmtj_ta_cofeb_5360" / "Ta_CoFeB"
    pyconv = ["--current-is", "peak", "--lockin-output", "rms", "--r2w-channel", "X", "--gain-2w", "100",
              "--voltage-unit", "V", "--angle-unit", "deg", "--calibration-units", "A,mT", "--no-figures"]
    taconv = ["--current", "2.68mA", "--current-is", "peak", "--lockin-output", "peak", "--r2w-channel=-X",
              "--field-unit", "Oe", "--voltage-unit", "V", "--theta-h", "92deg", "--no-figures"]
    pyfiles = sorted((py / "sample_A").glob("repeat_*.csv"))
    tafiles = [ta / "5360_1f_hx_hy.csv", ta / "5360_2f_hx_hy.csv"]
    return {
        "py_pt_avci": Case("py_pt_avci", pyfiles, ["--method", "avci", *pyconv, "--meff", "1T"],
                           {"--r-ahe": 1.0}, {"--calibration": py / "magnet_calibration.csv"}),
        "ta_cofeb_hayashi": Case("ta_cofeb_hayashi", tafiles,
                                 ["--method", "hayashi", *taconv, "--max-field", "60mT"], {},
                                 lockin=None),
        "ta_cofeb_macrospin": Case("ta_cofeb_macrospin", tafiles, ["--method", "macrospin", *taconv], {},
                                   lockin=None),
    }


# ------------------------------------------------------------------ files, exactly
def _table(path):
    """Header and cells of a CSV file as strings (empty cells stay empty)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df


def _write(df, path):
    df.to_csv(path, index=False)
    return path


def _negate(cell: str) -> str:
    s = cell.strip()
    if s == "" or float(s) == 0.0:
        return s
    return s[1:] if s.startswith("-") else "-" + s


def _voltage_columns(df, case):
    if case.lockin is not None:
        return [c for c in df.columns if c.split(" (")[0] in case.lockin]
    return [c for c in df.columns if "voltage" in c]


def _pairs(df):
    """Column pairs (field, voltage) of a side-by-side file; None for an ordinary table."""
    cols = list(df.columns)
    if len(cols) % 2 == 0 and all(cols[i + 1].startswith(cols[i]) for i in range(0, len(cols), 2)):
        return [(cols[i], cols[i + 1]) for i in range(0, len(cols), 2)]
    return None


def _reverse(df):
    pairs = _pairs(df)
    if pairs is None:
        return df.iloc[::-1].reset_index(drop=True)
    out = df.copy()
    for a, b in pairs:
        n = int((df[a] != "").sum())
        for c in (a, b):
            vals = list(df[c][:n])[::-1] + list(df[c][n:])
            out[c] = vals
    return out


def _case_base(case, tmp_path_factory, cache={}):
    key = case.name
    if key not in cache:
        out = tmp_path_factory.mktemp(f"base-{key}") / "out"
        assert main([*case.command(case.files), "--out", str(out)]) == 0
        cache[key] = json.loads((out / "summary.json").read_text())
    return cache[key]


def _run(argv, out):
    rc = main([*argv, "--out", str(out)])
    assert rc == 0, argv
    return json.loads((out / "summary.json").read_text())


def _same_torques(a, b, rtol=RTOL):
    qa, qb = a["quantities"], b["quantities"]
    names = [k for k in TORQUES if k in qa]
    assert names
    for k in names:
        x, y = qa[k]["value"], qb[k]["value"]
        assert math.isclose(x, y, rel_tol=rtol, abs_tol=1e-300), (k, x, y)


def _same_numbers(a, b, rtol=RTOL):
    diff = fuzzing.same_numbers(a, b, rtol=rtol)
    assert diff == [], [(k, fuzzing.numbers(a).get(k), fuzzing.numbers(b).get(k)) for k in diff[:6]]
    _same_torques(a, b, rtol)


# ------------------------------------------------------------------ the transformations
def negated(case, d):
    files = []
    for f in case.files:
        df = _table(f)
        for c in _voltage_columns(df, case):
            df[c] = [_negate(v) for v in df[c]]
        files.append(_write(df, d / f.name))
    return case.command(files, signed={k: -v for k, v in case.signed.items()})


def reversed_rows(case, d):
    return case.command([_write(_reverse(_table(f)), d / f.name) for f in case.files])


def field_in_tesla(case, d):
    files, more, extra = [], [], dict(case.extra)
    for f in case.files:
        df = _table(f)
        pairs = _pairs(df)
        if pairs is not None:   # Ta/CoFeB: field columns in Oe without a unit in the header
            for a, _ in pairs:
                df[a] = [repr(float(to_house(float(v), "Oe", "field")[0])) if v != "" else "" for v in df[a]]
            more = ["--field-unit", "T"]
        else:
            for c in list(df.columns):
                if c in ("field (mT)",):
                    df[c] = [repr(float(to_house(float(v), "mT", "field")[0])) for v in df[c]]
                    df = df.rename(columns={c: "field (T)"})
        files.append(_write(df, d / f.name))
    if "--calibration" in extra:        # Py/Pt: the field comes from the calibration table (mT)
        cal = _table(extra["--calibration"])
        for c in cal.columns[1:]:
            cal[c] = [repr(float(to_house(float(v), "mT", "field")[0])) for v in cal[c]]
        extra["--calibration"] = _write(cal, d / "calibration_T.csv")
        more = ["--calibration-units", "A,T"]
    argv = case.command(files, extra=extra, more=more)
    if more:
        opt = more[0]
        i = argv.index(opt)      # the case's own unit option is replaced
        del argv[i:i + 2]
        argv += more
    return argv


def joined_or_split(case, d):
    pairs = _pairs(_table(case.files[0]))
    if pairs is not None:       # split each side-by-side file into one file per column pair
        files = []
        for f in case.files:
            df = _table(f)
            for a, b in _pairs(df):
                n = int((df[a] != "").sum())
                name = f.name.replace("hx_hy", a.lower())
                files.append(_write(df[[a, b]].iloc[:n], d / name))
        return case.command(files)
    frames = [_table(f) for f in case.files]
    cols = list(dict.fromkeys(c for fr in frames for c in fr.columns))
    assert all(list(fr.columns) == cols for fr in frames) or case.name == "macrospin"
    if case.name == "macrospin":   # rotations and sweeps: one long file of each
        groups = {}
        for f, fr in zip(case.files, frames):
            groups.setdefault(tuple(fr.columns), []).append(fr)
        files = [_write(pd.concat(g, ignore_index=True), d / f"long_{i}.csv") for i, g in enumerate(groups.values())]
        return case.command(files)
    return case.command([_write(pd.concat(frames, ignore_index=True), d / "long.csv")])


_RENAME = {"phi (deg)": "rot (deg)", "theta (deg)": "tilt_angle (deg)", "field (mT)": "Bapp",
           "field (T)": "Bapp", "X1 (uV)": "L1X", "Y1 (uV)": "L1Y", "X2 (uV)": "L2X", "Y2 (uV)": "L2Y",
           "Angle": "rot", "Magnet current (A)": "coil (A)", "I_source (mA)": "Isrc (mA)",
           "X1": "L1X", "Y1": "L1Y", "X2": "L2X", "Y2": "L2Y", "mz_state": "init", "phi_h (deg)": "az (deg)",
           "theta_h (deg)": "pol (deg)"}
_ROLE = {"rot (deg)": "angle", "tilt_angle (deg)": "angle", "rot": "angle", "Bapp": "field", "L1X": "x1",
         "L1Y": "y1", "L2X": "x2", "L2Y": "y2", "coil (A)": "magnet_current", "Isrc (mA)": "current",
         "init": "mz_state", "az (deg)": "phi_h", "pol (deg)": "theta_h"}


def renamed(case, d):
    pairs = _pairs(_table(case.files[0]))
    if pairs is not None:       # Ta/CoFeB: the voltage columns of each column pair, one file per pair
        files = []
        for f in case.files:
            df = _table(f)
            h = "1" if "_1f_" in f.name else "2"
            for a, b in _pairs(df):
                n = int((df[a] != "").sum())
                out = df[[a, b]].iloc[:n].rename(columns={b: f"sig{'AB'[int(h) - 1]}"})
                files.append(_write(out, d / f.name.replace("hx_hy", a.lower())))
        return case.command(files, more=["--column", "v1w=sigA", "--column", "v2w=sigB"])
    files, roles, units = [], {}, {}
    keep = ("phi (deg)", "theta (deg)", "field (mT)", "field (T)") if case.name == "macrospin" else ()
    for f in case.files:
        df = _table(f)
        ren = {c: _RENAME[c] for c in df.columns if c in _RENAME and c not in keep}
        for old, new in ren.items():
            roles[_ROLE[new]] = new
            if new == "Bapp":
                units["field"] = old.split("(")[1].rstrip(")")
        files.append(_write(df.rename(columns=ren), d / f.name))
    # (rotations and sweeps together, in different field units: their angle and field columns keep
    # their names, one --column names one column for every file)
    more = [x for r, n in roles.items() for x in ("--column", f"{r}={n}")]
    more += [x for r, u in units.items() for x in ("--column-unit", f"{r}={u}")]
    if any("(uV)" in c for c in _table(case.files[0]).columns):
        more += ["--voltage-unit", "uV"]
    return case.command(files, more=more)


TRANSFORMS = {"negated": negated, "reversed": reversed_rows, "tesla": field_in_tesla,
              "joined": joined_or_split, "renamed": renamed}


# ------------------------------------------------------------------ the tests
def _base_and_transformed(case, transform, tmp_path, tmp_path_factory):
    """The summary of the case as it is and of its files after ``transform``."""
    base = _case_base(case, tmp_path_factory)
    d = tmp_path / "in"
    d.mkdir()
    return base, _run(TRANSFORMS[transform](case, d), tmp_path / "out")


def _bundled_cases():
    """(method, transform) of every bundled metamorphic twin; the global macrospin fit's twins
    other than the negated one (4-8 s each) are long validations (-m slow): its negated twin and
    test_a_negative_r_ahe_is_accepted_by_every_method keep its signs in the default run."""
    for method in ("avci", "hayashi", "angular", "macrospin"):
        for transform in TRANSFORMS:
            slow = method == "macrospin" and transform != "negated"
            yield pytest.param(method, transform, id=f"{method}-{transform}",
                               marks=pytest.mark.slow if slow else ())


@pytest.mark.parametrize("method, transform", list(_bundled_cases()))
def test_bundled_sets(method, transform, tmp_path, tmp_path_factory):
    base, other = _base_and_transformed(_bundled()[method], transform, tmp_path, tmp_path_factory)
    if transform == "negated":
        _same_torques(base, other)
    else:
        _same_numbers(base, other)


@pytest.mark.real_data
@pytest.mark.parametrize("transform", list(TRANSFORMS))
@pytest.mark.parametrize("name", ["py_pt_avci", "ta_cofeb_hayashi",
                                  # the macrospin fit of the measured loops: 35 s for its six
                                  # runs, a long validation (its route is run as shipped in
                                  # test_hall_real_ta_cofeb.py, its metamorphic twins on the
                                  # bundled set in test_bundled_sets)
                                  pytest.param("ta_cofeb_macrospin", marks=pytest.mark.slow)])
def test_real_sets(name, transform, real_data, tmp_path, tmp_path_factory):
    base, other = _base_and_transformed(_real(real_data)[name], transform, tmp_path,
                                        tmp_path_factory)
    if transform == "negated":
        _same_torques(base, other)
        q, p = base["quantities"], other["quantities"]
        if "r_ahe" in q and q["r_ahe"]["stderr"] is not None:
            assert p["r_ahe"]["value"] == pytest.approx(-q["r_ahe"]["value"], rel=1e-9)
    else:
        _same_numbers(base, other)


# ------------------------------------------------------------------ signs in the library
def test_avci_negative_r_phe_keeps_phi0_and_the_damping_like_field():
    """Before: a negative R_PHE was turned positive by a 90 deg turn of phi0, and that phi0 applied
    to the second harmonic made cos(phi - phi0) a sin: mu0_h_dl 0.400 mT became 0.016 +/- 0.27 mT."""
    files = sorted((EX / "inplane").glob("phi_*.csv"))
    ref = avci([read_hall_table(f, scan="phi", **KW) for f in files], mu0_hk=-0.8, r_ahe=0.8)
    neg = avci([read_hall_table(f, scan="phi", **dict(KW, r1w_channel="-X", r2w_channel="-X"))
                for f in files], mu0_hk=-0.8, r_ahe=-0.8)
    assert abs(neg.quantities["phi0"].nominal_value) <= 45.0
    assert neg.quantities["phi0"].nominal_value == pytest.approx(ref.quantities["phi0"].nominal_value,
                                                                 rel=1e-9)
    assert neg.quantities["r_phe"].nominal_value == pytest.approx(-ref.quantities["r_phe"].nominal_value,
                                                                  rel=1e-9)
    assert neg.quantities["r_ane"].nominal_value == pytest.approx(-ref.quantities["r_ane"].nominal_value,
                                                                  rel=1e-6)
    for k in (k for k in TORQUES if k in ref.quantities):
        assert _nominal(neg.quantities[k]) == pytest.approx(_nominal(ref.quantities[k]), rel=1e-9)
    assert ref.quantities["mu0_h_dl"].nominal_value == pytest.approx(4e-4, rel=0.05)
    assert not any("changes sign" in n for n in neg.notes)


def _example(pattern, scan, negate=False):
    kw = dict(KW, r1w_channel="-X", r2w_channel="-X") if negate else KW
    return [read_hall_table(f, scan=scan, **kw) for f in sorted(EX.glob(pattern))]


@pytest.mark.parametrize("method", ["avci", "hayashi", "angular",
                                    # the global fit's signs stay in the default run through its
                                    # negated twin of test_bundled_sets; this one is long
                                    pytest.param("macrospin", marks=pytest.mark.slow)])
def test_a_negative_r_ahe_is_accepted_by_every_method(method):
    """A Hall bar wired the other way round (every voltage negated, R_AHE and R_PHE given with the
    negative sign): the same torque fields, R_AHE and R_PHE with the wiring's sign. Before, (c)
    took R_AHE as half the range of R_1w, always positive, and refused: 'the fields never saturate
    the magnetisation: measure above mu0H_K = 4.01 T'."""
    from sotfit.analysis.hall import angular, hayashi, macrospin

    def run(neg):
        sgn = -1.0 if neg else 1.0
        if method == "avci":
            return avci(_example("inplane/phi_*.csv", "phi", neg), mu0_hk=-0.8, r_ahe=0.8 * sgn)
        if method == "hayashi":
            return hayashi(_example("pma/sweep_*.csv", "field", neg), r_phe=0.15 * sgn)
        if method == "angular":
            return angular(_example("pma/theta_*.csv", "theta", neg), r_phe=0.15 * sgn)
        scans = _example("pma/theta_*.csv", "theta", neg)[:3] + _example("pma/sweep_*.csv", "field", neg)
        return macrospin(scans, fixed={"r_phe": 0.15 * sgn})

    ref, neg = run(False), run(True)
    for k in TORQUES:
        if k in ref.quantities:
            x, y = ref.quantities[k], neg.quantities[k]
            assert _nominal(y) == pytest.approx(_nominal(x), rel=1e-9), k
            assert y.std_dev == pytest.approx(x.std_dev, rel=1e-6), k
    assert _nominal(neg.quantities["r_ahe"]) == pytest.approx(-_nominal(ref.quantities["r_ahe"]), rel=1e-9)
    assert _nominal(neg.quantities["r_ahe"]) < 0
    if "phi0" in ref.quantities:
        assert _nominal(neg.quantities["phi0"]) == pytest.approx(_nominal(ref.quantities["phi0"]), abs=1e-7)
    assert sorted(neg.flags) == sorted(ref.flags)


def test_reversed_real_loop_reads_the_same_branches(real_data, tmp_path):
    """The Ta/CoFeB loops with every column pair reversed: the same eight branches (a falling sweep
    becomes a rising one, with its switching jump), the same m_z of every point."""
    from sotfit.io.hall import read_hall

    src = real_data / "cmtj_ta_cofeb_5360" / "Ta_CoFeB"
    kw = dict(current=2.68, current_is="peak", lockin_output="peak", r2w_channel="-X", field_unit="Oe",
              voltage_unit="V", theta_h=92.0)
    a = read_hall([src / "5360_1f_hx_hy.csv", src / "5360_2f_hx_hy.csv"], **kw)
    files = [_write(_reverse(_table(src / n)), tmp_path / n) for n in ("5360_1f_hx_hy.csv", "5360_2f_hx_hy.csv")]
    b = read_hall(files, **kw)
    key = lambda s: (s.meta["phi_h"], s.meta["mz_state"], round(float(np.min(s.r1w.x)), 9))  # noqa: E731
    assert sorted(map(key, a)) == sorted(map(key, b))
    for sa in a:
        sb = next(s for s in b if key(s) == key(sa))
        np.testing.assert_array_equal(np.sort(sa.r1w.x), np.sort(sb.r1w.x))
        np.testing.assert_allclose(sa.r2w.y[np.argsort(sa.r2w.x)], sb.r2w.y[np.argsort(sb.r2w.x)], rtol=1e-15)
