"""Shared fixtures: the measured files live outside the project and may be absent."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def _real_data_dir() -> Path:
    """``$SOTFIT_REAL_DATA``, else the first ``shared/data/real`` beside the project or above it."""
    env = os.environ.get("SOTFIT_REAL_DATA")
    if env:
        return Path(env)
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data" / "real"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Folder of real measured files; the test is skipped when it is absent."""
    d = _real_data_dir()
    if not d.is_dir():
        pytest.skip(f"real measured data not available ({d})")
    return d
