"""Parameters at a bound of the global macrospin fit (method (d); docs/hall.md, "Sanity gates")."""

from sotfit.analysis.hall.leastsq import _at_bound


def test_a_value_a_thousandth_of_its_error_from_a_bound_is_at_the_bound():
    """A tilt of 19.99979 +- 0.22 deg with its bound at +20 deg: 0.001 standard errors from it,
    but 2.1e-4 deg, beyond numpy's default tolerance (2e-4): it was not called at its bound."""
    assert _at_bound(19.99979, -20.0, 20.0, 0.22)
    assert _at_bound(-19.99979, -20.0, 20.0, float("nan"))          # by the width of the range
    assert not _at_bound(19.9, -20.0, 20.0, 0.22)
    assert not _at_bound(19.99979, -20.0, 20.0)                       # without an error: as before
