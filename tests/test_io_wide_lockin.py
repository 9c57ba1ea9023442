"""A wide table of lock-in channels, X and Y of each frequency side by side under one field
column (``Field (mT), X_6GHz (uV), Y_6GHz (uV), X_8GHz (uV), ...``): read with
``--lockin-channels X,Y`` (the channels' names without the frequency), each frequency's pair a
spectrum, as the same channels written one file per frequency; without the option the error
names it. (It was refused, and --lockin-channels took one pair per file.)"""

import numpy as np
import pytest

from sotfit.data import DataError
from sotfit.io import read_stfmr

FREQS = (6.0, 9.0, 12.0)
FIELD_MT = np.arange(-250.0, 250.01, 1.0)
PHASE = np.radians(25.0)


def _channels(f):
    """Lock-in X and Y (uV) of a mixing line at f GHz read at a phase of 25 deg: V_mix
    projected on the two axes, plus a little noise in each."""
    rng = np.random.default_rng(int(f))
    h0 = 20.0 * f - 50.0                 # mT, a resonance inside the sweep
    w = 4.0 + 0.2 * f
    a = np.abs(FIELD_MT)
    d = a - h0
    v = np.sign(FIELD_MT) * (1.5 * w ** 2 + 2.5 * w * d) / (d ** 2 + w ** 2) + 3.0
    x = v * np.cos(PHASE) + rng.normal(0, 0.01, v.size)
    y = v * np.sin(PHASE) + rng.normal(0, 0.01, v.size)
    return x, y


def test_the_pairs_of_a_wide_table_read_as_one_file_per_frequency(tmp_path):
    chans = {f: _channels(f) for f in FREQS}
    head = ["Field (mT)"] + [f"{c}_{f:g}GHz (uV)" for f in FREQS for c in "XY"]
    rows = [",".join([f"{h:.4f}"] + [f"{chans[f][k][i]:.6f}" for f in FREQS for k in (0, 1)])
            for i, h in enumerate(FIELD_MT)]
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(head) + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as info:
        read_stfmr(wide, option_style="cli")
    assert "lock-in channels X and Y of each frequency: read them with --lockin-channels X,Y" \
        in str(info.value)
    got = read_stfmr(wide, lockin_channels="X,Y")
    assert [d.meta["frequency"] for d in got] == list(FREQS)
    for f, d in zip(FREQS, got):
        one = tmp_path / f"one_{f:g}GHz.csv"
        one.write_text("Field (mT),X (uV),Y (uV)\n" + "".join(
            f"{h:.4f},{x:.6f},{y:.6f}\n" for h, x, y in zip(FIELD_MT, *chans[f])))
        (ref,) = read_stfmr(one, lockin_channels="X,Y")
        np.testing.assert_array_equal(d.x, ref.x)
        np.testing.assert_allclose(d.y, ref.y, rtol=1e-12, atol=1e-12)
        assert d.meta["lockin_phase"] == pytest.approx(25.0, abs=0.5)
