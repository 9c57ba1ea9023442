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
