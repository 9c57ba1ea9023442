"""Throughput of the batch ST-FMR fitter against a plain per-spectrum lmfit loop.

Usage (from the project root)::

    python tests/benchmarks/stfmr_throughput.py [--spectra 1000] [--points 400] [--subset 100]

Makes ``--spectra`` synthetic spectra of ``--points`` points each (one shared
field sweep, random resonance fields, widths, amplitudes, offsets and slopes,
white noise), fits all of them with :func:`sotfit.fitting_batch.fit_sweep_batch`
and ``--subset`` of them with ``sotfit.fit_sweep(..., stfmr_mixing)`` (lmfit,
one spectrum after the other), in the same process, and prints the throughput
of each (spectra per second; the lmfit time is measured on the subset and
scaled to all spectra) and their ratio. It also checks that the two agree on
the subset. A second baseline times lmfit alone, given starting values made
beforehand (the guess is the grid search of the model, a large part of the
per-spectrum cost). BLAS is limited to one thread unless ``--threads`` says otherwise,
so that the comparison is per core.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def make_spectra(n_spectra: int, n_points: int, seed: int = 2026):
    """Synthetic ST-FMR spectra (mu0*H in T, V in uV) with their true parameters."""
    import numpy as np

    import sotfit as sf
    from sotfit.models import stfmr_mixing

    rng = np.random.default_rng(seed)
    h = np.linspace(0.02, 0.2, n_points)
    out, truths = [], []
    for i in range(n_spectra):
        tr = dict(h_res=rng.uniform(0.06, 0.15), width=rng.uniform(0.003, 0.01),
                  vs=rng.choice([-1, 1]) * rng.uniform(0.5, 3.0),
                  va=rng.choice([-1, 1]) * rng.uniform(0.5, 3.0),
                  offset=rng.normal(0.0, 1.0), slope=rng.normal(0.0, 5.0))
        y = stfmr_mixing(h, **tr) + rng.normal(0.0, 0.05, n_points)
        out.append(sf.Dataset(h, y, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                              meta={"source": f"synthetic {i}", "frequency": 10.0}))
        truths.append(tr)
    return out, truths


def measure(n_spectra: int = 1000, n_points: int = 400, subset: int = 100) -> dict:
    """Time both fitters side by side; returns throughputs (spectra/s) and their ratio."""
    import numpy as np

    import sotfit as sf
    from sotfit.fitting_batch import fit_sweep_batch
    from sotfit.models import stfmr_mixing

    spectra, _ = make_spectra(n_spectra, n_points)
    subset = min(subset, n_spectra)
    t0, c0 = time.perf_counter(), time.process_time()
    batch = fit_sweep_batch(spectra)
    t_batch, c_batch = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    ref = sf.fit_sweep(spectra[:subset], stfmr_mixing)
    t_loop, c_loop = time.perf_counter() - t0, time.process_time() - c0
    # a second, harder baseline: lmfit given the starting values (guesses made untimed)
    starts = [stfmr_mixing.initial(d.x, d.y) for d in spectra[:subset]]
    t0, c0 = time.perf_counter(), time.process_time()
    for d, s in zip(spectra[:subset], starts):
        sf.fit(d, stfmr_mixing, init=s, guess=False)
    t_lm_only, c_lm_only = time.perf_counter() - t0, time.process_time() - c0
    worst = 0.0
    for a, b in zip(batch, ref):
        for k in stfmr_mixing.param_names:
            worst = max(worst, abs(a.value(k) - b.value(k)) / b.stderr(k))
    rate_batch = n_spectra / t_batch
    rate_loop = subset / t_loop
    return {
        "spectra": n_spectra, "points": n_points, "lmfit_subset": subset,
        "batch_seconds": t_batch, "lmfit_seconds_subset": t_loop,
        "lmfit_seconds_scaled": t_loop * n_spectra / subset,
        "batch_spectra_per_s": rate_batch, "lmfit_spectra_per_s": rate_loop,
        "ratio": rate_batch / rate_loop,
        "lmfit_given_start_seconds_subset": t_lm_only,
        "ratio_vs_lmfit_given_start": rate_batch / (subset / t_lm_only),
        "cpu_seconds": {"batch": c_batch, "lmfit_subset": c_loop, "lmfit_given_start_subset": c_lm_only},
        "cpu_ratio": (c_loop * n_spectra / subset) / c_batch,
        "cpu_ratio_vs_lmfit_given_start": (c_lm_only * n_spectra / subset) / c_batch,
        "max_difference_in_sigma": worst,
        "batch_all_success": bool(all(r.success for r in batch)),
        "numpy": np.__version__,
    }


def report(m: dict) -> str:
    return (f"{m['spectra']} spectra x {m['points']} points\n"
            f"  batch (variable projection): {m['batch_seconds']:.2f} s  "
            f"({m['batch_spectra_per_s']:.0f} spectra/s)\n"
            f"  lmfit loop: {m['lmfit_seconds_subset']:.2f} s for {m['lmfit_subset']} spectra "
            f"-> {m['lmfit_seconds_scaled']:.1f} s scaled to {m['spectra']} "
            f"({m['lmfit_spectra_per_s']:.1f} spectra/s)\n"
            f"  throughput ratio batch / lmfit: {m['ratio']:.1f}x\n"
            f"  lmfit given the starting values (guess not timed): "
            f"{m['lmfit_given_start_seconds_subset']:.2f} s for {m['lmfit_subset']} spectra; "
            f"ratio {m['ratio_vs_lmfit_given_start']:.1f}x\n"
            f"  same ratios in CPU time (robust on a shared machine): "
            f"{m['cpu_ratio']:.1f}x and {m['cpu_ratio_vs_lmfit_given_start']:.1f}x\n"
            f"  largest difference on the subset: {m['max_difference_in_sigma']:.3g} sigma")


def main(argv=None):
    ap = argparse.ArgumentParser(description="ST-FMR batch fitter throughput against lmfit")
    ap.add_argument("--spectra", type=int, default=1000)
    ap.add_argument("--points", type=int, default=400)
    ap.add_argument("--subset", type=int, default=100, help="spectra fitted by the lmfit loop")
    ap.add_argument("--threads", action="store_true", help="leave the BLAS thread count alone")
    args = ap.parse_args(argv)
    if not args.threads and "numpy" not in sys.modules:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if root not in sys.path:
        sys.path.insert(0, root)
    print(report(measure(args.spectra, args.points, args.subset)))


if __name__ == "__main__":
    main()
