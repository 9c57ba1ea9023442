"""Regenerate the SYNTHETIC thickness series of this folder from seed 003's published parameters.

Seed 003_010c0338986411e7.txt, eqs. (1)-(2), written out here in SI units independently of
sotfit (numpy only), evaluated with the published fit values:

* NiFe(6 nm)/BiSb(t): Re G = 0.023e13, Im G = 0.133e13 Ohm^-1 m^-2, lambda_s = 24.8 nm,
  sigma_s = 3.68e5 (hbar/2e) Ohm^-1 m^-1, rho = 350.3 uOhm cm; DL and FL (ST-FMR);
* CoTb(6 nm)/BiSb(t): Re G = 7.11e13 Ohm^-1 m^-2, Im G = 0, same sigma_s, lambda_s, rho; DL only
  (harmonic Hall).

Noise: Gaussian with the stated standard errors, drawn with a fixed seed. NiFe: 3 % of the value
+ 0.003e5 Ohm^-1 m^-1 (gives the +-1 nm error of lambda_s that the seed reports); CoTb: 20 % +
0.05e5 Ohm^-1 m^-1 (the seed's xi_DL = 0.51 +- 0.18 is a 35 % error; harmonic Hall with Nernst
corrections). Run ``python make_data.py`` in this folder to rewrite the two CSV files.
"""

from pathlib import Path

import numpy as np
from scipy import constants as C

HERE = Path(__file__).resolve().parent
RHO = 350.3  # uOhm cm
NIFE = dict(sigma_s=3.68, lam=24.8, re_g=0.023, im_g=0.133)
COTB = dict(sigma_s=3.68, lam=24.8, re_g=7.11, im_g=0.0)
T_NIFE = np.array([6, 8, 10, 12, 14, 16, 20, 26, 30, 36, 42, 50, 60, 70], float)
T_COTB = np.array([6, 8, 10, 12, 14, 16, 20, 26], float)


def eq1_eq2(t_nm, sigma_s, lam, re_g, im_g, rho=RHO):
    """xi^E_DL, xi^E_FL in 1e5 Ohm^-1 m^-1 (seed 003 eqs. (1)-(2), SI inside)."""
    t, lam_m, rho_si = t_nm * 1e-9, lam * 1e-9, rho * 1e-8
    sig = sigma_s * 1e5 * C.hbar / (2 * C.e)
    a, b = 2 * lam_m * rho_si * re_g * 1e13, 2 * lam_m * rho_si * im_g * 1e13
    th = np.tanh(t / lam_m)
    pre = 2 * C.e / C.hbar * sig * (1 - 1 / np.cosh(t / lam_m))
    den = (a + th) ** 2 + b ** 2
    return pre * (a * (a + th) + b * b) / den / 1e5, -pre * b * th / den / 1e5


def header(sample, truth, noise):
    return "\n".join([
        "# SYNTHETIC DATA generated from the published fit of seed 003 (Gao et al.), eqs. (1)-(2);",
        "# not measured. Regenerate with make_data.py in this folder.",
        f"# sample: {sample}",
        f"# resistivity: {RHO} uOhm cm",
        f"# truth: sigma_s = {truth['sigma_s']} (1e5 hbar/2e Ohm^-1 m^-1), lambda_s = {truth['lam']} nm, "
        f"Re G = {truth['re_g']}, Im G = {truth['im_g']} (1e13 Ohm^-1 m^-2)",
        f"# noise: {noise}",
    ]) + "\n"


def main():
    rng = np.random.default_rng(2023)
    dl, fl = eq1_eq2(T_NIFE, **NIFE)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    ydl = dl + edl * rng.standard_normal(dl.size)
    yfl = fl + efl * rng.standard_normal(fl.size)
    u = "1e5 Ohm^-1 m^-1"
    with open(HERE / "nife_bisb.csv", "w", encoding="utf-8") as fh:
        fh.write(header("Ni81Fe19(6 nm)/Bi0.1Sb0.9(t), ST-FMR (synthetic)", NIFE,
                        "3 % + 0.003e5 Ohm^-1 m^-1, seed 2023"))
        fh.write(f"thickness (nm),xi_e_dl ({u}),xi_e_dl_stderr ({u}),xi_e_fl ({u}),xi_e_fl_stderr ({u})\n")
        for row in zip(T_NIFE, ydl, edl, yfl, efl):
            fh.write(f"{row[0]:g},{row[1]:.5f},{row[2]:.5f},{row[3]:.5f},{row[4]:.5f}\n")
    dlc, _ = eq1_eq2(T_COTB, **COTB)
    ec = 0.2 * np.abs(dlc) + 0.05
    yc = dlc + ec * rng.standard_normal(dlc.size)
    with open(HERE / "cotb_bisb.csv", "w", encoding="utf-8") as fh:
        fh.write(header("Co72Tb28(6 nm)/Bi0.1Sb0.9(t), harmonic Hall (synthetic)", COTB,
                        "20 % + 0.05e5 Ohm^-1 m^-1, seed 2023 (drawn after the NiFe series)"))
        fh.write(f"thickness (nm),xi_e_dl ({u}),xi_e_dl_stderr ({u})\n")
        for row in zip(T_COTB, yc, ec):
            fh.write(f"{row[0]:g},{row[1]:.5f},{row[2]:.5f}\n")


if __name__ == "__main__":
    main()
