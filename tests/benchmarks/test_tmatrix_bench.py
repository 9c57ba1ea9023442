"""Speed of the T-matrix torque map (100 Fermi energies x 50 angles), against baselines.

Run with ``python -m pytest -m benchmark tests/benchmarks/test_tmatrix_bench.py -s``.
Prints the cost per point of

- the vectorised map (:func:`sotfit.models.tmatrix.batch.efficiency_map`), full 5000 points;
- baseline A: one :func:`~sotfit.models.tmatrix.core.response` call per point (vectorised
  over rays only), on a 10 x 5 subgrid;
- baseline B: a straightforward scalar implementation (a Python loop over rays with
  ``numpy.roots`` and over Fermi points), on a 2 x 2 subgrid; it is also an independent
  check of the numbers;

and where the time of the vectorised map goes (cProfile, top functions by own time).
No timed assertion: the ratios are printed and written to ``tmatrix_bench.json`` in the
pytest temporary folder.
"""

import cProfile
import cmath
import io
import json
import math
import pstats
import time

import numpy as np
import pytest

from sotfit.models.tmatrix import RashbaFerromagnet, response
from sotfit.models.tmatrix.batch import efficiency_map
from sotfit.models.tmatrix.core import HBAR2_2ME_MEV_NM2

pytestmark = pytest.mark.benchmark

PAR = dict(exchange=0.005, alpha=0.017, u=1.8, radius=0.2, density=5e-4)
ENERGIES = np.linspace(5.2e-3, 20e-3, 100)   # both bands at every angle: rings enclose k = 0
THETAS = np.linspace(0.02, np.pi - 0.02, 50)

PAULI = [np.eye(2, dtype=complex), np.array([[0, 1], [1, 0]], complex),
         np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]


def scalar_response(eps_ev, theta, exchange, alpha, u, radius, density, n_phi=256):
    """Plain loops: returns K (internal units, no e) and sigma (internal), rays from k = 0."""
    c2 = HBAR2_2ME_MEV_NM2 / 0.8
    e, a, lam, n = 1e3 * eps_ev, 1e3 * alpha, 1 / radius, density
    w = 1e3 * u * radius ** 2
    dx, dz = 1e3 * exchange * math.sin(theta), 1e3 * exchange * math.cos(theta)
    pts = []
    re_g = np.zeros(4)
    for i in range(n_phi):
        ph = 2 * math.pi * i / n_phi
        cs, sn = math.cos(ph), math.sin(ph)
        c = -dx * sn
        coef = [c2 * c2, 0.0, -(2 * c2 * e + a * a), -2 * a * c, e * e - dx * dx - dz * dz]
        roots = np.roots(coef)
        for r in roots:
            num = [r * (e - c2 * r * r), r * (-a * sn * r + dx), r * (a * cs * r), r * dz]
            dq = 4 * coef[0] * r ** 3 + 2 * coef[2] * r + coef[3]
            lg = cmath.log(lam - r) - cmath.log(-r + 0j)
            for j in range(4):
                re_g[j] += (num[j] / dq * lg).real / n_phi / (2 * math.pi)
            if abs(r.imag) < 1e-9 and r.real > 0:
                k = r.real
                bx, by = -a * k * sn + dx, a * k * cs
                bn = math.sqrt(bx * bx + by * by + dz * dz)
                band = 1.0 if e - c2 * k * k >= 0 else -1.0
                s = [1.0, band * bx / bn, band * by / bn, band * dz / bn]
                vx, vy = 2 * c2 * k * cs + a * s[2], 2 * c2 * k * sn - a * s[1]
                wt = (2 * math.pi / n_phi) / (2 * math.pi) ** 2 * k / abs(vx * cs + vy * sn)
                pts.append((wt, s, (vx, vy)))
    im_g = np.zeros(4)
    for wt, s, _ in pts:
        for j in range(4):
            im_g[j] += -0.5 * math.pi * wt * s[j]
    g0 = sum((re_g[j] + 1j * im_g[j]) * PAULI[j] for j in range(4))
    tp = w * np.linalg.inv(np.eye(2) - w * g0)
    tm = tp.conj().T
    tc = [0.5 * np.trace(tp @ PAULI[j]) for j in range(4)]
    nm, bub, s0 = np.zeros((4, 4)), np.zeros((4, 2)), np.zeros((2, 2))
    for wt, s, v in pts:
        gam = -sum(s[j] * tc[j] for j in range(4)).imag
        for i in range(4):
            for j in range(4):
                nm[i, j] += 0.5 * math.pi * wt * s[i] * s[j] / gam
            for j in range(2):
                bub[i, j] += wt * s[i] * v[j] / gam / (2 * n)
        for i in range(2):
            for j in range(2):
                s0[i, j] += wt * v[i] * v[j] / gam / (2 * n)
    ups = np.array([[0.5 * np.trace(PAULI[i] @ tp @ PAULI[j] @ tm).real for j in range(4)]
                    for i in range(4)])
    lhs = np.vstack([np.eye(4) - ups @ nm, nm[0] / (math.pi * n)])
    k_int, sig = np.zeros((3, 2)), np.zeros((2, 2))
    for b in range(2):
        rhs = np.concatenate([math.pi * n * ups @ bub[:, b], [-bub[0, b]]])
        x = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
        k_int[:, b] = bub[1:, b] + nm[1:] @ x / (math.pi * n)
        sig[:, b] = s0[:, b] + bub.T @ x
    return k_int, sig


def test_tmatrix_map_speed(tmp_path):
    report = {}
    # vectorised map, profiled separately from the timing run
    t0 = time.perf_counter()
    res = efficiency_map(ENERGIES, THETAS, n_phi=256, **PAR)
    t_map = time.perf_counter() - t0
    t0 = time.perf_counter()
    res128 = efficiency_map(ENERGIES, THETAS, n_phi=128, **PAR)
    report["map_ms_per_point_nphi128"] = 1e3 * (time.perf_counter() - t0) / ENERGIES.size / THETAS.size
    report["nphi128_vs_256_max_relative_difference"] = float(
        np.nanmax(np.abs(res128["K_J"] - res["K_J"])) / np.nanmax(np.abs(res["K_J"])))
    npts = ENERGIES.size * THETAS.size
    report["map_points"] = npts
    report["map_ms_per_point"] = 1e3 * t_map / npts
    prof = cProfile.Profile()
    prof.enable()
    efficiency_map(ENERGIES[::5], THETAS[::5], n_phi=256, **PAR)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(8)
    report["profile"] = buf.getvalue()
    # baseline A: per-point response() on a subgrid
    sub_e, sub_t = ENERGIES[::10], THETAS[::10]
    t0 = time.perf_counter()
    for e in sub_e:
        for th in sub_t:
            response(RashbaFerromagnet(fermi_energy=e, theta=th, **PAR))
    report["per_point_response_ms"] = 1e3 * (time.perf_counter() - t0) / (sub_e.size * sub_t.size)
    # baseline B: scalar loops on a 2 x 2 subgrid, and agreement with the map
    ie, it = [10, 80], [7, 30]
    t0 = time.perf_counter()
    worst = 0.0
    for i in ie:
        for j in it:
            k_int, sig = scalar_response(ENERGIES[i], THETAS[j], **PAR)
            s = response(RashbaFerromagnet(fermi_energy=ENERGIES[i], theta=THETAS[j], **PAR))
            worst = max(worst, np.abs(k_int - s.extra["K_internal"]).max()
                        / np.abs(s.extra["K_internal"]).max())
            kj_map = res["K_J"][i, j]
            worst = max(worst, np.abs(kj_map - s.K_J).max() / np.abs(s.K_J).max())
    report["scalar_loop_ms"] = 1e3 * (time.perf_counter() - t0) / 4 - report["per_point_response_ms"]
    report["max_relative_difference"] = worst
    report["speedup_vs_per_point"] = report["per_point_response_ms"] / report["map_ms_per_point"]
    report["speedup_vs_scalar"] = report["scalar_loop_ms"] / report["map_ms_per_point"]
    print("\nT-matrix map, 100 energies x 50 angles (n_phi = 256):")
    print(f"  vectorised map     {report['map_ms_per_point']:8.3f} ms/point  "
          f"({t_map:.1f} s total)")
    print(f"  vectorised, 128 rays {report['map_ms_per_point_nphi128']:6.3f} ms/point  (max rel. "
          f"difference to 256 rays {report['nphi128_vs_256_max_relative_difference']:.1e})")
    print(f"  per-point response {report['per_point_response_ms']:8.3f} ms/point  "
          f"(x{report['speedup_vs_per_point']:.1f})")
    print(f"  scalar loops       {report['scalar_loop_ms']:8.3f} ms/point  "
          f"(x{report['speedup_vs_scalar']:.1f})")
    print(f"  max relative difference between implementations: {worst:.2e}")
    print(report["profile"])
    (tmp_path / "tmatrix_bench.json").write_text(json.dumps(report, indent=2))
    assert worst < 1e-8
    assert np.all(res["valid"])
