import numpy as np
import pytest

from sotfit import DataError, Dataset, Sweep


def make(n=5, **meta):
    return Dataset(np.arange(n, dtype=float), np.arange(n) ** 2.0, x_name="field", y_name="vmix",
                   x_unit="T", y_unit="uV", meta={"source": "f.csv", **meta})


def test_dataset_is_immutable_and_copies_input():
    x = np.arange(3.0)
    d = Dataset(x, x * 2)
    x[0] = 99.0
    assert d.x[0] == 0.0
    with pytest.raises(ValueError):
        d.x[0] = 1.0
    with pytest.raises(Exception):
        d.meta["a"] = 1


def test_nan_is_an_error_naming_the_source_and_column():
    with pytest.raises(DataError, match=r"f\.csv.*'vmix'.*NaN"):
        Dataset([0, 1, 2], [0, np.nan, 1], y_name="vmix", meta={"source": "f.csv"})


def test_errors_must_be_positive_and_match():
    with pytest.raises(DataError, match="> 0"):
        Dataset([0, 1], [0, 1], yerr=[1, 0])
    with pytest.raises(DataError, match="errors"):
        Dataset([0, 1], [0, 1], yerr=[1, 1, 1])


def test_where_sorted_replace_return_new_objects():
    d = make()
    w = d.where(d.x > 1)
    assert len(w) == 3 and len(d) == 5
    r = Dataset([2.0, 0.0, 1.0], [4.0, 0.0, 1.0]).sorted()
    np.testing.assert_array_equal(r.x, [0, 1, 2])
    np.testing.assert_array_equal(r.y, [0, 1, 4])
    d2 = d.replace(meta={"frequency": 9.0})
    assert d2.meta["source"] == "f.csv" and "frequency" not in d.meta


def test_sweep_selection():
    s = Sweep([make(frequency=8.0), make(frequency=9.0), make(frequency=9.0)])
    assert len(s.sel(frequency=9.0)) == 2
    assert s.values("frequency") == [8.0, 9.0, 9.0]
    assert len(s.where(lambda d: d.meta["frequency"] < 9)) == 1
    assert s.sort_by("frequency")[0].meta["frequency"] == 8.0


def test_load_dispatches_to_every_registered_reader():
    """sotfit.load reads ST-FMR spectra, Hall scans and thickness tables through READERS."""
    from pathlib import Path

    import pytest

    import sotfit as sf
    from sotfit.data import Sweep
    from sotfit.io import READERS
    from sotfit.io.hall import HallScan
    from sotfit.io.thickness import ThicknessSeries

    data = Path(__file__).resolve().parents[1] / "data"
    assert set(READERS) == {"stfmr", "hall", "thickness"}
    sweep = sf.load(data / "stfmr_example", kind="stfmr")
    assert isinstance(sweep, Sweep) and len(sweep) == 6
    scans = sf.load(data / "hall_example" / "inplane", kind="hall", scan="phi", current=1.5,
                    current_is="rms", lockin_output="rms", r2w_channel="X", gain_2w=10)
    assert len(scans) == 7 and all(isinstance(s, HallScan) for s in scans)
    # first row of phi_005mT.csv: X1 = 55.9183387 uV rms at 1.5 mA rms -> R_1w = X1 / I;
    # X2 = 64.6442929 uV through a gain of 10 -> R_2w = X2 / (10 I)
    first = next(s for s in scans if s.meta["source"].endswith("phi_005mT.csv"))
    assert first.r1w.y[0] == pytest.approx(55.9183387e-6 / 1.5e-3, rel=1e-9)
    assert first.r2w.y[0] == pytest.approx(64.6442929e-6 / 10 / 1.5e-3, rel=1e-9)
    series = sf.load(data / "thickness_example" / "nife_bisb.csv", kind="thickness")
    assert len(series) == 1 and isinstance(series[0], ThicknessSeries)
    assert series[0].dl.x.min() > 0

    with pytest.raises(ValueError, match="known"):
        sf.load(data, kind="nmr")


def test_dataset_without_points_keeps_names_units_and_metadata():
    d = Dataset([1.0, 2.0], [3.0, 4.0], yerr=[0.1, 0.1], x_name="field", x_unit="T",
                   y_name="vmix", y_unit="uV", meta={"source": "a.csv", "frequency": 9.0})
    e = d.without_points()
    assert len(e) == 0 and e.yerr is None and e.y.size == 0
    assert (e.x_name, e.x_unit, e.y_name, e.y_unit) == ("field", "T", "vmix", "uV")
    assert e.meta is d.meta and dict(e.meta) == {"source": "a.csv", "frequency": 9.0}
    assert len(d) == 2                           # the original keeps its points
    with pytest.raises(ValueError):
        e.x[...] = 1.0
