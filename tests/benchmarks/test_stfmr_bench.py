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
