"""Generate the harmonic Hall example set by an independent route (see README.md).

Route: time-domain integration of the Landau-Lifshitz-Gilbert equation of a macrospin
(scipy.integrate.solve_ivp, RK45) driven by a slowly varying current I(t) = I0 sin(wt), for
every angle/field point at once; the Hall voltage V(t) = R_xy(m(t)) I(t) + thermal voltages
~ I(t)^2 is demodulated numerically like a lock-in (reference sin(n w t); outputs in rms; the
2w reference phase set to -90 deg so that the second harmonic appears in X; a x10
preamplifier on the 2w channel). Noise, a Hall-contact offset, an angle-reading offset and a
small tilt of the sample are added. Nothing here imports sotfit: the energy, the torques and
the demodulation are written out below.

Run from the project root:  python data/hall_example/generate.py
(``--only-tilted`` makes only the folder pma_tilted/; its own random seed leaves the rest as is)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

HERE = Path(__file__).resolve().parent
GAMMA = 1.760859e11  # rad s^-1 T^-1 (electron gyromagnetic ratio)
ALPHA = 0.3           # Gilbert damping (large: fast quasi-static relaxation)
SIGMA = np.array([0.0, 1.0, 0.0])
NPER = 64             # samples per current period for the demodulation
I_RMS_MA = 1.5        # source current, rms (mA)
GAIN_2W = 10.0        # preamplifier on the 2w channel
NOISE_UV = 0.003      # rms noise of each lock-in output at the lock-in input (uV)

SAMPLES = {
    "inplane": dict(mu0_hk=-0.8, mu0_h_ip=0.002, ip_axis=20.0, r_ahe=0.8, r_phe=0.15,
                    mu0_h_dl=4e-4, mu0_h_fl=2e-4, r_ane=4e-4, r_one=0.0, r_ohe=0.0,
                    offset_1w=0.02, offset_2w=3e-5, phi0=3.0, theta0=0.0, tilt_x=0.7, tilt_y=-0.5),
    "pma": dict(mu0_hk=0.6, mu0_h_ip=0.0, ip_axis=0.0, r_ahe=1.2, r_phe=0.15,
                mu0_h_dl=2e-3, mu0_h_fl=1e-3, r_ane=2e-4, r_one=0.0, r_ohe=0.0,
                offset_1w=0.01, offset_2w=2e-5, phi0=2.0, theta0=0.0, tilt_x=0.5, tilt_y=-0.8),
}


def _rot(tx, ty):
    a, b = np.radians(tx), np.radians(ty)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    return rx @ ry


def fields(p, magnitude, theta_deg, phi_deg):
    """Lab field vectors for nominal readings, with the planted reading offset and tilt."""
    mag, th, ph = np.broadcast_arrays(np.asarray(magnitude, float), np.radians(theta_deg - p["theta0"]),
                                      np.radians(phi_deg - p["phi0"]))
    v = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1) * mag[..., None]
    return v.reshape(-1, 3) @ _rot(p["tilt_x"], p["tilt_y"]).T


def llg_rhs(p, b, i_of_t):
    u = np.array([np.cos(np.radians(p["ip_axis"])), np.sin(np.radians(p["ip_axis"])), 0.0])

    def rhs(t, y):
        m = y.reshape(-1, 3)
        m = m / np.linalg.norm(m, axis=1, keepdims=True)
        j = i_of_t(t)
        h = b.copy()
        h[:, 2] += p["mu0_hk"] * m[:, 2]
        h += p["mu0_h_ip"] * (m @ u)[:, None] * u
        h += j * (p["mu0_h_dl"] * np.cross(m, SIGMA) + p["mu0_h_fl"] * SIGMA)
        mxh = np.cross(m, h)
        dm = -GAMMA / (1 + ALPHA ** 2) * (mxh + ALPHA * np.cross(m, mxh))
        return dm.ravel()

    return rhs


def relaxation_time(s1, s2):
    """Slowest relaxation time (s) of the linearised LLG for restoring fields s1, s2 (T)."""
    disc = ALPHA ** 2 * (s1 - s2) ** 2 / 4 - s1 * s2
    rate = ALPHA * (s1 + s2) / 2 - (np.sqrt(disc) if disc > 0 else 0.0)
    return (1 + ALPHA ** 2) / (GAMMA * rate)


def simulate(p, b, m_start, rng, s1, s2):
    """Lock-in outputs (uV rms, as recorded) for field vectors b (N, 3).

    ``s1``, ``s2`` (T) bound the restoring fields of the scan from below; they set the slowest
    relaxation time tau and the current period (1200 tau: the magnetisation follows the current
    adiabatically, in-phase error of order (2 pi / 1200)^2 = 3e-5).
    """
    tau = relaxation_time(s1, s2)
    period = 1200 * tau                      # current slow compared with relaxation
    w = 2 * np.pi / period
    # relax without current
    relax = solve_ivp(llg_rhs(p, b, lambda t: 0.0), (0, 30 * tau), m_start.ravel(), rtol=1e-9, atol=1e-11)
    m0 = relax.y[:, -1]
    t_eval = period * (1 + np.arange(NPER) / NPER)
    sol = solve_ivp(llg_rhs(p, b, lambda t: np.sin(w * t)), (0, 2 * period), m0, t_eval=t_eval,
                    rtol=1e-9, atol=1e-11)
    m = sol.y.reshape(len(b), 3, NPER)
    m = m / np.linalg.norm(m, axis=1, keepdims=True)
    i0 = I_RMS_MA * np.sqrt(2) * 1e-3  # A, peak
    cur = i0 * np.sin(w * t_eval)
    rxy = p["r_ahe"] * m[:, 2] + 2 * p["r_phe"] * m[:, 0] * m[:, 1] + p["r_ohe"] * b[:, 2:3] + p["offset_1w"]
    # thermal voltages ~ I^2 (anomalous Nernst ~ m_x, ordinary Nernst ~ B_x) and a constant 2w offset;
    # scaled so that their 2w cos-component is -(r_ane m_x + r_one B_x - offset_2w) I0
    therm = -(2 / i0) * (p["r_ane"] * m[:, 0] + p["r_one"] * b[:, 0:1] - p["offset_2w"]) * cur ** 2
    v = rxy * cur + therm  # V
    ph = w * t_eval
    x1 = 2 * np.mean(v * np.sin(ph), axis=1)
    y1 = 2 * np.mean(v * np.cos(ph), axis=1)
    x2 = 2 * np.mean(v * -np.cos(2 * ph), axis=1)     # 2w reference phase at -90 deg
    y2 = 2 * np.mean(v * np.sin(2 * ph), axis=1)
    uv = 1e6 / np.sqrt(2)  # V peak -> uV rms
    out = {"X1 (uV)": x1 * uv, "Y1 (uV)": y1 * uv, "X2 (uV)": x2 * uv * GAIN_2W, "Y2 (uV)": y2 * uv * GAIN_2W}
    for k in out:
        out[k] = out[k] + rng.normal(0, NOISE_UV * (GAIN_2W if "2" in k else 1.0), len(b))
    return out


def write(path, cols):
    import csv

    keys = list(cols)
    with open(path, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(keys)
        for row in zip(*(cols[k] for k in keys)):
            wr.writerow([f"{v:.9g}" for v in row])


TILT_THETA_H = 70.0   # polar angle of the tilted field sweeps (deg from the film normal)


def tilted():
    """Field sweeps of the perpendicular film with the field tilted 20 deg out of the plane
    (theta_h = 70 deg), along x and y, both m_z states: folder ``pma_tilted/``. Own random
    seed, so the other files do not change when only these are made."""
    rng = np.random.default_rng(20260323)
    p = SAMPLES["pma"]
    out = HERE / "pma_tilted"
    out.mkdir(exist_ok=True)
    hsweep = np.linspace(-0.06, 0.06, 49)
    for phi_h, name in ((0.0, "x"), (90.0, "y")):
        for s, sname in ((1, "up"), (-1, "down")):
            b = fields(p, hsweep, TILT_THETA_H, phi_h)
            start = np.tile([0.0, 0.0, float(s)], (len(b), 1))
            d = simulate(p, b, start, rng, p["mu0_hk"] - 0.06, p["mu0_hk"] - 0.06)
            write(out / f"sweep_{name}_{sname}.csv",
                  {"field (mT)": hsweep * 1e3, "phi_h (deg)": np.full(hsweep.size, phi_h),
                   "theta_h (deg)": np.full(hsweep.size, TILT_THETA_H), "mz_state": np.full(hsweep.size, s), **d})


def main():
    rng = np.random.default_rng(20260322)
    # in-plane (easy-plane) film: in-plane rotations at seven fields
    p = SAMPLES["inplane"]
    out = HERE / "inplane"
    out.mkdir(exist_ok=True)
    phi = np.arange(0.0, 360.0, 2.0)
    for bmt in (5, 10, 20, 50, 100, 200, 400):
        b = fields(p, bmt * 1e-3, 90.0, phi)
        d = simulate(p, b, b / np.linalg.norm(b, axis=1, keepdims=True), rng, bmt * 1e-3 - p["mu0_hk"], bmt * 1e-3 - p["mu0_h_ip"])
        write(out / f"phi_{bmt:03d}mT.csv", {"phi (deg)": phi, "field (mT)": np.full(phi.size, bmt), **d})
    # perpendicular film: xz rotations at five fields and field sweeps along x and y, both m_z states
    p = SAMPLES["pma"]
    out = HERE / "pma"
    out.mkdir(exist_ok=True)
    theta = np.arange(-180.0, 180.0, 2.0)
    for bt in (1.0, 1.5, 2.0, 2.5, 3.0):
        b = fields(p, bt, theta, 0.0)
        d = simulate(p, b, b / np.linalg.norm(b, axis=1, keepdims=True), rng, bt - p["mu0_hk"], bt - p["mu0_hk"])
        write(out / f"theta_{bt:.1f}T.csv", {"theta (deg)": theta, "field (T)": np.full(theta.size, bt), **d})
    hsweep = np.linspace(-0.06, 0.06, 49)
    for phi_h, name in ((0.0, "x"), (90.0, "y")):
        for s, sname in ((1, "up"), (-1, "down")):
            b = fields(p, hsweep, 90.0, phi_h)
            start = np.tile([0.0, 0.0, float(s)], (len(b), 1))
            d = simulate(p, b, start, rng, p["mu0_hk"] - 0.06, p["mu0_hk"] - 0.06)
            write(out / f"sweep_{name}_{sname}.csv",
                  {"field (mT)": hsweep * 1e3, "phi_h (deg)": np.full(hsweep.size, phi_h),
                   "theta_h (deg)": np.full(hsweep.size, 90.0), "mz_state": np.full(hsweep.size, s), **d})
    tilted()
    truth = {"conventions": {"current_rms_mA": I_RMS_MA, "current_is": "rms", "lockin_output": "rms",
                             "r1w_channel": "X", "r2w_channel": "X", "gain_2w": GAIN_2W,
                             "noise_uV_rms_at_lockin_input": NOISE_UV},
             "llg": {"alpha": ALPHA, "gamma_rad_per_s_per_T": GAMMA, "samples_per_period": NPER},
             "samples": SAMPLES}
    (HERE / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Regenerate the harmonic Hall example set beside this "
                                 "script (about fifteen minutes; rewrites its files).")
    ap.add_argument("--only-tilted", action="store_true",
                    help="make only pma_tilted/ (own random seed; about a minute)")
    tilted() if ap.parse_args().only_tilted else main()
