"""A long ST-FMR table whose frequency column is a jittering read-back of the synthesizer.

The example set (data/stfmr_example) is stacked into one table with a frequency column, once
with the exact frequencies and once with each row's frequency jittered in its last digits
(1e-7 relative, a few kHz, a column in Hz, values rounded to six decimals). The jittered
table must give the spectra of the exact one, point for point, at each sweep's mean
frequency, with a note; an exact column must read exactly as it did without the grouping; a
column that changes on every row and does not cluster must be refused with why.
"""

import hashlib
import re
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import sotfit as sf
from sotfit.analysis.stfmr import analyse_stfmr, summary_dict
from sotfit.data import DataError
from sotfit.io.stfmr import layouts
from sotfit.io.stfmr.frequency_groups import (
    MAX_GAP_FRACTION, MAX_RELATIVE_SPREAD, group_frequencies,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
FREQUENCIES = (8, 10, 12, 14, 16, 18)

pytestmark = pytest.mark.skipif(not (EXAMPLE / "py_pt_10GHz.csv").exists(),
                                reason="example data absent")


def example_rows():
    """(frequency GHz, field mT, V_mix uV) of the example files, stacked in frequency order:
    the numbers as the files write them (strings), so the table carries their exact bits."""
    rows = []
    for f in FREQUENCIES:
        lines = (EXAMPLE / f"py_pt_{f}GHz.csv").read_text().splitlines()
        body = [ln.split(",") for ln in lines if ln and not ln.startswith("#")][1:]
        rows += [(float(f), h, v) for h, v in body]
    return rows


def write_table(path, rows, frequencies, fmt="{!r}", column="f (GHz)"):
    """Write the rows with their frequency column replaced by ``frequencies`` (written with
    ``fmt``); returns the path."""
    text = f"# field_angle_deg: 45\n{column},Field (mT),Vmix (uV)\n" + "".join(
        f"{fmt.format(float(q))},{h},{v}\n" for q, (_, h, v) in zip(frequencies, rows))
    Path(path).write_text(text)
    return Path(path)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """The exact table and its jittered versions, with the frequencies written in each."""
    folder = tmp_path_factory.mktemp("jitter")
    rows = example_rows()
    exact = np.array([r[0] for r in rows])
    rng = np.random.default_rng(7)
    jitters = {
        "relative": (exact * (1 + 1e-7 * rng.standard_normal(exact.size)), "{!r}", 1.0,
                          "f (GHz)"),
        "khz": (exact + 3e-6 * rng.uniform(-1, 1, exact.size), "{!r}", 1.0, "f (GHz)"),
        "hz_column": (np.round((exact + 3e-6 * rng.uniform(-1, 1, exact.size)) * 1e9),
                      "{:.0f}", 1e-9, "f (Hz)"),
        "six_decimals": (np.round(exact + 3e-6 * rng.uniform(-1, 1, exact.size), 6), "{:.6f}",
                         1.0, "f (GHz)"),
    }
    out = {"exact": (write_table(folder / "exact.csv", rows, exact, "{:.3f}"), exact)}
    for name, (values, fmt, to_ghz, column) in jitters.items():
        out[name] = (write_table(folder / f"{name}.csv", rows, values, fmt, column),
                     values * to_ghz)
    return out


def fitted(path):
    """The summary of ``path`` analysed by the ST-FMR pipeline."""
    return summary_dict(analyse_stfmr(sf.io.read_stfmr(path)))


@pytest.mark.parametrize("name", ["relative", "khz", "hz_column", "six_decimals"])
def test_a_jittered_column_gives_the_spectra_of_the_exact_one_at_each_mean(tables, name):
    exact = sf.io.read_stfmr(tables["exact"][0])
    path, written = tables[name]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    jittered = sf.io.read_stfmr(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # the input is unchanged
    assert len(jittered) == len(exact) == len(FREQUENCIES)
    column = "'f (Hz)'" if name == "hz_column" else "'f (GHz)'"
    for d, e, f in zip(jittered, exact, FREQUENCIES):
        assert d.x.tobytes() == e.x.tobytes() and d.y.tobytes() == e.y.tobytes()
        mine = written[np.round(written) == f]
        assert d.meta["frequency"] == pytest.approx(mine.mean(), rel=1e-13, abs=0)
        assert d.meta["frequency"] != f or np.all(mine == f)
        assert d.meta["frequency_spread"] == pytest.approx(np.ptp(mine), rel=1e-6)
        assert d.meta["frequency_jitter_max"] == pytest.approx(
            np.max(np.abs(mine - mine.mean())), rel=1e-6)
        note = next(n for n in d.meta["reader_notes"] if "jitters" in n)
        assert re.fullmatch(
            rf"frequency column {re.escape(column)} \(column 0\) jitters by up to [0-9.]+ "
            r"(Hz|kHz) within each sweep; rows grouped into 6 frequencies, each the mean of "
            r"its rows", note), note
        own = ("source", "path", "frequency", "frequency_from", "frequency_spread",
               "frequency_jitter_max", "reader_notes")
        assert {k: v for k, v in d.meta.items() if k not in own} \
            == {k: v for k, v in e.meta.items() if k not in own}
        assert d.meta["reader_notes"] == (note,) and "reader_notes" not in e.meta
        assert d.meta["frequency_from"] == f"column {column} (column 0)"


@pytest.mark.parametrize("name", ["khz", "hz_column"])
def test_a_jittered_column_gives_the_fitted_numbers_of_the_exact_one(tables, name):
    exact, jittered = fitted(tables["exact"][0]), fitted(tables[name][0])
    compared = 0
    for route in ("sequential", "global"):
        for key, q in exact[route].items():
            if not (isinstance(q, dict) and isinstance(q.get("stderr"), float)
                    and np.isfinite(q["stderr"]) and q["stderr"] > 0):
                continue
            assert abs(jittered[route][key]["value"] - q["value"]) < 0.01 * q["stderr"], \
                (route, key, q, jittered[route][key])
            compared += 1
    assert compared >= 8
    for s, t in zip(exact["spectra"], jittered["spectra"]):  # the same points, the same fits
        assert {k: v for k, v in s.items() if k not in ("frequency", "source")} \
            == {k: v for k, v in t.items() if k not in ("frequency", "source")}


def test_an_exact_column_reads_as_without_the_grouping(tables):
    path = tables["exact"][0]
    grouped = sf.io.read_stfmr(path)
    with mock.patch.object(layouts, "group_frequencies", lambda fq: None):
        plain = sf.io.read_stfmr(path)
    assert [d.meta for d in grouped] == [d.meta for d in plain]
    for d, e in zip(grouped, plain):
        assert d.x.tobytes() == e.x.tobytes() and d.y.tobytes() == e.y.tobytes()
        assert "frequency_spread" not in d.meta and "reader_notes" not in d.meta
    assert [d.meta["frequency"] for d in grouped] == [float(f) for f in FREQUENCIES]


def test_interleaved_jittered_rows_keep_their_order_and_field_sweeps(tmp_path):
    # the frequency stepped inside each field step, read back with jitter
    rng = np.random.default_rng(3)
    h = np.linspace(-0.1, 0.1, 21)
    text = "B (T)\tf (MHz)\tV (uV)\n" + "".join(
        f"{float(b)!r}\t{f + float(rng.uniform(-0.004, 0.004))!r}\t{float(b * f)!r}\n"
        for b in h for f in (5000.0, 7000.0))
    p = tmp_path / "grid.tsv"
    p.write_text(text)
    sw = sf.io.read_stfmr(p)
    assert [round(d.meta["frequency"], 6) for d in sw] == [5.0, 7.0]
    for d, f in zip(sw, (5000.0, 7000.0)):
        np.testing.assert_array_equal(d.x, h)
        np.testing.assert_allclose(d.y, h * f, rtol=1e-15)
        assert d.meta["sweep_direction"] == "up"


def test_a_frequency_measured_twice_still_comes_back_to_its_branch(tmp_path):
    """The field sweep segmentation is that of an exact column."""
    h = np.linspace(-0.1, 0.1, 9)
    rng = np.random.default_rng(5)
    block = lambda f, k: "".join(  # noqa: E731
        f"{f + float(rng.uniform(-2e-7, 2e-7))!r},{float(b)!r},{k}\n" for b in h)
    p = tmp_path / "long.csv"
    p.write_text("f (GHz),B (T),V (uV)\n" + block(8, 1.0) + block(9, 2.0) + block(8, 3.0))
    with pytest.raises(DataError, match=r"long\.csv at 8 GHz: the field sweep comes back to the "
                                        r"negative field branch.*line 20.*2 sweeps"):
        sf.io.read_stfmr(p)
    sw = sf.io.read_stfmr(p, split_sweeps=True)
    assert [round(f, 6) for f in sw.values("frequency")] == [8.0, 8.0, 9.0]
    assert sw.values("segment") == [0, 1, 0]
    assert [float(d.y[0]) for d in sw] == [1.0, 3.0, 2.0]


@pytest.mark.parametrize("style, options", [("python", ("frequency_column=", "frequency=")),
                                            ("cli", ("--column frequency=NAME",
                                                     "--frequency 9GHz"))])
@pytest.mark.parametrize("kind", ["frequency sweep", "random", "jitter beyond 1e-4"])
def test_a_column_that_changes_on_every_row_is_refused_with_why(tmp_path, kind, style, options):
    rng = np.random.default_rng(11)
    n = 60
    h = np.linspace(0.02, 0.2, n)
    f = {"frequency sweep": np.linspace(2.0, 20.0, n),
         "random": rng.uniform(2.0, 20.0, n),
         "jitter beyond 1e-4": np.repeat([8.0, 10.0, 12.0], n // 3)
         * (1 + 1e-3 * rng.standard_normal(n))}[kind]
    p = tmp_path / "fsweep.csv"
    p.write_text("frequency (GHz),field (T),vmix (uV)\n"
                 + "".join(f"{float(a)!r},{float(b)!r},{float(np.sin(20 * b))!r}\n"
                           for a, b in zip(f, h)))
    with pytest.raises(DataError) as err:
        sf.io.read_stfmr(p, option_style=style)
    msg = str(err.value)
    assert msg.startswith("fsweep.csv: the frequency column 'frequency (GHz)' (column 0) "
                          "changes on (nearly) every row (60 distinct values")
    assert "cannot split the table into field sweeps of at least 3 points" in msg
    for option in options:
        assert option in msg


def test_a_read_back_beyond_the_bounds_whose_values_repeat_is_refused_with_why(tmp_path):
    """Jitter of 3e-4 (beyond the 1e-4 bound) written to 1 kHz: some values repeat, so a few
    frequencies hold three rows and most one or two. The error is the column's, not that of
    the first thin spectrum."""
    rows = example_rows()
    exact = np.array([r[0] for r in rows])
    jittered = np.round(exact * (1 + 3e-4 * np.random.default_rng(3).standard_normal(exact.size)),
                        6)
    counts = np.unique(jittered, return_counts=True)[1]
    assert counts.max() >= 3 and np.count_nonzero(counts < 3) > 2
    p = write_table(tmp_path / "wide.csv", rows, jittered, "{:.6f}")
    with pytest.raises(DataError, match=rf"^wide\.csv: the frequency column 'f \(GHz\)' "
                                        rf"\(column 0\) gives {np.count_nonzero(counts < 3)} "
                                        r"frequencies with fewer than 3 rows .* round its values "
                                        "to the set frequencies"):
        sf.io.read_stfmr(p)


def test_group_frequencies_follows_its_rule():
    rng = np.random.default_rng(2)
    exact = np.repeat([8.0, 10.0, 12.0], 50)
    assert group_frequencies(exact) is None  # nothing to group
    assert group_frequencies(np.full(9, 10.0)) is None
    one_sweep = 10.0 + 1e-6 * rng.standard_normal(100)
    g = group_frequencies(one_sweep)
    assert g.mean.size == 1 and np.all(g.row_frequency == g.mean[0])
    assert g.mean[0] == pytest.approx(one_sweep.mean(), rel=1e-15)
    assert g.spread[0] == np.ptp(one_sweep)
    # an exact sweep beside jittered ones keeps its value to the bit
    mixed = np.r_[np.full(40, 0.1 + 0.2), 12.0 + 1e-6 * rng.standard_normal(40)]
    g = group_frequencies(mixed)
    assert g.mean[0] == 0.1 + 0.2 and g.spread[0] == 0.0 and g.jitter[0] == 0.0
    # even fine steps are a frequency sweep: spread beyond MAX_RELATIVE_SPREAD
    steps = 10.0 + 1e-5 * np.arange(200)
    assert np.ptp(steps) > MAX_RELATIVE_SPREAD * 10.0 and group_frequencies(steps) is None
    # narrow clusters too close together: spread beyond MAX_GAP_FRACTION of the gap
    close = np.r_[8.0, 8.0003, 8.0006, 8.003, 8.0033]
    assert 0.0006 > MAX_GAP_FRACTION * (8.003 - 8.0006) and group_frequencies(close) is None
    # the same clusters further apart are sweeps
    g = group_frequencies(np.r_[8.0, 8.0003, 8.0006, 9.003, 9.0033])
    assert g.mean.tolist() == pytest.approx([8.0003, 9.00315], rel=1e-15)
    # the rows keep their order: the row frequencies are indexed like the input
    shuffled = rng.permutation(np.r_[np.full(5, 8.0) + 1e-7 * np.arange(5), np.full(5, 9.0)])
    g = group_frequencies(shuffled)
    np.testing.assert_array_equal(np.round(g.row_frequency), np.round(shuffled))


def test_a_power_column_that_changes_on_every_row_is_not_blamed_on_the_frequency(tmp_path):
    h = np.linspace(0.02, 0.2, 30)
    p = tmp_path / "powers.csv"
    p.write_text("frequency (GHz),power (dBm),field (T),vmix (uV)\n" + "".join(
        f"9,{10 + 0.5 * k},{float(b)!r},1.0\n" for k, b in enumerate(h)))
    with pytest.raises(DataError, match=r"^powers\.csv: the power column 'power \(dBm\)' "
                                        r"\(column 1\) changes within the field sweeps"):
        sf.io.read_stfmr(p)
    # a drift of hundredths of a dB per row is a power meter's read-back: one sweep
    p.write_text("frequency (GHz),power (dBm),field (T),vmix (uV)\n" + "".join(
        f"9,{10 + 0.01 * k},{float(b)!r},1.0\n" for k, b in enumerate(h)))
    (d,) = sf.io.read_stfmr(p)
    assert d.x.size == 30 and d.meta["frequency"] == 9.0
