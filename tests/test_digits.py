"""How many digits numbers were written with (sotfit.digits): values printed with a known
number of significant digits, converted between units, mixed with zeros and NaN."""

import numpy as np
import pytest

from sotfit.digits import decimal_step, significant_digits, significant_digits_rows, written_step


def _printed(values, digits):
    return np.array([float(f"{v:.{digits - 1}e}") for v in values])


@pytest.mark.parametrize("digits", [1, 2, 3, 4, 6, 9])
def test_digits_of_printed_values(digits):
    rng = np.random.default_rng(digits)
    v = _printed(rng.normal(size=300) * 10.0 ** rng.integers(-8, 4), digits)
    v[v == 0] = 1.0
    assert significant_digits(v) == digits
    assert significant_digits(v * 1e-4) == digits          # a field written in Oe, read in T
    step = written_step(v)
    assert step == pytest.approx(decimal_step(np.abs(v).max(), digits))


def test_full_precision_and_too_few_values():
    rng = np.random.default_rng(1)
    assert significant_digits(rng.normal(size=300)) == 0
    assert written_step(rng.normal(size=300)) == 0.0
    assert significant_digits([1.5, 2.5, 3.5]) == 0              # fewer than 8 values
    v = np.r_[_printed(rng.normal(size=50), 3), np.zeros(20), np.full(5, np.nan)]
    assert significant_digits(v) == 3                            # zeros and NaN not judged


def test_rows_are_each_row_alone():
    """Each row's digits are those it was printed with, whatever the other rows hold."""
    rng = np.random.default_rng(3)
    planted = [int(d) for d in rng.integers(1, 10, 30)]
    rows = [_printed(rng.normal(size=40) * 10.0 ** rng.integers(-6, 3), d) for d in planted]
    rows.append(rng.normal(size=40))                            # written in full
    rows.append(np.r_[np.zeros(35), _printed(rng.normal(size=5), 2)])  # too few non-zero
    v = np.array(rows)
    assert list(significant_digits_rows(v)) == planted + [0, 0]
    assert [significant_digits(r) for r in rows] == planted + [0, 0]
    # a lower share tells a grid as coarse or coarser
    noisy = v.copy()
    noisy[:, :3] += 1e-7 * rng.normal(size=(len(rows), 3))
    assert np.all(significant_digits_rows(noisy, 0.9)[:-2] <= significant_digits_rows(v)[:-2])
