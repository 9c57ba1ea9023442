"""Skew-scattering torques of a disordered Rashba ferromagnet (seed 002, Figs. 3-4).

Computes with the full T-matrix theory (seed 002_acb2a8e60c4cb8a9.txt, eqs. 16-27) and the
parameters of the paper's captions (m* = 0.8 m_e, alpha = 1.7e-11 eV m, n = 5e14 m^-2,
v = 5e4 m/s; impurity potential u = 1.8 eV with range R = 0.2 nm, see docs/tmatrix.md):

1. Fig. 3a: charge-to-spin efficiencies against the Fermi energy for m along z
   (Delta_xc = 4.8 meV): the damping-like/field-like ratio inside the spin gap and its jump
   at the gap edge, with K_J = K/sigma_xx (the paper's normalisation) and K_J = K sigma^-1;
2. Fig. 4a: torque efficiencies against the magnetisation angle at eps = 4.5 meV
   (Delta_xc = 5 meV): the critical angle where the Fermi level meets the upper band, the
   periodicity pi and the symmetry about pi/2, with K_J = K sigma^-1 (the Hall-bar form;
   the paper's strong-damping regime below the critical angle appears with K/sigma_xx,
   ``--normalisation longitudinal`` of ``sotfit theory tmatrix``: docs/tmatrix.md, item 4);
3. the first Born approximation, which has no damping-like torque at all;
4. a 40 x 30 map over (Fermi energy, angle) with the band bottoms drawn.

Runs in well under a minute. From the project root::

    python examples/tmatrix_rashba.py [--out tmatrix_rashba_out] [--overwrite]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sotfit.cli.common import CLIError, OutputFolder  # noqa: E402
from sotfit.models.tmatrix import (RashbaFerromagnet, band_edges, critical_angle,  # noqa: E402
                                   response)
from sotfit.models.tmatrix.batch import efficiency_map  # noqa: E402

IMP = dict(alpha=0.017, u=1.8, radius=0.2, density=5e-4, mass=0.8)   # eV nm, eV, nm, nm^-2
VELOCITY = 5e4  # m/s


def fig3a():
    """DL/FL ratio theta_xx/theta_xy against Fermi energy at theta = 0 (Delta_xc = 4.8 meV)."""
    energies = np.linspace(-3e-3, 20e-3, 116)   # eV; the gap edge is at 4.8 meV
    res = efficiency_map(energies, [0.0], exchange=0.0048, **IMP)   # K_J = K sigma^-1 (eq. 2)
    valid = res["valid"][:, 0]
    kj_t = res["K_J"][:, 0]
    kj_l = np.where(valid[:, None, None], res["K"][:, 0] / res["sigma"][:, 0, 0, 0, None, None],
                    np.nan)                                               # K_J = K / sigma_xx
    ratio_l = kj_l[:, 0, 0] / kj_l[:, 0, 1]
    ratio_t = kj_t[:, 0, 0] / kj_t[:, 0, 1]
    gap = energies < 4.8e-3
    below = np.nanargmax(np.where(gap, energies, -np.inf))
    above = np.nanargmin(np.where(~gap & valid, energies, np.inf))
    out = {
        "gap_edge_meV": 4.8,
        "max_in_gap_dl_fl_longitudinal": float(np.nanmax(np.abs(ratio_l[gap]))),
        "max_in_gap_dl_fl_tensor": float(np.nanmax(np.abs(ratio_t[gap]))),
        "dl_fl_longitudinal_just_below_edge": float(ratio_l[below]),
        "dl_fl_longitudinal_just_above_edge": float(ratio_l[above]),
        "energies_meV_below_above": [1e3 * energies[below], 1e3 * energies[above]],
    }
    return res, out


def fig4a():
    """Torque efficiencies against the magnetisation angle at eps = 4.5 meV (Delta_xc = 5 meV)."""
    thetas = np.radians(np.linspace(1.0, 179.0, 90))
    res = efficiency_map([4.5e-3], thetas, exchange=0.005, **IMP)
    thc = critical_angle(RashbaFerromagnet(fermi_energy=4.5e-3, exchange=0.005, theta=0.0, **IMP))
    t1e, t1o = res["tau1_e"][0], res["tau1_o"][0]
    ok = np.isfinite(t1e) & np.isfinite(t1e[::-1])
    out = {
        "critical_angle_deg": math.degrees(thc),
        "tau1_o_range_1e14_per_Am": [float(np.nanmin(t1o)) / 1e14, float(np.nanmax(t1o)) / 1e14],
        "max_dl_fl": float(np.nanmax(np.abs(t1e / t1o))),
        # theta -> pi - theta (the grid is symmetric about 90 deg)
        "max_asymmetry_about_90deg": float(np.max(np.abs(t1e[ok] - t1e[::-1][ok]))
                                           / np.nanmax(np.abs(t1e))),
    }
    # periodicity pi: m -> -m leaves every efficiency unchanged
    m = RashbaFerromagnet(fermi_energy=4.5e-3, exchange=0.005, theta=0.6, **IMP)
    a, b = response(m).torques(), response(m.with_(theta=0.6 + math.pi)).torques()
    out["max_change_under_m_to_minus_m"] = max(abs(b[k] / a[k] - 1) for k in a)
    return res, out, thc


def born_vs_tmatrix():
    """tau_1^e/tau_1^o at eps = 5.5 meV, theta = 60 deg: T-matrix and first Born."""
    m = RashbaFerromagnet(fermi_energy=5.5e-3, exchange=0.005, theta=math.radians(60), **IMP)
    out = {}
    for approx in ("tmatrix", "born"):
        t = response(m, approximation=approx).torques()
        out[approx] = t["tau1_e"] / t["tau1_o"]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="tmatrix_rashba_out", help="output folder")
    p.add_argument("--overwrite", action="store_true", help="replace a non-empty output folder")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    args = p.parse_args(argv)
    try:
        output = OutputFolder(args.out, args.overwrite)
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with output as out:  # written in full, or the earlier results stay
        t0 = time.perf_counter()
        r3, s3 = fig3a()
        r4, s4, thc = fig4a()
        sb = born_vs_tmatrix()
        energies, thetas = np.linspace(-3e-3, 20e-3, 40), np.radians(np.linspace(1, 179, 30))
        rmap = efficiency_map(energies, thetas, exchange=0.005, **IMP)
        base = RashbaFerromagnet(fermi_energy=0.0, exchange=0.005, theta=0.0, **IMP)
        edges = 1e3 * np.array([band_edges(base.with_(theta=float(t))) for t in thetas])
        summary = {"source": "seed 002_acb2a8e60c4cb8a9.txt, Figs. 3-4 (see docs/tmatrix.md)",
                   "fig3a": s3, "fig4a": s4, "dl_fl_ratio_at_5.5meV_60deg": sb,
                   "seconds": time.perf_counter() - t0}
        if not args.no_figures:
            from sotfit.plot import save
            from sotfit.plot.tmatrix import angle_sweep_figure, energy_sweep_figure, map_figure

            save(energy_sweep_figure({**r3, "K_J": r3["K_J"][:, 0], "K": r3["K"][:, 0]},
                                     velocity=VELOCITY, gap_edge_mev=4.8,
                                     title="seed 002 Fig. 3a: theta = 0, Delta_xc = 4.8 meV"),
                 out / "fig3a_energy_sweep.png")
            save(angle_sweep_figure(r4, critical_deg=math.degrees(thc),
                                    title="seed 002 Fig. 4a: eps = 4.5 meV, Delta_xc = 5 meV"),
                 out / "fig4a_angle_sweep.png")
            save(map_figure(rmap, band_edges_mev=edges, title="Delta_xc = 5 meV"), out / "map.png")
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print("Fig. 3a (theta = 0, gap edge 4.8 meV):")
    print(f"  in-gap |DL/FL| max: {100 * s3['max_in_gap_dl_fl_longitudinal']:.1f} % with "
          f"K_J = K/sigma_xx, {100 * s3['max_in_gap_dl_fl_tensor']:.1e} % with K_J = K sigma^-1")
    e_lo, e_hi = s3["energies_meV_below_above"]
    print(f"  jump at the gap edge: {100 * s3['dl_fl_longitudinal_just_below_edge']:.2f} % "
          f"({e_lo:.2f} meV) -> {100 * s3['dl_fl_longitudinal_just_above_edge']:.2f} % "
          f"({e_hi:.2f} meV)")
    print("Fig. 4a (eps = 4.5 meV):")
    print(f"  critical angle {s4['critical_angle_deg']:.2f} deg; max |tau1_e/tau1_o| "
          f"{100 * s4['max_dl_fl']:.1f} %; asymmetry about 90 deg "
          f"{s4['max_asymmetry_about_90deg']:.1e}; change under m -> -m "
          f"{s4['max_change_under_m_to_minus_m']:.1e}")
    print(f"tau1_e/tau1_o at 5.5 meV, 60 deg: T-matrix {sb['tmatrix']:.4f}, "
          f"first Born {sb['born']:.1e}")
    print(f"({summary['seconds']:.1f} s) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
