"""A power column logged at every point (a power meter's read-back, jittering or drifting by a
fraction of a dB) keeps each field sweep one spectrum at its mean power, with a note; a column
of set powers (one per sweep) still splits the table; ``power=`` takes precedence over the
column; a reading that neither clusters nor stays per sweep is refused naming the column.
"""

import numpy as np
import pytest

import sotfit as sf
from sotfit.data import DataError
from sotfit.io.stfmr.power_groups import MAX_SPREAD_DB, group_powers


def sweep(n=201, h_res=100.0, width=4.0):
    """(field mT, V_mix uV) of one symmetric-plus-antisymmetric line swept from 40 to 160 mT."""
    h = np.linspace(40.0, 160.0, n)
    x = (h - h_res) / width
    return h, (2.0 + 1.5 * x) / (1 + x * x)


def write(path, powers_per_sweep, fmt="{:.1f}"):
    """A file of one sweep per entry of ``powers_per_sweep`` (each an array of the power read
    at every point of its sweep, dBm), written with ``fmt``; returns its path."""
    lines = ["# Frequency: 8 GHz", "Field (mT)\tVmix (uV)\tP (dBm)"]
    for powers in powers_per_sweep:
        h, v = sweep(len(powers))
        lines += [f"{a:.4f}\t{b:.5f}\t{fmt.format(p)}" for a, b, p in zip(h, v, powers)]
    path.write_text("\n".join(lines) + "\n")
    return path


def jitter(n, set_power, amplitude, seed=1):
    """``n`` readings of ``set_power`` (dBm) jittering by up to ``amplitude`` dB."""
    return set_power + amplitude * np.sin(7.3 * np.arange(n) + seed)


def test_jittering_power_readback_is_one_spectrum_at_its_mean(tmp_path):
    # 15 +/- 0.06 dB written to 0.1 dB: 14.9, 15.0 and 15.1 interleaved, one sweep
    path = write(tmp_path / "py_8GHz.txt", [jitter(201, 15.0, 0.06)])
    ds = sf.io.read_stfmr(path)
    assert len(ds) == 1 and ds[0].x.size == 201
    assert ds[0].meta["power"] == pytest.approx(15.0, abs=0.05)
    assert ds[0].meta["power_spread"] == pytest.approx(0.2, abs=1e-9)
    note = next(n for n in ds[0].meta["reader_notes"] if "power column" in n)
    assert "'P (dBm)'" in note and "0.2 dB within each sweep" in note and "read-back" in note


def test_drifting_power_readback_is_one_spectrum(tmp_path):
    # a source drifting from 15.00 to 14.80 dBm over the sweep, written to 0.01 dB
    path = write(tmp_path / "py_8GHz.txt", [np.linspace(15.0, 14.8, 201)], "{:.2f}")
    ds = sf.io.read_stfmr(path)
    assert len(ds) == 1 and ds[0].x.size == 201
    assert 14.8 < ds[0].meta["power"] < 15.0


def test_set_powers_still_split_the_table(tmp_path):
    # three full sweeps at 10, 13 and 16 dBm: exact, and each read back with a jitter
    for name, fmt, amp in (("exact", "{:.1f}", 0.0), ("read", "{:.3f}", 0.05)):
        path = write(tmp_path / f"{name}_8GHz.txt",
                     [jitter(201, p, amp, seed=k) for k, p in enumerate((10.0, 13.0, 16.0))], fmt)
        ds = sf.io.read_stfmr(path)
        assert [d.x.size for d in ds] == [201] * 3
        assert [d.meta["power"] for d in ds] == pytest.approx([10.0, 13.0, 16.0], abs=0.05)
        if amp == 0.0:      # an exact column is read to the bit, without a note
            assert [d.meta["power"] for d in ds] == [10.0, 13.0, 16.0]
            assert all("power_spread" not in d.meta for d in ds)
    # set powers half a dB apart, each jittering by hundredths of a dB, stay two sweeps
    path = write(tmp_path / "close_8GHz.txt",
                 [jitter(201, p, 0.02, seed=k) for k, p in enumerate((15.0, 15.5))], "{:.3f}")
    ds = sf.io.read_stfmr(path)
    assert [d.meta["power"] for d in ds] == pytest.approx([15.0, 15.5], abs=0.03)


def test_power_option_takes_precedence_over_the_column(tmp_path):
    # readings that do not cluster (3 dB of scatter) are not read when the power is given
    rng = np.random.default_rng(3)
    path = write(tmp_path / "py_8GHz.txt", [15.0 + rng.uniform(-1.5, 1.5, 201)], "{:.3f}")
    ds = sf.io.read_stfmr(path, power="15dBm")
    assert len(ds) == 1 and ds[0].meta["power"] == 15.0
    assert any("power column 'P (dBm)' (column 2) not read" in n and "power=" in n
               for n in ds[0].meta["reader_notes"])
    with pytest.raises(DataError, match=r"power column 'P \(dBm\)'.*changes within the field "
                                        r"sweeps.*power="):
        sf.io.read_stfmr(path)


def test_group_powers_follows_its_rule():
    assert group_powers(np.array([10.0, 13.0, 16.0])) is None           # nothing to group
    assert group_powers(np.full(9, 15.0)) is None
    g = group_powers(np.array([14.9, 15.0, 15.1, 15.0]))
    assert g.mean.size == 1 and g.spread_db[0] == pytest.approx(0.2)
    assert g.mean[0] == pytest.approx(10 * np.log10(np.mean(10 ** (np.array(
        [14.9, 15.0, 15.1, 15.0]) / 10))))
    # a spread beyond MAX_SPREAD_DB in small steps is no read-back of one set power
    assert group_powers(np.arange(0.0, MAX_SPREAD_DB + 0.2, 0.1) + 10.0) is None
    # even steps are never cut into clusters
    assert group_powers(np.arange(10.0, 20.0, 0.1)) is None


@pytest.mark.parametrize("sets", [[10.0, 10.2, 10.4, 10.6, 10.8], [10.0, 10.25, 10.5],
                                  [15.0, 15.1]])
def test_set_powers_close_together_stay_apart(tmp_path, sets):
    """A power series at one frequency in steps of 0.1-0.25 dB, each sweep at its set power:
    the column changes only where a sweep starts again, so it is no read-back. These were
    merged into one mean power (or refused asking for split_sweeps, which then gave every
    spectrum the mean)."""
    path = write(tmp_path / "series_8GHz.txt", [np.full(101, s) for s in sets], "{:.2f}")
    ds = sf.io.read_stfmr(path)
    assert [d.meta["power"] for d in ds] == pytest.approx(sets, abs=1e-12)
    assert all(d.x.size == 101 and "power_spread" not in d.meta for d in ds)


def test_a_power_levelled_per_frequency_stays_per_frequency(tmp_path):
    """One table at 8, 10 and 12 GHz with the power set to 15.0, 15.2 and 15.4 dBm: each
    spectrum keeps its own power (they were all given the mean, 15.2 dBm, with a note that
    the column varied within each sweep)."""
    lines = ["Frequency (GHz)\tField (mT)\tVmix (uV)\tP (dBm)"]
    for f, p in ((8, 15.0), (10, 15.2), (12, 15.4)):
        h, v = sweep()
        lines += [f"{f}\t{a:.4f}\t{b:.5f}\t{p:.1f}" for a, b in zip(h, v)]
    path = tmp_path / "levelled.txt"
    path.write_text("\n".join(lines) + "\n")
    ds = sf.io.read_stfmr(path)
    assert [(d.meta["frequency"], d.meta["power"]) for d in ds] == [(8.0, 15.0), (10.0, 15.2),
                                                                   (12.0, 15.4)]
    assert not any("power column" in n for d in ds for n in d.meta.get("reader_notes", ()))
