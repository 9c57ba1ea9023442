"""Speed: the batch ST-FMR fitter against a plain per-spectrum lmfit loop, side by side.

Run with ``python -m pytest -m benchmark tests/benchmarks/test_stfmr_bench.py -s``.
1000 synthetic spectra of 400 points are fitted by
:func:`sotfit.fitting_batch.fit_sweep_batch`; the lmfit loop
(``sotfit.fit_sweep(..., stfmr_mixing)``) is timed on the first 100 of them in
the same run and scaled to 1000. The ratio is printed and recorded (no timed
assertion); the test asserts only that both fitters agree.
"""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("stfmr_throughput",
                                               Path(__file__).with_name("stfmr_throughput.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
measure, report = _mod.measure, _mod.report


@pytest.mark.benchmark
def test_stfmr_batch_throughput(record_property):
    m = measure(n_spectra=1000, n_points=400, subset=100)
    print("\n" + report(m))
    for k in ("ratio", "ratio_vs_lmfit_given_start", "cpu_ratio", "cpu_ratio_vs_lmfit_given_start",
              "batch_spectra_per_s", "lmfit_spectra_per_s"):
        record_property(k, m[k])
    assert m["batch_all_success"]
    assert m["max_difference_in_sigma"] < 0.05


_cli_spec = importlib.util.spec_from_file_location(
    "stfmr_cli_throughput", Path(__file__).with_name("stfmr_cli_throughput.py"))
_cli = importlib.util.module_from_spec(_cli_spec)
_cli_spec.loader.exec_module(_cli)


@pytest.mark.benchmark
def test_stfmr_command_throughput(record_property):
    """``sotfit stfmr`` on 1000 files against the lab loop on 300 of them (scaled), the peak
    memory at 100 and 1000 files, and a 10^6-point spectrum: printed and recorded, not
    asserted (``python tests/benchmarks/stfmr_cli_throughput.py --files 10000`` for the
    README table)."""
    m = _cli.measure(n_files=1000, lab_files=300, workers=2, memory=(100, 1000), big=True)
    print("\n" + _cli.report(m))
    for key in ("sotfit", "sotfit_workers"):
        record_property(f"{key}_ratio_wall", m[key]["ratio_wall"])
        record_property(f"{key}_ratio_cpu", m[key]["ratio_cpu"])
    for r in m["memory"]:
        record_property(f"maxrss_mb_{r['files']}", r["maxrss_mb"])
    record_property("million_point_fit_s", m["big"]["fit"])
