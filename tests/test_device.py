"""The one Sample: spellings, domains, reading from mappings, files and summaries."""

import math
import pickle

import pytest

from sotfit.models.sot import current_fraction, peak_from_rms
from sotfit.device import SAMPLE_FIELDS, Sample, SampleError


def test_earlier_spellings_name_the_same_fields():
    hall_style = Sample(current_peak=2.0, resistivity=150.0, stack="nm_above", t_fm=5.0)
    stfmr_style = Sample(i_rf=2.0, rho_nm=150.0, nm_below=False, t_fm=5.0)
    assert hall_style == stfmr_style
    assert hall_style.current == 2.0 and hall_style.rho_nm == 150.0 and not hall_style.nm_below
    assert stfmr_style.stack == "nm_above" and stfmr_style.resistivity == 150.0


def test_rms_current_and_current_split():
    s = Sample(i_rf=5.0, i_rf_is_rms=True, rho_nm=20.0, rho_fm=40.0, t_nm=6.0, t_fm=6.0)
    assert s.i_peak == pytest.approx(5.0 * math.sqrt(2.0), rel=1e-15)
    assert s.i_peak == peak_from_rms(5.0)
    assert s.fraction == pytest.approx(2.0 / 3.0, rel=1e-15)      # t/rho: 0.3 against 0.15
    assert s.fraction == current_fraction(20.0, 6.0, 40.0, 6.0)
    assert Sample(current_fraction=0.5, rho_nm=20.0, rho_fm=40.0, t_nm=6.0, t_fm=6.0).fraction == 0.5


@pytest.mark.parametrize("field,value", [
    ("t_fm", 0.0), ("width", float("nan")), ("current_peak", 0.0), ("i_rf", 1e9),
    ("resistivity", -1.0), ("current_fraction", 1.5), ("delta_r", 0.0), ("angle", float("inf")),
])
def test_impossible_values_are_refused_under_the_name_used(field, value):
    with pytest.raises(ValueError, match=f"Sample.{field} must be"):
        Sample(**{field: value})


def test_unknown_or_repeated_fields_are_refused():
    with pytest.raises(TypeError, match="unknown field 'thickness'"):
        Sample(thickness=5.0)
    with pytest.raises(TypeError, match="given twice"):
        Sample(i_rf=1.0, current_peak=1.0)


def test_immutable_and_picklable():
    s = Sample(mu0_ms=1.1, t_fm=6.0)
    with pytest.raises(AttributeError):
        s.t_fm = 7.0
    assert pickle.loads(pickle.dumps(s)) == s
    assert s.replace(t_fm=7.0).t_fm == 7.0 and s.t_fm == 6.0


def test_read_from_strings_with_units_and_refuse_bare_numbers():
    s = Sample.from_mapping({"ms": "1.1T", "t-fm": "6nm", "width": "10um", "rho": "20uOhmcm",
                             "irf": "2.5mA", "irf_is": "rms", "angle": 30})
    assert (s.mu0_ms, s.t_fm, s.width, s.rho_nm, s.current, s.angle) == (1.1, 6.0, 1e4, 20.0, 2.5, 30.0)
    assert s.current_is_rms
    with pytest.raises(SampleError, match="field 't_fm'.*no unit"):
        Sample.from_mapping({"t_fm": 6})
    with pytest.raises(SampleError, match="unknown field 'colour'"):
        Sample.from_mapping({"colour": "red"})


def test_summary_section_and_files_round_trip(tmp_path):
    s = Sample(mu0_ms=0.95, t_fm=6.0, t_nm=6.0, width=1e4, rho_nm=20.0, rho_fm=40.0, current=1.0,
               delta_r=0.5, nm_below=False)
    section = s.summary()
    assert section["width"] == {"value": 1e4, "stderr": None, "unit": "nm"}
    assert Sample.from_mapping(section) == s
    summary = tmp_path / "summary.json"
    import json
    summary.write_text(json.dumps({"sample": section, "quantities": {}}))
    assert Sample.from_file(summary) == s
    toml = tmp_path / "sample.toml"
    toml.write_text('ms = "0.95T"\nt_fm = "6nm"\nt_nm = "6nm"\nwidth = "10um"\nrho = "20uOhmcm"\n'
                    'rho_fm = "40uOhmcm"\nirf = "1mA"\ndelta_r = "0.5Ohm"\nnm_below = false\n')
    assert Sample.from_file(toml) == s
    with pytest.raises(SampleError, match="not found"):
        Sample.from_file(tmp_path / "missing.toml")


def test_every_field_has_a_unit_and_a_description():
    for f in SAMPLE_FIELDS:
        assert f.doc and f.unit is not None


@pytest.mark.parametrize("angle", [0, 90, -90, 180, 270.0])
def test_sample_angle_at_a_multiple_of_90_is_refused(angle):
    """sin 2phi cos phi = 0: summary_dict ended in ZeroDivisionError."""
    from sotfit.device import Sample

    with pytest.raises(ValueError, match="multiple of 90 deg"):
        Sample(angle=angle)


@pytest.mark.parametrize("angle, flagged", [(45.0, False), (30.0, False), (math.pi / 4, True),
                                            (88.0, True), (2.0, True), (10.0, False)])
def test_st_fmr_angle_near_a_multiple_of_90_is_flagged(angle, flagged):
    """0.785 (pi/4 rad given for 45 deg) gave xi_DL 1.81 for 0.070 with no flag: an angle whose
    sin 2phi cos phi is under a tenth of its 45-deg value is flagged, naming radians."""
    from sotfit.device import Sample, flag_unusual_dimensions

    section = Sample(angle=angle).summary()
    names = flag_unusual_dimensions(section)
    assert ("angle" in names) is flagged
    if flagged:
        assert "radians" in section["angle"]["flags"][0]


def test_angular_factor_of_the_st_fmr_signal():
    """sin 2phi cos phi: 1/sqrt(2) at 45 deg, zero at multiples of 90, odd in phi and reversed
    with the field (phi + 180); the flag's floor is a tenth of the 45-deg value."""
    from sotfit.device import ANGULAR_FLOOR
    from sotfit.models.sot import angular_factor

    assert angular_factor(45.0) == pytest.approx(2 ** -0.5)
    for a in (0.0, 90.0, 180.0, 270.0):
        assert abs(angular_factor(a)) < 1e-15
    for a in (10.0, 30.0, 60.0):
        assert angular_factor(-a) == pytest.approx(-angular_factor(a))
        assert angular_factor(a + 180.0) == pytest.approx(-angular_factor(a))
    assert ANGULAR_FLOOR == pytest.approx(0.1 * 2 ** -0.5)


@pytest.mark.parametrize("raw", [0.785, "0.785", 0.5236])
def test_a_bare_angle_that_looks_like_radians_is_refused_as_on_the_command_line(raw):
    """``angle = 0.785`` in a sample file (pi/4 meant) was read as 0.785 deg, where the command
    line refuses '--angle 0.785' with the hint; the file now says the same."""
    with pytest.raises(SampleError, match=r"field 'angle': .*looks like an angle in radians "
                                          r"\(.* rad = (44\.98|30) deg"):
        Sample.from_mapping({"angle": raw}, "sample file s.toml")
    # whole numbers and numbers with units are what they say
    assert Sample.from_mapping({"angle": 30}, "s").angle == 30.0
    assert math.isclose(Sample.from_mapping({"angle": f"{raw}rad"}, "s").angle,
                        math.degrees(float(raw)))


def test_an_angle_of_the_sample_file_that_disagrees_with_the_files_is_named_as_such(tmp_path,
                                                                                    capsys):
    """A sample file's angle that disagrees with the files' was said to be '--angle', an option
    not given."""
    from pathlib import Path

    from sotfit.cli import main

    sample = tmp_path / "s.toml"
    sample.write_text('angle = 30\nms = "0.95T"\n')
    example = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
    files = [str(p) for p in sorted(example.glob("py_pt_*GHz.csv"))[:3]]
    assert main(["stfmr", *files, "--sample", str(sample), "--t-fm", "6nm", "--t-nm", "6nm",
                 "--out", str(tmp_path / "o"), "--no-figures", "--no-global"]) == 2
    err = capsys.readouterr().err
    assert (f"the field angle 30 deg of the sample file {sample} disagrees with the field "
            "angle 45 deg of the files") in err and "--angle" not in err
