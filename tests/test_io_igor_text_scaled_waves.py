"""Igor Text files (``.itx``) whose spectra are waves x-scaled in field (``X SetScale/P x
start,delta,"mT", wave`` or ``/I x first,last``), several to a file: a block of several such
waves was "no field column ... pass --column field=NAME" (the x scaling was dropped, no column
could be named), one-wave blocks of as many points were read as a table ``x (mT), V_4GHz (uV),
x (mT), ...`` and refused, and blocks of different lengths were refused asking for one block.
Each x-scaled wave is now its own (field, V_mix) pair, one spectrum each at the frequency of
its name, fitted to the planted resonance fields."""

import re

import numpy as np
import pandas as pd
import pytest

from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_stfmr
from sotfit.io.text import read_table
from sotfit.models.magnetization import resonance_field_inplane
from stfmr_synth import TRUTH, spectrum

FREQS = (8.0, 10.0, 12.0)


def _block(waves, columns) -> str:
    rows = np.column_stack(columns)
    return (f"WAVES/D {', '.join(waves)}\nBEGIN\n"
            + "".join("\t" + "\t".join(f"{v:.9g}" for v in r) + "\n" for r in rows) + "END\n")


def _scale(wave, x0, step, unit="uV", kind="P") -> str:
    return f'X SetScale/{kind} x {x0!r},{step!r},"mT", {wave}; SetScale d 0,0,"{unit}", {wave}\n'


def _fitted(path, out):
    assert main(["stfmr", str(path), "--no-figures", "--no-global", "--angle", "45deg",
                 "--out", str(out)]) == 0
    return pd.read_csv(out / "spectra.csv", comment="#")


def _at_planted_fields(fits, freqs):
    """Each frequency's two polarities resonate at the planted field, within 4 errors."""
    assert sorted(set(fits["frequency (GHz)"])) == sorted(freqs)
    for _, r in fits.iterrows():
        want = resonance_field_inplane(r["frequency (GHz)"], TRUTH["meff"],
                                       TRUTH["gyromagnetic_ratio"])
        assert abs(r["h_res (T)"] - want) < 4 * r["h_res_stderr (T)"], r["source"]


def test_a_block_of_several_x_scaled_waves_gives_one_spectrum_per_wave(tmp_path):
    spectra = [spectrum(f, h_max=0.3, n=401, seed=k) for k, f in enumerate(FREQS)]
    x_mT = spectra[0].x * 1e3
    waves = [f"vmix_{f:g}GHz" for f in FREQS]
    step = (x_mT[1] - x_mT[0])
    text = "IGOR\n" + _block(waves, [s.y for s in spectra]) + "".join(
        _scale(w, float(x_mT[0]), float(step)) for w in waves)
    p = tmp_path / "sweeps.itx"
    p.write_text(text)
    t = read_table(p)
    assert t.columns == ("vmix_8GHz.x (mT)", "vmix_8GHz (uV)", "vmix_10GHz.x (mT)",
                         "vmix_10GHz (uV)", "vmix_12GHz.x (mT)", "vmix_12GHz (uV)")
    got = read_stfmr([p])
    assert [d.meta["frequency"] for d in got] == list(FREQS)
    for d, s in zip(got, spectra):
        assert d.source == f"sweeps.itx [vmix_{d.meta['frequency']:g}GHz (uV)]"
        order = np.argsort(s.x)         # read in order of field
        assert np.allclose(d.x, s.x[order], rtol=0, atol=1e-12)
        assert np.array_equal(d.y, [float(f"{v:.9g}") for v in s.y[order]])
    _at_planted_fields(_fitted(p, tmp_path / "out"), FREQS)
    # the data unit of 'SetScale d' is the unit of V_mix: the same sweeps written in mV
    mv = tmp_path / "sweeps_mV.itx"
    mv.write_text("IGOR\n" + _block(waves, [s.y * 1e-3 for s in spectra]) + "".join(
        _scale(w, float(x_mT[0]), float(step), unit="mV") for w in waves))
    for a, b in zip(read_stfmr([mv]), got):
        assert a.meta["frequency"] == b.meta["frequency"]
        assert np.array_equal(a.x, b.x) and np.allclose(a.y, b.y, rtol=1e-8, atol=0)


def test_one_wave_blocks_of_as_many_and_of_different_lengths(tmp_path):
    for name, sizes in (("same.itx", (401, 401, 401)), ("different.itx", (301, 401, 501)),
                        ("longest_first.itx", (501, 301, 401))):
        spectra = [spectrum(f, h_max=0.3, n=n, seed=k)
                   for k, (f, n) in enumerate(zip(FREQS, sizes))]
        text = "IGOR\n"
        for f, s in zip(FREQS, spectra):
            w = f"V_{f:g}GHz"
            text += _block([w], [s.y]) + _scale(w, float(s.x[0] * 1e3), float(s.x[-1] * 1e3),
                                                 kind="I")
        p = tmp_path / name
        p.write_text(text)
        got = read_stfmr([p])
        assert [d.meta["frequency"] for d in got] == list(FREQS)
        for d, s in zip(got, spectra):
            assert np.allclose(d.x, np.sort(s.x), rtol=0, atol=1e-12)
        _at_planted_fields(_fitted(p, tmp_path / name.replace(".", "_")), FREQS)


def test_waves_without_x_values_of_their_own_are_read_as_before(tmp_path):
    """A field wave beside the V_mix waves (Igor writes ``SetScale/P x 0,1,""`` for every
    wave; a field wave beside x-scaled waves makes it the field column): the block is a table
    with its field column, as before; blocks of different lengths with a wave of no x
    scaling are still refused."""
    s = spectrum(8.0, h_max=0.3, n=401)
    x_mT = s.x * 1e3
    for scale in ('"", Vmix', '"mT", Vmix'):
        p = tmp_path / "field_and_vmix_8GHz.itx"
        p.write_text("IGOR\n" + _block(["Field", "Vmix"], [x_mT, s.y])
                     + 'X SetScale/P x 0,1,"", Field; SetScale d 0,0,"mT", Field\n'
                     + f'X SetScale/P x 0,1,{scale}; SetScale d 0,0,"uV", Vmix\n')
        assert read_table(p).columns == ("Field (mT)", "Vmix (uV)")
        (d,) = read_stfmr([p])
        assert d.meta["frequency"] == 8.0
        assert np.allclose(d.x, np.sort(s.x), rtol=0, atol=1e-12)
    short = tmp_path / "short.itx"
    short.write_text("IGOR\n" + _block(["Field"], [x_mT[:10]]) + _block(["V_8GHz"], [s.y])
                     + _scale("V_8GHz", 300.0, -1.5))
    with pytest.raises(DataError, match=r"short\.itx: its blocks of waves have different "
                                        r"numbers of points \(Field: 10, V_8GHz: 401\)"):
        read_table(short)


def test_x_scaled_waves_without_a_frequency_in_their_names(tmp_path, capsys):
    """Waves named without a frequency (``sweep1``, ``sweep2``) were "no field column" although
    each has its x values in a field unit: each is a spectrum, at the file's frequency (here
    the option's); without one, the error says the pairs share the file's frequency and how
    pairs at different frequencies are told apart."""
    spectra = [spectrum(8.0, h_max=0.3, n=401, seed=k) for k in range(3)]
    x_mT = spectra[0].x * 1e3
    waves = ["sweep1", "sweep2", "sweep3"]
    p = tmp_path / "repeats.itx"
    p.write_text("IGOR\n" + _block(waves, [s.y for s in spectra]) + "".join(
        _scale(w, float(x_mT[0]), float(x_mT[1] - x_mT[0])) for w in waves))
    assert main(["stfmr", str(p), "--no-figures", "--no-global", "--angle", "45deg",
                 "--out", str(tmp_path / "none")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert re.search(r"repeats\.itx \[sweep1 \(uV\)\]: no rf frequency found.*--frequency "
                     r"repeats\.itx=9GHz.*pairs at different frequencies are told apart by "
                     r"their names", err), err
    got = read_stfmr([p], frequency=8.0)
    assert [d.source for d in got] == [f"repeats.itx [{w} (uV)]" for w in waves]
    for d, s in zip(got, spectra):
        assert d.meta["frequency"] == 8.0
        assert np.allclose(d.x, np.sort(s.x), rtol=0, atol=1e-12)
    out = tmp_path / "out"
    assert main(["stfmr", str(p), "--frequency", "8GHz", "--no-figures", "--no-global",
                 "--angle", "45deg", "--out", str(out)]) == 0
    fits = pd.read_csv(out / "spectra.csv", comment="#")
    assert len(fits) == 6                    # three sweeps of two polarities
    _at_planted_fields(fits, (8.0,))


def test_settings_in_which_the_waves_notes_differ_are_not_the_files(tmp_path):
    """Each wave's note with its own frequency (``X Note sweep1, "f = 8 GHz"``): the notes were
    joined as one header, and every wave took the first one's 8 GHz; waves named by their
    frequencies were refused, the header's 8 GHz against the names. Items alike in every note
    stay the file's header entries."""
    spectra = [spectrum(f, h_max=0.3, n=401, seed=k) for k, f in enumerate(FREQS)]
    x_mT = spectra[0].x * 1e3
    step = float(x_mT[1] - x_mT[0])

    def itx(name, waves, notes):
        p = tmp_path / name
        p.write_text("IGOR\n" + _block(waves, [s.y for s in spectra])
                     + "".join(_scale(w, float(x_mT[0]), step) for w in waves)
                     + "".join(f'X Note {w}, "{n}"\n' for w, n in zip(waves, notes)))
        return p

    own = [f"P = 10 dBm; f = {f:g} GHz" for f in FREQS]
    sweeps = itx("run.itx", ["sweep1", "sweep2", "sweep3"], own)
    with pytest.raises(DataError, match=r"no rf frequency found.*the settings in which the "
                                        r"waves' notes differ are not read as the file's "
                                        r"\(sweep1: 'f = 8 GHz'; sweep2: 'f = 10 GHz'"):
        read_stfmr([sweeps])
    assert read_table(sweeps).header == {"P": "10 dBm"}
    named = itx("named.itx", [f"vmix_{f:g}GHz" for f in FREQS], own)
    got = read_stfmr([named])
    assert [d.meta["frequency"] for d in got] == list(FREQS)
    assert [d.meta["power"] for d in got] == [10.0] * 3
    alike = itx("alike.itx", ["sweep1", "sweep2", "sweep3"], ["f = 9 GHz; P = 10 dBm"] * 3)
    assert [d.meta["frequency"] for d in read_stfmr([alike])] == [9.0] * 3
