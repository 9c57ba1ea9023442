"""The measured field-like plus Oersted field against the Oersted field of the current given:
a sign reversal of the field axis or of the voltage is flagged where it shows."""

import pytest

from sotfit.flags import oersted_mismatch, oersted_opposed


def _q(value, stderr=None, unit="T"):
    return {"value": value, "stderr": stderr, "unit": unit}


@pytest.mark.parametrize("fl_oe, oe, flagged", [
    # a planted sample of an independent generator: H_Oe = -54.3 uT, H_FL = -17.9 uT (aiding), the
    # field axis reversed: mu0_h_fl_oe +72 uT measured, opposite and larger
    (72.2e-6, -54.3e-6, True),
    (-72.2e-6, -54.3e-6, False),              # as measured the right way round
    (25e-6, -75e-6, True),                    # opposite but smaller: a field-like field 1.33
                                              # times the Oersted field and against it, or a
                                              # reversal of one 0.67 times (a wrong --nm-above
                                              # gave this without a word)
    (2.5e-6, -54.3e-6, False),                # opposite, within 3 standard errors of zero
    (-20e-6, -54.3e-6, False),                # smaller, the same sign: no sign to doubt
])
def test_a_field_like_field_opposing_and_exceeding_the_oersted_field_is_said(fl_oe, oe,
                                                                             flagged):
    section = {"mu0_h_fl_oe": _q(fl_oe, 1e-6), "mu0_h_oe": _q(oe)}
    reason = oersted_opposed(section)
    assert oersted_mismatch(section) is None        # the magnitudes are credible
    assert (reason is not None) == flagged
    if flagged:
        assert "opposes the Oersted field" in reason and "phi_H + 180 deg" in reason
        assert f"{(abs(fl_oe) + abs(oe)) / abs(oe):.2g} times the Oersted field" in reason
