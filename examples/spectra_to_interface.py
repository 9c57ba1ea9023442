"""From raw ST-FMR spectra of a thickness series to the microscopic interface picture.

Every analysis step is one ``sotfit`` command, printed before it runs (copy them to run the
same analysis on your own files); the walk-through is docs/walkthrough.md.

0. Raw spectra (the only step that is not a sotfit command, because it stands in for the
   measurement): NiFe(6 nm)/BiSb(t) at eight thicknesses t = 6-70 nm, six frequencies each,
   made with the linear-response macrospin lineshape of data/stfmr_example/generate.py
   (numpy only, independent of sotfit) plus noise, offsets and drifts. The torques follow seed
   003's drift-diffusion model (eqs. (1)-(2)) with sigma_s = 3.68 x 1e5 (hbar/2e) Ohm^-1 m^-1,
   lambda_s = 24.8 nm, rho = 350.3 uOhm cm and the G of the tight-binding interface barrier
   (seed 003 Fig. 4) at (delta_t, J) = (-0.75, -0.004) eV with a weak coupling t_c = 0.2 t0:
   G = 0.025 + 0.123i x 1e13 Ohm^-1 m^-2, the NiFe/BiSb value the seed reports.
1. ``sotfit stfmr`` per thickness: lineshapes, Kittel and damping, torques, xi^E_DL, xi^E_FL.
2. ``sotfit thickness`` on the eight summary.json files: sigma_s, lambda_s and G.
3. ``sotfit thickness --model interface-barrier``: (delta_t, J) of the interface, G derived,
   and whether the data separate delta_t and J (identifiability.png).
4. ``sotfit thickness --compare-models``: which mechanism the data prefer.
5. ``sotfit theory compare``: one thickness's measured FL/DL ratio against the T-matrix theory
   of seed 002 over Fermi energy and magnetisation angle.

Run from the project root (about a minute)::

    python examples/spectra_to_interface.py [--out walk_out] [--overwrite]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sotfit.models.drift_diffusion import xi_e_dl, xi_e_fl  # noqa: E402
from sotfit.models.interface.specs import barrier_mixing_complex  # noqa: E402

THICKNESSES = (6, 8, 10, 14, 20, 30, 45, 70)          # nm
SOURCE = {"spin_hall_conductivity": 3.68, "spin_diffusion_length": 24.8, "resistivity": 350.3}
BARRIER = {"delta_t": -0.75, "exchange": -0.004, "t_c": 0.2}   # eV, eV, eV (t0 = 1 eV)
#: The sample and the measurement (everything the spectra need besides the torques).
SAMPLE = {"mu0_ms_T": 0.95, "mu0_meff_T": 0.85, "g": 2.10, "alpha": 0.012, "w0_mT": 1.2,
          "phi_h_deg": 45.0, "t_fm_nm": 6.0, "width_um": 10.0, "rho_fm_uohmcm": 40.0,
          "i_rf_mA": 8.0, "r0_ohm": 100.0, "delta_r_ohm": 0.5, "field_offset_mT": 0.08,
          "noise_uV": 0.3, "frequencies_GHz": [8.0, 10.0, 12.0, 14.0, 16.0, 18.0]}


def _generator():
    spec = importlib.util.spec_from_file_location(
        "stfmr_example_generate", ROOT / "data" / "stfmr_example" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def planted_g() -> complex:
    """G of the planted barrier (1e13 Ohm^-1 m^-2; E = -4 t0, t0 = 1 eV, a = 0.3 nm)."""
    return complex(barrier_mixing_complex(BARRIER["exchange"], BARRIER["delta_t"],
                                          t_c_ratio=BARRIER["t_c"]))


def write_spectra(folder: Path, seed: int = 2027) -> dict:
    """Step 0: one folder of ST-FMR spectra per thickness; returns the planted values."""
    gen = _generator()
    g = planted_g()
    rng = np.random.default_rng(seed)
    kw = dict(SOURCE, re_g_mix=g.real, im_g_mix=g.imag)
    truth = {"sigma_s": SOURCE["spin_hall_conductivity"],
             "lambda_s_nm": SOURCE["spin_diffusion_length"], "rho_uohmcm": SOURCE["resistivity"],
             "re_g_mix": g.real, "im_g_mix": g.imag, **BARRIER, "thicknesses": {}}
    for t in THICKNESSES:
        # project sign of xi_fl (docs/CONVENTIONS.md) is the sign of seed 003 eq. (2)
        p = dict(gen.PLANTED, **SAMPLE, t_nm_nm=float(t), rho_nm_uohmcm=SOURCE["resistivity"],
                 xi_dl=float(xi_e_dl(t, **kw)) * SOURCE["resistivity"] * 1e-3,
                 xi_fl=float(xi_e_fl(t, **kw)) * SOURCE["resistivity"] * 1e-3)
        truth["thicknesses"][f"{t}"] = {"xi_e_dl": float(xi_e_dl(t, **kw)),
                                        "xi_e_fl": float(xi_e_fl(t, **kw))}
        sub = folder / f"t{t:02d}nm"
        sub.mkdir(parents=True)
        for f in p["frequencies_GHz"]:
            grid, idx, _ = gen.sweep_grid(f, p)
            h = grid[idx]
            field = np.concatenate([-h[::-1], h])
            v = np.concatenate([gen.linear_vmix(-h[::-1], f, p, homogeneous=False),
                                gen.linear_vmix(h, f, p, homogeneous=False)])
            acq = np.linspace(0.0, 1.0, v.size)
            v = v + rng.uniform(-0.3, 0.3) + rng.uniform(-0.15, 0.15) * acq \
                + rng.normal(0.0, p["noise_uV"], v.size)
            with open(sub / f"nife_bisb_{t}nm_{f:g}GHz.csv", "w", encoding="utf-8") as fh:
                fh.write(f"# ST-FMR of NiFe(6 nm)/BiSb({t} nm), SYNTHETIC (examples/"
                         "spectra_to_interface.py)\n")
                fh.write(f"# frequency_GHz: {f:g}\n# field_angle_deg: {p['phi_h_deg']:g}\n")
                fh.write("Field (mT),Vmix (uV)\n")
                for hf, vv in zip((field - p["field_offset_mT"] * 1e-3) * 1e3, v):
                    fh.write(f"{hf:.5f},{vv:.6f}\n")
    (folder / "truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return truth


def sotfit(*args: str) -> None:
    """Print and run one sotfit command (this checkout's sotfit)."""
    print("\n$ sotfit " + " ".join(shlex.quote(a) for a in args), flush=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = subprocess.call([sys.executable, "-m", "sotfit", *args], env=env)
    if code not in (0, 3):                  # 3: results carry flags (--strict only)
        raise SystemExit(f"sotfit {args[0]} failed with exit status {code}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="walk_out", help="output folder (default walk_out)")
    ap.add_argument("--overwrite", action="store_true", help="replace an earlier run's folder")
    ap.add_argument("--no-figures", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.exists():
        if not args.overwrite:
            sys.exit(f"{out} exists; pass --overwrite to replace it")
        shutil.rmtree(out)
    fig = ["--no-figures"] if args.no_figures else []
    print("step 0: raw spectra (synthetic; stands in for the measurement)")
    truth = write_spectra(out / "spectra")
    sample = ["--ms", "0.95T", "--t-fm", "6nm", "--width", "10um", "--rho", "350.3uOhmcm",
              "--rho-fm", "40uOhmcm", "--irf", "8mA", "--irf-is", "peak", "--delta-r", "0.5Ohm"]
    print("\nstep 1: sotfit stfmr, one run per thickness")
    for t in THICKNESSES:
        sotfit("stfmr", str(out / "spectra" / f"t{t:02d}nm"), "--t-nm", f"{t}nm", *sample,
               "--out", str(out / "stfmr" / f"t{t:02d}nm"), *fig)
    summaries = [str(out / "stfmr" / f"t{t:02d}nm" / "summary.json") for t in THICKNESSES]
    print("\nstep 2: spin transport, drift-diffusion (G fitted)")
    sotfit("thickness", *summaries, "--joint", "--label", "NiFe/BiSb",
           "--out", str(out / "drift_diffusion"), *fig)
    print("\nstep 3: the interface barrier of seed 003 Fig. 4 as the fit target")
    sotfit("thickness", *summaries, "--joint", "--label", "NiFe/BiSb", "--model",
           "interface-barrier", "--t-c", "0.2eV", "--out", str(out / "barrier"), *fig)
    print("\nstep 4: which mechanism do the data prefer?")
    sotfit("thickness", *summaries, "--joint", "--label", "NiFe/BiSb", "--compare-models",
           "drift-diffusion,interface-barrier,interface-delta", "--t-c", "0.2eV",
           "--out", str(out / "compare"), *fig)
    print("\nstep 5: the measured FL/DL ratio at 20 nm against the T-matrix theory")
    sotfit("theory", "compare", "--summary", summaries[THICKNESSES.index(20)], "--model",
           "tmatrix", "--sweep", "energy=2meV:20meV:37", "--sweep", "angle=5deg:175deg:35",
           "--out", str(out / "theory"), *fig)

    dd = json.loads((out / "drift_diffusion" / "summary.json").read_text())
    bar = json.loads((out / "barrier" / "summary.json").read_text())
    cmp_ = json.loads((out / "compare" / "summary.json").read_text())
    e = next(iter(bar["interfaces"].values()))

    def fmt(q):
        return f"{q['value']:.4g} +/- {q['stderr']:.2g}" if q.get("stderr") else f"{q['value']:.4g}"

    print("\nplanted against recovered")
    rows = [("sigma_s (1e5 hbar/2e Ohm^-1 m^-1)", truth["sigma_s"], dd["spin_hall_conductivity"]),
            ("lambda_s (nm)", truth["lambda_s_nm"], dd["spin_diffusion_length"]),
            ("Re G (1e13 Ohm^-1 m^-2), drift-diffusion", truth["re_g_mix"], dd["re_g_mix"]),
            ("Im G (1e13 Ohm^-1 m^-2), drift-diffusion", truth["im_g_mix"], dd["im_g_mix"]),
            ("delta_t (eV), barrier", truth["delta_t"], e["delta_t"]),
            ("exchange J (eV), barrier", truth["exchange"], e["exchange"]),
            ("Re G derived from the barrier", truth["re_g_mix"], e["re_g_mix"]),
            ("Im G derived from the barrier", truth["im_g_mix"], e["im_g_mix"])]
    for name, true, q in rows:
        pull = (q["value"] - true) / q["stderr"] if q.get("stderr") else float("nan")
        print(f"  {name:>42s}: planted {true:.4g}, found {fmt(q)} ({pull:+.1f} sigma)")
    print(f"  identifiability of (delta_t, J): {e['identifiability']['verdict']}")
    print(f"  mechanism comparison: {cmp_['model_comparison']['verdict']}")
    print(f"\nresults in {out}/: stfmr/, drift_diffusion/, barrier/ (identifiability.png), "
          "compare/, theory/ (region.png)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
