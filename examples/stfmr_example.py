"""The ST-FMR main job in Python, on the bundled cmtj example set (data/stfmr_example).

Six spectra (8-18 GHz) of a simulated Py(6 nm)/Pt(6 nm) bilayer with known truth
(data/stfmr_example/truth.json): read them, fit every branch, run the sequential and the global
Kittel/damping fits, compute the torques from the sample description, compare each number with
the planted value, and draw one overview figure. The command-line equivalent is

    sotfit stfmr data/stfmr_example --out stfmr_out --ms 0.95T --t-fm 6nm --t-nm 6nm \\
        --width 10um --rho 20uOhmcm --rho-fm 40uOhmcm --irf 1mA --irf-is peak --delta-r 0.5Ohm

Run from the project root::

    python examples/stfmr_example.py [--out stfmr_example_out] [--overwrite]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sotfit as sf  # noqa: E402
from sotfit.analysis.stfmr import analyse_stfmr, summary_dict  # noqa: E402
from sotfit.device import Sample  # noqa: E402
from sotfit.plot.stfmr import plot_overview  # noqa: E402

DATA = ROOT / "data" / "stfmr_example"

#: summary name -> name in truth.json
COMPARED = {"mu0_meff": "mu0_meff", "g": "g", "alpha": "alpha",
            "linewidth_inhomogeneous": "linewidth_inhomogeneous", "xi_fmr": "xi_fmr_expected",
            "mu0_h_dl": "mu0_h_dl", "mu0_h_fl": "mu0_h_fl", "xi_dl": "xi_dl", "xi_fl": "xi_fl"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("stfmr_example_out"),
                    help="folder for the overview figure and summary.json")
    ap.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = ap.parse_args(argv)
    figure, summary_file = args.out / "overview.png", args.out / "summary.json"
    for p in (figure, summary_file):
        if p.exists() and not args.overwrite:
            sys.exit(f"{p} exists; pass --overwrite to replace it")

    truth = json.loads((DATA / "truth.json").read_text())
    sweep = sf.load(DATA)                            # signed mu0 H in T, V_mix in uV
    analysis = analyse_stfmr(sweep)
    sample = Sample(mu0_ms=0.95, t_fm=6, t_nm=6, width=10e3, rho_nm=20, rho_fm=40,
                    angle=45, current=1.0, delta_r=0.5)  # nm, uOhm cm, deg, mA (peak), Ohm
    summary = summary_dict(analysis, sample)

    print(f"{'quantity':>24} {'sequential':>22} {'global':>22} {'planted':>11}  unit")
    for name, key in COMPARED.items():
        seq, glo = summary["sequential"][name], summary["global"][name]
        print(f"{name:>24} {seq['value']:>11.5g} ± {seq['stderr']:<8.2g} "
              f"{glo['value']:>11.5g} ± {glo['stderr']:<8.2g} {truth[key]['value']:>11.5g}  "
              f"{seq['unit']}")

    args.out.mkdir(parents=True, exist_ok=True)
    plot_overview(analysis, 2, figure, overwrite=args.overwrite)
    summary_file.write_text(json.dumps(summary, indent=1, default=str))
    print(f"written {figure} and {summary_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
