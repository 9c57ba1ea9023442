"""Documented commands behave as written: the data generators answer ``--help`` (and refuse
unknown options) without regenerating anything, and the command help shows its examples intact."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HALL_GEN = ROOT / "data" / "hall_example" / "generate.py"


def _snapshot(folder):
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_hall_generator_help_and_unknown_options_leave_the_data_alone():
    before = _snapshot(HALL_GEN.parent)
    ok = subprocess.run([sys.executable, str(HALL_GEN), "--help"], capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0
    assert "--only-tilted" in ok.stdout
    bad = subprocess.run([sys.executable, str(HALL_GEN), "--no-such-option"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2
    assert "unrecognized arguments" in bad.stderr
    assert _snapshot(HALL_GEN.parent) == before


def test_hall_help_keeps_the_example_command_as_documented(capsys):
    """The multi-line example in ``sotfit hall --help`` is the README's, continuation included."""
    import pytest

    from sotfit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["hall", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--current-is rms \\\n        --lockin-output rms" in out
