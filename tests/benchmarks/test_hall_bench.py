"""Speed: global macrospin fit of 5 fields x 180 angles + 2 field sweeps.

Side by side in the same run: sotfit's vectorised Newton equilibrium (all points and starts
at once) against the equivalent per-point scipy.optimize loop (L-BFGS-B on the angles from
the same starting directions, analytic gradient, lowest minimum kept), timed on every curve once; then the whole
vectorised global fit is timed and the loop's time for the same fit is the measured loop time
per curve times the number of curve equilibria the fit needed (running the loop fit itself
takes hours). Ratios are printed and recorded, never asserted as times.

Run with:  python -m pytest -m benchmark tests/benchmarks/test_hall_bench.py -s --benchmark-enable
"""

import time

import numpy as np
import pytest
from scipy.optimize import minimize

import sotfit.models.harmonic_hall as hh
from sotfit.analysis.hall import macrospin
from sotfit.data import Dataset
from sotfit.io.hall import HallScan

P = dict(r_ahe=1.2, r_phe=0.15, mu0_hk=0.6, mu0_h_dl=2e-3, mu0_h_fl=1e-3, r_ane=2e-4)


def _scans(seed=0):
    rng = np.random.default_rng(seed)

    def mk(scan, x, **g):
        st = g.pop("mz_state", 0)
        b = hh.scan_fields(x, scan, **g, phi0=2.0)
        r1, r2 = hh.hall_harmonics(b, P["r_ahe"], P["r_phe"], P["mu0_hk"], P["mu0_h_dl"], P["mu0_h_fl"],
                                   P["r_ane"], state=None if st == 0 else np.full(len(x), st))
        meta = dict(source=f"{scan}-{g}-{st}", scan=scan, mz_state=st, **g)
        return HallScan(Dataset(x, r1 + rng.normal(0, 2e-6, x.size), meta=meta),
                        Dataset(x, r2 + rng.normal(0, 2e-6, x.size), meta=meta), scan, meta)

    th = np.arange(-180.0, 180.0, 2.0)
    scans = [mk("theta", th, field=b, phi_h=0.0) for b in (1.0, 1.5, 2.0, 2.5, 3.0)]
    h = np.linspace(-0.06, 0.06, 49)
    scans += [mk("field", h, theta_h=90.0, phi_h=ph, mz_state=1) for ph in (0.0, 90.0)]
    return scans


def _loop_equilibrium(b, b_k, b_ip=0.0, ip_axis=0.0, state=None, **_):
    """Baseline: one scipy.optimize.minimize per field point and starting direction."""
    b = np.atleast_2d(b)
    st = np.zeros(len(b)) if state is None else np.broadcast_to(np.asarray(state, float), (len(b),))
    out = np.empty_like(b)

    u = np.array([np.cos(np.radians(ip_axis)), np.sin(np.radians(ip_axis)), 0.0])

    def e(a, bv):
        """Energy and its analytic gradient in (theta, phi)."""
        t, p = a
        st, ct, sp, cp = np.sin(t), np.cos(t), np.sin(p), np.cos(p)
        m = np.array([st * cp, st * sp, ct])
        mt = np.array([ct * cp, ct * sp, -st])
        mp = np.array([-st * sp, st * cp, 0.0])
        mu = m @ u
        val = -bv @ m - 0.5 * b_k * ct * ct - 0.5 * b_ip * mu * mu
        gt = -bv @ mt + b_k * ct * st - b_ip * mu * (mt @ u)
        gp = -bv @ mp - b_ip * mu * (mp @ u)
        return val, np.array([gt, gp])

    for i, bv in enumerate(b):
        bn = np.linalg.norm(bv)
        t0 = np.arccos(np.clip(bv[2] / bn, -1, 1)) if bn > 0 else 0.0
        p0 = np.arctan2(bv[1], bv[0])
        starts = [(0.05, 0.0)] if st[i] > 0 else [(np.pi - 0.05, 0.0)] if st[i] < 0 else \
            [(t0, p0), (0.05, 0.0), (np.pi - 0.05, 0.0), (np.pi / 2, 0.0), (np.pi / 2, np.pi)]
        best = min((minimize(e, s, args=(bv,), jac=True, method="L-BFGS-B",
                             options={"ftol": 1e-15, "gtol": 1e-12})
                    for s in starts), key=lambda r: r.fun)
        t, p = best.x
        out[i] = [np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)]
    return out


@pytest.mark.benchmark
def test_global_fit_vectorised_vs_scipy_loop(monkeypatch, benchmark):
    scans = _scans()
    npts = sum(len(s.r1w) for s in scans)
    # one full model evaluation of every curve, both ways
    b_all = [hh.scan_fields(s.r1w.x, s.scan, field=s.meta.get("field"), theta_h=s.meta.get("theta_h", 90.0),
                            phi_h=s.meta.get("phi_h", 0.0), phi0=2.0) for s in scans]
    t0 = time.perf_counter()
    for b, s in zip(b_all, scans):
        hh.equilibrium(b, P["mu0_hk"], state=None if s.scan != "field" else 1)
    t_vec_eval = time.perf_counter() - t0
    t0 = time.perf_counter()
    for b, s in zip(b_all, scans):
        _loop_equilibrium(b, P["mu0_hk"], state=None if s.scan != "field" else 1)
    t_loop_eval = time.perf_counter() - t0

    def vec_fit():
        hh._CACHE.clear()
        hh._HCACHE.clear()
        return macrospin(scans, fixed={"r_phe": P["r_phe"]}, free=("tilt_x", "tilt_y"))

    t0 = time.perf_counter()
    res = benchmark.pedantic(vec_fit, rounds=1, iterations=1)
    t_vec_fit = time.perf_counter() - t0
    assert abs(res.quantities["mu0_h_dl"].nominal_value - P["mu0_h_dl"]) < 3 * res.quantities["mu0_h_dl"].std_dev
    # how many equilibrium solutions the fit needs (each covers one curve); the loop baseline
    # needs the same number, each costing what the measured loop costs per curve
    calls = {"n": 0}
    orig = hh.equilibrium

    def counting(*a, **k):
        calls["n"] += 1
        return orig(*a, **k)

    monkeypatch.setattr(hh, "equilibrium", counting)
    vec_fit()
    n_calls = calls["n"]
    ratio_eval = t_loop_eval / t_vec_eval
    projected_loop_fit = t_loop_eval * n_calls / len(scans)
    benchmark.extra_info.update({"points": npts, "vectorised_eval_s": t_vec_eval, "loop_eval_s": t_loop_eval,
                                 "eval_ratio": ratio_eval, "vectorised_fit_s": t_vec_fit,
                                 "equilibrium_calls_per_fit": n_calls,
                                 "loop_fit_projected_s": projected_loop_fit})
    print(f"\n{npts} field points per harmonic: 5 rotations x 180 angles + 2 sweeps x 49 fields")
    print(f"equilibrium of every curve once: vectorised {t_vec_eval:.3f} s, scipy.optimize loop "
          f"{t_loop_eval:.2f} s, ratio {ratio_eval:.0f}x")
    print(f"global fit (vectorised, measured): {t_vec_fit:.1f} s with {n_calls} curve equilibria; "
          f"the same fit on the loop would take about {projected_loop_fit:.0f} s "
          f"(= loop time per curve x equilibria per fit), ratio {projected_loop_fit / t_vec_fit:.0f}x")
