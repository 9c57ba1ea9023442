"""Seed 000 (Majidi, Faridi, Asgari 2025): SOT of TMDC/CrI3 bilayers against chemical potential.

Computes, with the parameters of the seed (Table I in data/kp/, gamma = 3 ps, k_B T = 25.7 meV,
|E| = 0.2 mV/nm, theta_E = pi/4, theta_m = 0, lambda_R = 1 meV), the x components of the
intra-band (field-like) torque tau^oc and of the intrinsic inter-band (damping-like) torque
tau^in of WSe2/CrI3 and MoSe2/CrI3 at 0 and 30 degree twist, as in seed
000_8a4db6caac2af419.txt Figs. 2(c) and 6, and prints the features its text states (peak
sizes, n/p asymmetry, sign changes, FL/DL ratio). Takes a few seconds.

Run from the project root::

    python examples/kp_tmdc.py OUT_DIR [--table TWIST_GATE.csv --tmdc WSe2]

Writes OUT_DIR/tmdc_torque_vs_mu.png, OUT_DIR/curves.csv (mu in eV, torques in meV/nm^2) and
OUT_DIR/features.json; refuses an existing non-empty OUT_DIR. With --table (parameters over
twist angle and gate field, which seed 000 takes from its Ref. 40 and does not print) also
OUT_DIR/map.npz and the maps of Figs. 3-5, 7-9 in OUT_DIR/maps/. What agrees with the seed and
what does not is in docs/kp.md ("Seed 000, TMDC/CrI3").
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sotfit.models.kp.seed000 import mu_features, tmdc_torque_curves  # noqa: E402

CASES = (("WSe2", 0), ("WSe2", 30), ("MoSe2", 0), ("MoSe2", 30))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output folder (must not exist or be empty)")
    ap.add_argument("--n-mu", type=int, default=241, help="chemical potentials in [-1.5, 1.5] eV")
    ap.add_argument("--lambda-r", type=float, default=1.0, help="Rashba coupling in meV (default 1)")
    ap.add_argument("--table", type=Path,
                    help="CSV of parameters over (twist, gate) for one TMDC (format of "
                         "data/kp/tmdc_cri3_table1.csv + 'gate (V/nm)'): also draw the maps of seed "
                         "000 Figs. 3-5, 7-9 (about 0.3 s per (twist, gate) point)")
    ap.add_argument("--tmdc", default="WSe2", help="TMDC of --table (default WSe2)")
    ap.add_argument("--map-size", default="13,9", help="twist and gate points of the maps (default 13,9)")
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"kp_tmdc: output folder {args.out} exists and is not empty; nothing is overwritten, "
              "choose another folder", file=sys.stderr)
        return 2
    if args.n_mu < 20:
        print("kp_tmdc: --n-mu must be at least 20", file=sys.stderr)
        return 2
    table = None
    if args.table is not None:
        from sotfit.models.kp.tables import ParameterTable

        try:
            table = ParameterTable.from_csv(args.table, args.tmdc)
            n_t, n_g = (int(v) for v in args.map_size.split(","))
        except (OSError, ValueError) as exc:
            print(f"kp_tmdc: {exc}", file=sys.stderr)
            return 2
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out

    mus = np.linspace(-1.5, 1.5, args.n_mu)
    curves = [tmdc_torque_curves(t, tw, mus, lambda_r=args.lambda_r * 1e-3) for t, tw in CASES]
    feats = {c.label: mu_features(c) for c in curves}

    with open(out / "curves.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["mu (eV)"] + [f"{c.label}: tau_{k}_x (meV/nm^2)" for c in curves for k in ("oc", "in")])
        for i, mu in enumerate(mus):
            w.writerow([f"{mu:.6g}"] + [f"{v:.6g}" for c in curves for v in (c.tau_oc[i], c.tau_in[i])])
    with open(out / "features.json", "w", encoding="utf-8") as fh:
        json.dump({"units": {"mu, e_v, e_c, peak_*, changes_*": "eV", "max_*, gap_*": "meV/nm^2"},
                   "parameters": {"tau_ps": 3.0, "kT_eV": 0.0257, "field_V_per_nm": 2e-4,
                                  "theta_e_deg": 45.0, "theta_m_deg": 0.0,
                                  "lambda_r_meV": args.lambda_r},
                   "features": feats}, fh, indent=2)

    from sotfit.plot.kp import plot_tmdc_curves

    plot_tmdc_curves(curves, out / "tmdc_torque_vs_mu.png")

    print(f"{'bilayer':38s} {'max|tau_oc| n, p':>20s} {'max|tau_in| n, p':>20s}  FL/DL(n)  oc sign changes (n)")
    for c in curves:
        ft = feats[c.label]
        print(f"{c.label:38s} {ft['max_oc_n']:9.2e} {ft['max_oc_p']:9.2e}  {ft['max_in_n']:9.2e} "
              f"{ft['max_in_p']:9.2e}  {ft['max_oc_n'] / ft['max_in_n']:8.3g}  "
              f"{', '.join(f'{x:.2f}' for x in ft['changes_oc_n']) or '-'}")
    print("torques in meV/nm^2 at |E| = 0.2 mV/nm; seed 000: FL/DL ~ 1e3 (WSe2), ~ 10 (MoSe2)")
    if table is not None:
        from sotfit.models.kp.seed000 import tmdc_torque_map
        from sotfit.plot.kp import plot_tmdc_maps

        twists = np.linspace(table.twists[0], table.twists[-1], n_t if table.twists.size > 1 else 1)
        gates = np.linspace(table.gates[0], table.gates[-1], n_g if table.gates.size > 1 else 1)
        kmax = 6.5 if args.tmdc.lower() == "mose2" else 5.5
        tmap = tmdc_torque_map(table, twists, gates, mus, lambda_r=args.lambda_r * 1e-3, kmax=kmax)
        np.savez(out / "map.npz", twist_deg=tmap.twists, gate_V_per_nm=tmap.gates, mu_eV=tmap.mu,
                 tau_oc_meV_per_nm2=tmap.tau_oc, tau_in_meV_per_nm2=tmap.tau_in,
                 b_c_meV=tmap.b_c, b_v_meV=tmap.b_v)
        paths = plot_tmdc_maps(tmap, out / "maps")
        print(f"maps over {twists.size} twists x {gates.size} gates: {len(paths)} figures in {out / 'maps'}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
