"""Speed of the interface-barrier mixing conductance, side by side with baselines.

Run with ``python -m pytest -m benchmark tests/benchmarks/test_interface_bench.py -s``.

1. A 50 x 50 (delta t, J) map of G on the converged rule (1D integral over
   cpar with the square-lattice density, checked against the rule of double
   density), against the plain route: a 2D midpoint k_par grid per parameter
   point (timed on a 5 x 5 subset and scaled to 2500 points), with the
   accuracy of each route.
2. The per-k_par cost of the analytic surface-Green's-function amplitudes,
   vectorised, against a per-k_par dense wave-function-matching solve of the
   same lattice model (the reference route of tests/test_interface_barrier.py)
   and, where Kwant is installed, against Kwant's scattering matrix of the
   same model per k_par (tests/test_interface_kwant.py).

Ratios are printed and recorded (no timed assertion); the tests assert only
that the routes agree.
"""

import importlib.util
import math
import time
from pathlib import Path

import numpy as np
import pytest

from sotfit.models.interface.barrier_tb import (mixing_conductance_tb, mixing_integrand,
                                                reflection_amplitudes)

E, T0 = -4.0, 1.0


def _load_test_module(name):
    path = Path(__file__).resolve().parents[1] / name
    spec = importlib.util.spec_from_file_location("_ref_" + path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _load_reference():
    return _load_test_module("test_interface_barrier.py").dense_reflection


def _midpoint_2d(t_m, J, n):
    k = (np.arange(n) + 0.5) * math.pi / n
    f, _ = mixing_integrand(k[:, None], k[None, :], E, T0, t_m, J)
    return f.mean()


@pytest.mark.benchmark
def test_map_50x50(record_property):
    dt = np.linspace(0.0, 1.0, 50)
    J = np.geomspace(0.02, 2.0, 50)
    t = time.perf_counter()
    res = mixing_conductance_tb(E, T0, T0 - dt[:, None], J[None, :], order=65, tol=1e-6)
    t_fast = time.perf_counter() - t
    assert res.converged
    # baseline: 2D midpoint grid, 5 x 5 subset, n = 400 (160000 k-points per point)
    sub_i = np.arange(0, 50, 10)
    n = 400
    t = time.perf_counter()
    base = np.array([[_midpoint_2d(T0 - dt[i], J[j], n) for j in sub_i] for i in sub_i])
    t_base = (time.perf_counter() - t) * 2500 / base.size
    err_base = np.max(np.abs(base - res.g_mix[np.ix_(sub_i, sub_i)]))
    ratio = t_base / t_fast
    print(f"\n50x50 map: converged 1D rule {t_fast:.3f} s (error estimate "
          f"{res.error_estimate:.1e} e^2/h per cell); 2D midpoint n={n} (scaled) {t_base:.1f} s "
          f"(error {err_base:.1e}); speed-up {ratio:.0f}x")
    record_property("map_seconds", t_fast)
    record_property("midpoint_seconds_scaled", t_base)
    record_property("ratio", ratio)
    assert err_base < 1e-3  # the plain route agrees to its own (much lower) accuracy


@pytest.mark.benchmark
def test_per_k_cost(record_property):
    dense_reflection = _load_reference()
    rng = np.random.default_rng(0)
    ky, kz = rng.uniform(0, math.pi, (2, 20000))
    r_up, r_dn, is_open = reflection_amplitudes(ky, kz, E, T0, 0.6, 0.3)
    ky, kz = ky[is_open], kz[is_open]
    t = time.perf_counter()
    r_up, r_dn, _ = reflection_amplitudes(ky, kz, E, T0, 0.6, 0.3)
    t_fast = (time.perf_counter() - t) / ky.size
    n_dense = 300
    t = time.perf_counter()
    dense = [dense_reflection(a, b, E, T0, 0.6, 0.3, n_layers=4) for a, b in
             zip(ky[:n_dense], kz[:n_dense])]
    t_dense = (time.perf_counter() - t) / n_dense
    err = max(max(abs(d[0, 0] - u), abs(d[1, 1] - v))
              for d, u, v in zip(dense, r_up[:n_dense], r_dn[:n_dense]))
    ratio = t_dense / t_fast
    print(f"\nper k_par: analytic vectorised {t_fast * 1e9:.0f} ns, dense solve "
          f"{t_dense * 1e6:.0f} us, ratio {ratio:.0f}x, max |difference| {err:.1e}")
    record_property("per_k_fast_s", t_fast)
    record_property("per_k_dense_s", t_dense)
    record_property("ratio", ratio)
    assert err < 1e-10
    if importlib.util.find_spec("kwant") is None:
        print("Kwant not installed: no Kwant column")
        return
    kw = _load_test_module("test_interface_kwant.py")
    fsyst = kw.kwant_system(T0, 0.6, 0.3)
    n_kwant = 100
    t = time.perf_counter()
    rk = [kw.kwant_reflection(fsyst, E, a, b) for a, b in zip(ky[:n_kwant], kz[:n_kwant])]
    t_kwant = (time.perf_counter() - t) / n_kwant
    err_k = max(abs((1 - r[0, 0] * np.conj(r[1, 1])) - (1 - u * np.conj(v)))
                for r, u, v in zip(rk, r_up[:n_kwant], r_dn[:n_kwant]))
    ratio_k = t_kwant / t_fast
    print(f"per k_par: Kwant smatrix {t_kwant * 1e6:.0f} us, ratio {ratio_k:.0f}x, "
          f"max |difference of 1 - r_up r_dn^*| {err_k:.1e}")
    record_property("per_k_kwant_s", t_kwant)
    record_property("ratio_kwant", ratio_k)
    assert err_k < 1e-8
