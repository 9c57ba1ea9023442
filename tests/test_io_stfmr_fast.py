"""The remembered layouts and the shortcuts of the readers give exactly what a fresh read gives.

Every ST-FMR file bundled with the project, files written here with one shared header and
bodies that must (or must not) take the shortcuts, random exports drawn by hypothesis (slow),
and the real measured files when they are present, are read by the general route (caches
disabled, every sweep check in full), with the caches disabled, cold and warm; Datasets (x, y,
yerr, meta), warnings and errors must be identical.
"""

import contextlib
import math
import pathlib
import warnings
from unittest import mock

import numpy as np
import pytest

from sotfit.io import cache, read_stfmr, read_table
from sotfit.io.stfmr import layouts, sweeps
from sotfit.io.stfmr.headers import _agree
from sotfit.io.stfmr.names import _stem
from sotfit.io.stfmr.sweeps import _median, _readback_noise, _segments, _strictly_monotonic
from stfmr_synth import write_long_table, write_positive_branch_files

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "stfmr_example"

OPTIONS = [{}, {"field_unit": "mT", "voltage_unit": "uV"}, {"split_sweeps": True},
           {"allow_duplicates": True, "split_sweeps": True}, {"option_style": "cli"},
           {"frequency": 9.0}, {"field_column": 0, "voltage_column": 1},
           {"field_unit": "mT", "voltage_unit": "uV", "option_style": "cli"}]


def snapshot(paths, **options):
    """Everything a reading gives: per Dataset its arrays, names and meta, or the error; and
    the warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = [(d.x.tobytes(), d.x.dtype.str, d.y.tobytes(), d.y.dtype.str,
                    None if d.yerr is None else d.yerr.tobytes(), d.x_name, d.y_name,
                    d.x_unit, d.y_unit, dict(d.meta)) for d in read_stfmr(paths, **options)]
        except Exception as exc:  # the error is part of the result
            out = ("error", type(exc).__name__, str(exc))
    return out, [(w.category.__name__, str(w.message)) for w in caught]


def same(a, b) -> bool:
    """Equality of snapshots, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@contextlib.contextmanager
def general_route():
    """Caches disabled and no sweep taken for strictly monotonic: every check runs in full."""
    with cache.disabled(), mock.patch.object(sweeps, "_strictly_monotonic", lambda f: False), \
            mock.patch.object(layouts, "_strictly_monotonic", lambda f: False):
        yield


def check_identical(cases):
    """Each (paths, options) read by the general route, with the caches disabled, cold, warm,
    and warm again after every other case, gives the same."""
    with general_route():
        fresh = [snapshot(p, **o) for p, o in cases]
    with cache.disabled():
        assert same(fresh, [snapshot(p, **o) for p, o in cases])
    cache.clear()
    cold = [snapshot(p, **o) for p, o in cases]
    warm = [snapshot(p, **o) for p, o in cases]
    backwards = [snapshot(p, **o) for p, o in reversed(cases)][::-1]
    for k, (p, o) in enumerate(cases):
        for other in (cold, warm, backwards):
            assert same(fresh[k], other[k]), (p, o)
    return fresh


# ------------------------------------------------------------------------------ generated files
HEADER = "# ST-FMR test file\n# frequency_GHz: 9\n# field_angle_deg: 30\nField (mT),Vmix (uV)\n"


def body(h, v, sep=",", end="\n"):
    return end.join(f"{a:.6f}{sep}{b:.6f}" for a, b in zip(h, v)) + end


def bodies() -> dict:
    """Bodies under one header: the usual ones and every kind that must be read in full."""
    n = 60
    up = np.linspace(-150.0, 150.0, n)
    v = np.sin(up / 17.0)
    rng = np.random.default_rng(3)
    jitter = up + rng.normal(0, 0.05, n)
    reverse = np.concatenate([up[:40], up[39:20:-1]])
    dup = up.copy()
    dup[10] = dup[11]
    out = {
        "up": body(up, v), "down": body(up[::-1], v), "positive": body(up[30:], v[30:]),
        "from_zero": body(np.linspace(0, 150, n), v), "to_zero": body(np.linspace(-150, 0, n), v),
        "crlf": body(up, v, end="\r\n"), "cr": body(up, v, end="\r"),
        "no_final_newline": body(up, v).rstrip("\n"),
        "blank_inside": body(up[:30], v[:30]) + "\n" + body(up[30:], v[30:]),
        "blank_end": body(up, v) + "\n\n", "spaces_line": body(up[:30], v[:30]) + "   \n"
        + body(up[30:], v[30:]), "comment_inside": body(up[:30], v[:30]) + "# pause\n"
        + body(up[30:], v[30:]), "nan": body(up, v).replace("0.000000", "nan", 1),
        "empty_cell": body(up[:5], v[:5]) + "1.5,\n" + body(up[6:], v[6:]),
        "trailing_delimiter": body(up, v).replace("\n", ",\n"),
        "first_trailing": body(up[:1], v[:1]).replace("\n", ",\n") + body(up[1:], v[1:]),
        "three_columns": "".join(f"{a},{b},1\n" for a, b in zip(up, v)),
        "ragged": body(up[:30], v[:30]) + "1,2,3\n" + body(up[30:], v[30:]),
        "word": body(up[:30], v[:30]) + "1,abc\n" + body(up[30:], v[30:]),
        "inf": body(up, v).replace("0.000000", "inf", 1), "exponent": "".join(
            f"{a:.6e},{b:.6e}\n" for a, b in zip(up, v)),
        "jitter": body(jitter, v), "reverse": body(reverse, np.sin(reverse)),
        "duplicate": body(dup, v), "returns": body(np.r_[up[:20], -up[:20]], v[:40]),
        "short": body(up[:2], v[:2]), "huge": body(up * 1e6, v), "tab": body(up, v, "\t"),
        "semicolon": body(up, v, ";"), "spaces": body(up, v, "  "),
        "leading_blanks": "".join(f"  {a:.6f},{b:.6f}\n" for a, b in zip(up, v)),
        "non_ascii": body(up, v) + "\u00b5\n", "lone": "5\n" + body(up, v),
    }
    return out


def write_variants(folder: pathlib.Path, header: str = HEADER) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, (name, text) in enumerate(bodies().items()):
        p = folder / f"{name}_{k:02d}.csv"
        p.write_text(header + text, encoding="utf-8", newline="")
        paths.append(p)
    return paths


def test_files_sharing_one_header_read_as_afresh(tmp_path):
    paths = write_variants(tmp_path / "one_header")
    cases = [([p], o) for p in paths for o in OPTIONS]
    fresh = check_identical(cases + [([tmp_path / "one_header"], {"split_sweeps": True})])
    assert sum(r[0][0] != "error" for r in fresh) > 40   # most read, some are errors


@pytest.mark.parametrize("header", [
    "Field (mT)\tVmix (uV)\n", "frequency: 9 GHz\nField (mT),Vmix (uV)\n",
    "# f = 9 GHz ; field in-plane\n# field_mT vmix_uV\n", "", "field_mT  vmix_uV\n",
    "# sample: S1\nFrequency (GHz): 9\nPower (dBm): 10\nField (Oe),Vmix (V)\n",
    "# frequency_GHz: 9\nField (mT),Vmix (uV),Field (mT)\n", "Vmix (uV),Field (mT)\n",
    "\ufeffField (mT),Vmix (uV)\n", "# frequency_GHz: nine\nField (mT),Vmix (uV)\n",
    "Field (furlong),Vmix (uV)\n",
])
def test_other_headers_and_delimiters(tmp_path, header):
    paths = write_variants(tmp_path / "h", header)
    check_identical([([p], o) for p in paths for o in OPTIONS[:3] + OPTIONS[5:]])
    spelled = [{"field_unit": "mT", "voltage_unit": "uV", "frequency": 9.0, **style}
               for style in ({}, {"option_style": "cli"})]   # notes in the two spellings
    typed = [{"field_column": c, "voltage_column": 1, "frequency": 9.0} for c in (0, False)]
    check_identical([([p], o) for o in spelled + typed for p in paths[:2]])


def test_names_giving_frequency_angle_and_repeat(tmp_path):
    text = HEADER.replace("# frequency_GHz: 9\n", "") + bodies()["up"]
    names = ["9GHz.csv", "9GHz_1.csv", "10GHz_2.csv", "f9GHz_phi30deg_3.csv", "9GHz_45deg.csv",
             "stfmr_9.00GHz_10.00dBm_0.00mA.dat", "noname.txt", "x.lvm"]
    for n in names:
        (tmp_path / n).write_text(text)
    check_identical([([tmp_path / n], o) for n in names for o in OPTIONS]
                    + [([tmp_path], {}), ([tmp_path], {"frequency": 9.0})])


def test_generated_layouts(tmp_path):
    long_path = tmp_path / "long.dat"
    write_long_table(long_path)
    (tmp_path / "pos").mkdir()
    files = [pathlib.Path(p) for p in write_positive_branch_files(tmp_path / "pos")]
    lvm = tmp_path / "lvm"
    lvm.mkdir()
    h = np.linspace(2000, -2000, 81)
    for k in range(3):
        (lvm / f"{8 + k}GHz.lvm").write_text(
            "Frequency(GHz):%d\nPower(dBm):10\n" % (8 + k)
            + "".join(f"{a:.3f}\t{1e-6 * np.sin(a / 300):.9e}\n" for a in h))
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("2pf_9.0_GHz\t2pf_9.0_GHz\t2pf_10.0_GHz\t2pf_10.0_GHz\n" + "".join(
        f"{a}\t{np.sin(a / 300):.6f}\t{a}\t{np.cos(a / 300):.6f}\n" for a in h[:60])
        + "".join(f"{a}\t{np.sin(a / 300):.6f}\n" for a in h[60:]))
    cases = [([long_path], {}), ([tmp_path / "pos"], {}), ([lvm], {}),
             ([pairs], {"field_unit": "Oe", "voltage_unit": "uV"})]
    cases += [([f], o) for f in files for o in OPTIONS]
    check_identical(cases)


def test_bundled_example_files():
    files = sorted(p for p in EXAMPLE.iterdir() if p.suffix == ".csv")
    assert files
    cases = [([f], o) for f in files for o in OPTIONS] + [([EXAMPLE], {})]
    cases += [([f], {}) for f in files]   # the same files again, now remembered
    fresh = check_identical(cases)
    assert all(r[0][0] != "error" for r in fresh[:1])


def test_many_files_of_one_header_and_read_table(tmp_path):
    up = np.linspace(-100.0, 100.0, 50)
    for k in range(30):
        rng = np.random.default_rng(k)
        (tmp_path / f"s_{9 + k % 3}GHz_{k:03d}.csv").write_text(
            HEADER.replace("# frequency_GHz: 9\n", "") + body(up + rng.normal(0, 0.02, 50),
                                                               rng.normal(size=50)))
    check_identical([([tmp_path], {}), ([tmp_path], {"split_sweeps": True})])
    for p in sorted(tmp_path.iterdir()):
        with cache.disabled():
            a = read_table(p)
        b = read_table(p)
        assert (a.path, a.header, a.columns, a.delimiter, a.header_lines) == \
            (b.path, b.header, b.columns, b.delimiter, b.header_lines)
        assert a.data.tobytes() == b.data.tobytes() and a.lines.tobytes() == b.lines.tobytes()
        assert a.data.dtype == b.data.dtype and a.lines.dtype == b.lines.dtype


# ------------------------------------------------------------------------------ real files
REAL = {"stfmr_cofe_pt": [{}], "stfmr_unlabelled_8_10ghz": [{"field_unit": "T",
                                                              "voltage_unit": "V"}],
        "cmtj_ta_cofeb_5360/VSD": [{"field_unit": "Oe", "voltage_unit": "V"}, {}],
        "fmr_yig_derivative": [{"lockin_channels": "Xchannel,Ychannel", "voltage_unit": "V"},
                               {"voltage_column": "Xchannel", "voltage_unit": "V"}, {}]}


@pytest.mark.real_data
@pytest.mark.parametrize("folder", list(REAL))
def test_real_files(real_data, folder):
    path = real_data / folder
    if not path.is_dir():
        pytest.skip(f"{path} missing")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name != "LICENSE")
    check_identical([([f], o) for f in files for o in REAL[folder]])


# ------------------------------------------------------------------------------ the shortcuts
def test_median_is_numpy_median_bit_for_bit():
    rng = np.random.default_rng(0)
    for k in range(3000):
        n = int(rng.integers(1, 40))
        a = rng.normal(size=n) * 10.0 ** rng.integers(-300, 300)
        if k % 3 == 0:
            a = rng.integers(-3, 3, size=n).astype(float)
        if k % 5 == 0:
            a = np.where(rng.random(n) < 0.5, -0.0, 0.0)
        if k % 7 == 0:
            a = np.where(rng.random(n) < 0.5, -5e-324, 5e-324)
        m = np.median(a)
        assert np.float64(_median(a)).tobytes() == m.tobytes()


def test_monotonic_sweeps_take_the_general_route_results():
    rng = np.random.default_rng(1)
    for k in range(300):
        n = int(rng.integers(2, 80))
        h = np.sort(rng.normal(size=n) * 10.0 ** rng.integers(-2, 3)) * (1 if k % 2 else -1)
        if k % 5 == 0:
            h = h - h[0]   # starts at zero field
        for tol in (0.0, 1e-3, float(np.abs(h).max()) + 1.0):
            fast = _segments(h, tol)
            general = _segments(h, tol, strict=False)
            assert len(fast) == len(general) == 1 or not _strictly_monotonic(h)
            for f, g in zip(fast, general):
                assert f[:2] == g[:2] and f[3] == g[3] and np.array_equal(f[2], g[2])
                assert f[2].dtype == g[2].dtype
        assert _readback_noise(h) == _readback_noise(h, strict=False)


def test_agree_is_isclose():
    rng = np.random.default_rng(2)
    values = list(rng.normal(size=200) * 10.0 ** rng.integers(-12, 12, 200)) + [
        0.0, -0.0, 1e-9, 2e-9, 1.0, 1.000001, 1.0000011, np.inf, -np.inf, np.nan]
    for a in values:
        for b in (a, a * (1 + 1e-6), a * (1 + 2e-6), a + 1e-9, 0.0, np.inf, np.nan):
            assert _agree(a, b) == bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))


@pytest.mark.parametrize("name", ["9GHz_1.lvm", "test1_13G_8dmb_0.1V_005", "a.", ".hidden",
                                  "..", "a..b", "x.tar.gz", "dir/9GHz.csv", "phi30deg.dat",
                                  "a.b c", "9GHz.CSV", "f_1.23456"])
def test_stem_is_pathlib_stem(name):
    import re
    p = pathlib.Path(name)
    want = p.stem if re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,4}", p.suffix) else p.name
    assert _stem(name) == want


def test_cache_switch_and_clear(tmp_path):
    paths = write_variants(tmp_path)
    read_stfmr(paths[:3])
    assert any(len(c) for c in cache._CACHES)
    cache.clear()
    assert not any(len(c) for c in cache._CACHES)
    with cache.disabled():
        assert not cache.ENABLED
        read_stfmr(paths[:3])
        assert not any(len(c) for c in cache._CACHES)
    assert cache.ENABLED
    lru = cache.LRU(maxsize=2)
    for k in range(3):
        lru.put(k, k)
    assert len(lru) == 2 and lru.get(0) is None and lru.get(2) == 2
    lru.put([1], 1)   # an unhashable key is not remembered
    assert lru.get([1]) is None


# ------------------------------------------------------------------------------ random exports
# Exports in the shapes other programs write (delimiters, unit spellings, preambles, line
# ends, both polarities, repeats, jitter, missing cells), several under one header text and
# some with that header over a body of another layout: every reading of them is the same.
FIELD_COLUMNS = ["Field (mT)", "H [Oe]", "B / T", "field_G", "Field(kOe)", "mu0H (mT)",
                 "Magnetic Field (oe)"]
VOLTAGE_COLUMNS = ["Vmix (uV)", "V [µV]", "Voltage (mV)", "vmix_V", "Signal(uV)"]
OTHER_COLUMNS = {"Time (s)": "time", "Frequency (GHz)": "frequency"}
VALUES = {"time": lambda i, h, v: 0.1 * i, "frequency": lambda i, h, v: 9.0 + (i > 30),
          "gain": lambda i, h, v: 1.0, "field": lambda i, h, v: h, "vmix": lambda i, h, v: v}
PREAMBLE_LINES = ["# ST-FMR export", "Frequency(GHz):9.000000E+0", "frequency: 9 GHz",
                  "# f = 9 GHz ; field in-plane", "Power (dBm) = 10", "Samplename: S1",
                  "Date/time start measurement: Mon, 15 Nov 2021 11:28", "", "  ", "% note",
                  "Power: 10", "phi: 30", "field_angle_deg: 30", "Frequency(GHz): nine",
                  "# comment: with colon", "Sample = "]
NAMES = ["9GHz", "stfmr_9.00GHz_10.00dBm_0.00mA", "f9GHz_1", "sample", "9GHz_phi30deg_2",
         "10GHz"]
SHAPES = ["up", "down", "neg_then_pos", "pos_to_zero_neg_to_zero", "positive", "reverses",
          "returns"]


def sweep_shape(shape: str, n: int) -> np.ndarray:
    """A field sweep (file unit) of ``n`` points and one of :data:`SHAPES`."""
    up = np.linspace(-150.0, 150.0, n)
    half = np.linspace(150.0, 0.0, n // 2 + 1)
    return {"up": up, "down": up[::-1], "neg_then_pos": up,
            "pos_to_zero_neg_to_zero": np.r_[half, -half], "positive": up + 151.0,
            "reverses": np.r_[up, up[-2:n // 3:-1]], "returns": np.r_[up[:n // 2], -up[:n // 3]],
            }[shape]


def decorate(h: np.ndarray, draw, st) -> np.ndarray:
    """The sweep with repeated points, jitter or rounding, as drawn."""
    kind = draw(st.sampled_from(["none", "none", "repeat", "jitter", "round", "repeat_all"]))
    if kind == "repeat":
        i = draw(st.integers(0, h.size - 1))
        h = np.insert(h, i, h[i])
    elif kind == "jitter":
        seed = draw(st.integers(0, 2 ** 16))
        h = h + np.random.default_rng(seed).normal(0, draw(st.sampled_from([0.01, 0.5, 5.0])),
                                                   h.size)
    elif kind == "round":
        h = np.round(h, -1)
    elif kind == "repeat_all":
        h = np.repeat(h, 2)
    return h


def body_lines(draw, st, roles: list, delimiter: str) -> list:
    """The data lines of one export with columns of ``roles`` (keys of :data:`VALUES`): a
    sweep, its number format and what was done to its cells and lines."""
    h = decorate(sweep_shape(draw(st.sampled_from(SHAPES)), draw(st.integers(3, 60))), draw, st)
    number = draw(st.sampled_from(["{:.6f}", "{:.6E}", "{:g}", "{!r}", "{:.1f}"]))
    rows = [[number.format(float(VALUES[r](i, a, np.sin(i / 3.0)))) for r in roles]
            for i, a in enumerate(h)]
    if draw(st.integers(0, 9)) == 0:   # decimal commas
        rows = [[c.replace(".", ",") for c in r] for r in rows]
    if draw(st.integers(0, 3)) == 0:   # a missing or odd cell
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(roles) - 1))
        rows[i][j] = draw(st.sampled_from(["nan", "", "inf", "abc", "1,5"]))
    lines = [delimiter.join(r) for r in rows]
    end = draw(st.sampled_from(["", "", "", delimiter.strip() or " ", "first", "  "]))
    if end == "first":
        lines[0] += delimiter.strip() or " "
    elif end:
        lines = [ln + end for ln in lines]
    if draw(st.integers(0, 4)) == 0:   # a line among the data
        lines.insert(draw(st.integers(0, len(lines))),
                     draw(st.sampled_from(["", "   ", "# pause", "1", "1,2,3,4"])))
    return lines


def one_export(draw, st, preamble: list, header: list, roles: list, delimiter: str) -> str:
    """The text of one file: the shared preamble and header row (none if ``header`` is
    empty) over a body of columns ``roles`` or, as drawn, of another delimiter or width,
    in one of the line ends."""
    if draw(st.integers(0, 3)) == 0:
        delimiter = draw(st.sampled_from([",", "\t", ";", " "]))
        roles = draw(st.sampled_from([roles + ["gain"], roles[:2]]))
    joiner = "\t" if delimiter == " " else delimiter
    lines = preamble + ([joiner.join(header)] if header else [])
    lines += body_lines(draw, st, roles, delimiter)
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = eol.join(lines) + draw(st.sampled_from([eol, "", eol + eol]))
    return ("\ufeff" if draw(st.integers(0, 9)) == 0 else "") + text


def exports_strategy():
    """Hypothesis strategy: a list of (file name, text), most sharing one preamble and
    header row."""
    from hypothesis import strategies as st

    @st.composite
    def exports(draw):
        preamble = draw(st.lists(st.sampled_from(PREAMBLE_LINES), max_size=4))
        header = [draw(st.sampled_from(FIELD_COLUMNS)), draw(st.sampled_from(VOLTAGE_COLUMNS))]
        header += draw(st.sampled_from([[], [], ["Time (s)"], ["Frequency (GHz)"]]))
        if draw(st.booleans()):
            header = header[::-1]
        roles = [OTHER_COLUMNS.get(c, "field" if c in FIELD_COLUMNS else "vmix") for c in header]
        if draw(st.integers(0, 5)) == 0:
            header, roles = [], ["field", "vmix"]   # no column header row
        elif draw(st.integers(0, 5)) == 0:   # no units
            header = [c.split(" ")[0].split("(")[0].split("_")[0] for c in header]
        delimiter = draw(st.sampled_from([",", "\t", ";", " ", ", "]))
        files = []
        for k in range(draw(st.integers(2, 5))):
            suffix = draw(st.sampled_from([".csv", ".txt", ".dat", ".lvm"]))
            name = f"{draw(st.sampled_from(NAMES))}_{k}{suffix}"
            files.append((name, one_export(draw, st, preamble, header, roles, delimiter)))
        return files

    return exports()


@pytest.mark.slow
def test_random_exports_read_as_afresh(tmp_path_factory):
    hypothesis = pytest.importorskip("hypothesis")

    @hypothesis.settings(max_examples=200, deadline=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(exports_strategy())
    def check(files):
        folder = tmp_path_factory.mktemp("exports")
        for name, text in files:
            (folder / name).write_text(text, encoding="utf-8", newline="")
        paths = [folder / name for name, _ in files]
        options = OPTIONS[:4] + [{"frequency": 9.0, "allow_duplicates": True},
                                 {"field_unit": "mT", "voltage_unit": "uV", "frequency": 9.0,
                                  "field_column": 0, "voltage_column": 1}]
        check_identical([([p], o) for p in paths for o in options]
                        + [([folder], {"frequency": 9.0, "split_sweeps": True})])

    check()
