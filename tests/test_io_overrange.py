"""An instrument's overrange marker (SCPI 9.9E37, Keithley 9.91E37) where a reading was out of
range is not a voltage: it gave "the largest |V_mix| is 9.91e+31 V; check --voltage-unit UNIT",
whose advice changed nothing. It is named as a marker, with its lines and what to do."""

import pytest

from bundled import SPECTRUM
from sotfit.data import DataError
from sotfit.io import read_stfmr


@pytest.mark.parametrize("marker", ["9.9E37", "9.91E+37", "-9.9e37"])
def test_overrange_markers_are_named_with_their_lines(tmp_path, marker):
    lines = SPECTRUM.read_text(encoding="utf-8").splitlines()
    first = next(i for i, ln in enumerate(lines) if ln[:1] in "-0123456789")
    for k in (first + 10, first + 200):
        lines[k] = lines[k].split(",")[0] + "," + marker
    path = tmp_path / "marked_10GHz.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"holds 2 overrange marker\(s\) .* at line\(s\) "
                                        rf"\[{first + 11}, {first + 201}\]; remove those rows"):
        read_stfmr(path)
