"""Generate the ST-FMR example set with the cmtj macrospin simulator.

This script is not part of the sotfit package. It needs ``cmtj`` (GPL, the
``dev`` extra of pyproject.toml) and writes, next to itself:

* ``py_pt_<f>GHz.csv`` -- one mixing-voltage spectrum V_mix(H) per frequency,
  both field polarities in one file (negative sweep first), with unit-named
  headers ``Field (mT)``, ``Vmix (uV)`` and a ``# frequency_GHz: <f>`` comment;
* ``truth.json`` -- every planted quantity with its unit, and the expected
  (linear-response) resonance fields, widths and amplitudes V_s, V_a.

Physics (see README.md in this folder for the derivation):

* one macrospin per field value, integrated by cmtj (RK4) with the planted
  g factor (cmtj's gyromagnetic ratio is set to g mu_B mu0 / hbar), damping,
  mu0*Ms, a perpendicular uniaxial anisotropy giving mu0*Meff, the field in the
  plane at phi_H = 45 deg (225 deg on the negative branch);
* an rf current I(t) = I_rf sin(2 pi f t) (I_rf the peak amplitude) that drives
  a damping-like field mu0 H_DL0 (m x y), a field-like field mu0 H_FL0 y and the
  Oersted field of the current in the heavy metal below the ferromagnet,
  mu0 H_Oe = -mu0 J_N t_N / 2 y, all in phase with I(t);
* the anisotropic magnetoresistance R(t) = R0 + Delta_R m_x(t)^2 and
  V_mix = <I(t) R(t)> averaged over whole periods after the transient has
  decayed (cmtj logs the magnetisation one integration step after the time
  stamp it writes; the time axis is shifted by that step here);
* inhomogeneous broadening: the film is an ensemble of independent grains
  whose local field along the field axis is H + delta, with delta Cauchy
  distributed (half width W0); a grain whose local field is negative sits on
  the other branch. The ensemble average is computed on the uniform field grid
  with the trapezoid rule (spectrally accurate for these analytic integrands),
  truncated at |delta| <= D = MARGIN * W (README.md: size of what is left out);
* white noise, a constant offset and a slow linear drift in acquisition time,
  and a small remanent field of the magnet (measured field = true field minus
  ``field_offset``).

Run ``python data/stfmr_example/generate.py --overwrite`` to regenerate
(about 3 minutes on one core).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import constants as C

HERE = Path(__file__).resolve().parent
MU0 = C.mu_0
MU_B = C.physical_constants["Bohr magneton"][0]

#: Every planted quantity, in the units named in the key.
PLANTED = {
    "mu0_ms_T": 0.95,                 # saturation magnetisation mu0*Ms
    "mu0_meff_T": 0.85,               # effective magnetisation mu0*Meff = mu0*Ms - mu0*H_k,perp
    "g": 2.10,                        # spectroscopic g factor
    "alpha": 0.012,                   # Gilbert damping
    "w0_mT": 1.2,                     # inhomogeneous broadening, HWHM
    "phi_h_deg": 45.0,                # in-plane angle between field and current
    "t_fm_nm": 6.0,                   # ferromagnet (Py) thickness
    "t_nm_nm": 6.0,                   # heavy metal (Pt) thickness
    "width_um": 10.0,                 # strip width
    "rho_fm_uohmcm": 40.0,            # Py resistivity
    "rho_nm_uohmcm": 20.0,            # Pt resistivity
    "i_rf_mA": 1.0,                   # rf current through the bilayer, PEAK amplitude
    "r0_ohm": 100.0,                  # device resistance
    "delta_r_ohm": 0.5,               # AMR: R = R0 + Delta_R cos^2(angle between m and current)
    "xi_dl": 0.07,                    # damping-like efficiency (project sign, docs/CONVENTIONS.md)
    "xi_fl": 0.015,                   # field-like efficiency (project sign): H_FL0 along +y, opposing the Oersted field
    "field_offset_mT": 0.08,          # remanent field: measured field = true field - this
    "noise_uV": 0.01,                 # white noise (standard deviation) of V_mix
    "frequencies_GHz": [8.0, 10.0, 12.0, 14.0, 16.0, 18.0],
    "seed": 20261122,
}

N_POINTS = 360            # points per polarity
SPAN_BELOW = 10.0         # sweep starts SPAN_BELOW * W below resonance
SPAN_ABOVE = 14.0         # and ends SPAN_ABOVE * W above it
MARGIN = 25.0             # Cauchy average truncated at |delta| <= MARGIN * W
STEPS_PER_NS = 2000       # integration step about 0.5 ps (an integer number of steps per period)
WINDOW_PERIODS = 4        # periods averaged after the transient
TRANSIENT_DECAYS = 14.0   # transient run = this many 1/e decay times of the slowest precession
CHUNK = 120               # macrospins (one per field) integrated together in one cmtj Junction


# --------------------------------------------------------------------------- derived quantities

def derived(p: dict = PLANTED) -> dict:
    """Quantities that follow from the planted ones (SI and house units)."""
    gamma = p["g"] * MU_B / C.hbar                       # rad s^-1 T^-1
    gamma_2pi_GHz_T = gamma / (2 * math.pi) / 1e9
    t_f, t_n, w = p["t_fm_nm"] * 1e-9, p["t_nm_nm"] * 1e-9, p["width_um"] * 1e-6
    rho_f, rho_n = p["rho_fm_uohmcm"] * 1e-8, p["rho_nm_uohmcm"] * 1e-8
    g_n, g_f = t_n / rho_n, t_f / rho_f
    frac_n = g_n / (g_n + g_f)                           # current fraction in the heavy metal
    i_rf = p["i_rf_mA"] * 1e-3
    j_n = frac_n * i_rf / (w * t_n)                      # peak current density in the heavy metal, A/m^2
    e_field = rho_n * j_n                                # peak electric field, V/m
    mu0_ms = p["mu0_ms_T"]
    # xi = xi^E rho with xi^E = (2e/hbar) mu0 Ms t_F H / E  (seed 003)  =>  H = xi hbar J / (2 e mu0Ms t_F)
    h_dl = p["xi_dl"] * C.hbar * j_n / (2 * C.e * mu0_ms * t_f)   # A/m
    h_fl = p["xi_fl"] * C.hbar * j_n / (2 * C.e * mu0_ms * t_f)   # A/m
    h_oe_y = -j_n * t_n / 2                              # A/m, heavy metal below the ferromagnet
    return {
        "gamma_rad_per_sT": gamma,
        "gyromagnetic_ratio_GHz_T": gamma_2pi_GHz_T,
        "current_fraction_nm": frac_n,
        "j_nm_A_m2": j_n,
        "e_field_V_m": e_field,
        "mu0_h_dl_T": MU0 * h_dl,
        "mu0_h_fl_T": MU0 * h_fl,
        "mu0_h_oe_y_T": MU0 * h_oe_y,
        "mu0_hk_perp_T": mu0_ms - p["mu0_meff_T"],
    }


def resonance_field(f_GHz, p: dict = PLANTED):
    """In-plane Kittel resonance field (T) of the homogeneous film."""
    d = derived(p)
    r = f_GHz / d["gyromagnetic_ratio_GHz_T"]
    m = p["mu0_meff_T"]
    return -m / 2 + np.sqrt(m * m / 4 + r * r)


def width_total(f_GHz, p: dict = PLANTED):
    """Field HWHM (T): W0 + f alpha / (gamma/2pi)."""
    d = derived(p)
    return p["w0_mT"] * 1e-3 + f_GHz * p["alpha"] / d["gyromagnetic_ratio_GHz_T"]


def expected_amplitudes(f_GHz, polarity: int, p: dict = PLANTED) -> dict:
    """Linear-response V_s, V_a (uV) at frequency f for the planted sample.

    V_s = -(I_rf Delta_R / 2) sin(2 phi) cos(phi) mu0H_DL sqrt(Hr (Hr + Meff)) / (W (2 Hr + Meff))
    V_a = -(I_rf Delta_R / 2) sin(2 phi) cos(phi) mu0(H_FL + H_Oe,y) (Hr + Meff) / (W (2 Hr + Meff))

    with I_rf the peak current and W the total (measured) HWHM; see README.md.
    ``polarity`` +1 puts the field at phi_H, -1 at phi_H + 180 deg.
    """
    d = derived(p)
    phi = math.radians(p["phi_h_deg"]) + (0.0 if polarity > 0 else math.pi)
    hr = resonance_field(f_GHz, p)
    m = p["mu0_meff_T"]
    w = width_total(f_GHz, p)
    pref = -(p["i_rf_mA"] * 1e-3) * p["delta_r_ohm"] / 2 * math.sin(2 * phi) * math.cos(phi)
    vs = pref * d["mu0_h_dl_T"] * math.sqrt(hr * (hr + m)) / (w * (2 * hr + m))
    va = pref * (d["mu0_h_fl_T"] + d["mu0_h_oe_y_T"]) * (hr + m) / (w * (2 * hr + m))
    return {"vs_uV": vs * 1e6, "va_uV": va * 1e6, "h_res_T": float(hr), "width_T": float(w)}


def linear_vmix(h_signed, f_GHz, p: dict = PLANTED, homogeneous: bool = True):
    """Linearised (Smit-Beljers) macrospin mixing voltage in uV, whole line shape.

    V = -(I_rf Delta_R / 2) sin(2 phi) Re[A],  A = (i w' h_z + P h_phi) / (P Q - w'^2)

    with w' = 2 pi f / gamma (T), P = |H| + Meff + i alpha w', Q = |H| + i alpha w',
    h_z = mu0H_DL cos(phi), h_phi = mu0(H_FL + H_Oe,y) cos(phi) (README.md).
    ``homogeneous=False`` adds W0 to the damping width, which is the exact
    Cauchy average over local field shifts of the resonant term.
    """
    d = derived(p)
    h = np.abs(np.asarray(h_signed, float))
    phi = np.where(np.asarray(h_signed) >= 0, 0.0, math.pi) + math.radians(p["phi_h_deg"])
    wp = 2 * math.pi * f_GHz * 1e9 / d["gamma_rad_per_sT"]
    width = p["alpha"] * wp + (0.0 if homogeneous else p["w0_mT"] * 1e-3)
    m = p["mu0_meff_T"]
    P = h + m + 1j * width
    Q = h + 1j * width
    hz = d["mu0_h_dl_T"] * np.cos(phi)
    hphi = (d["mu0_h_fl_T"] + d["mu0_h_oe_y_T"]) * np.cos(phi)
    A = (1j * wp * hz + P * hphi) / (P * Q - wp * wp)
    return -(p["i_rf_mA"] * 1e-3) * p["delta_r_ohm"] / 2 * np.sin(2 * phi) * A.real * 1e6


# --------------------------------------------------------------------------- cmtj simulation

def _setup_cmtj(p: dict):
    import cmtj

    pc = cmtj.constants.PhysicalConstants
    pc.set_magnetic_permeability(MU0)
    pc.set_gyromagnetic_ratio(p["g"] * MU_B / C.hbar * MU0)   # gamma mu0, m A^-1 s^-1
    return cmtj


def simulate_homogeneous(h_signed, f_GHz, p: dict = PLANTED, steps_per_ns: float = STEPS_PER_NS,
                         window_periods: int = WINDOW_PERIODS,
                         transient_decays: float = TRANSIENT_DECAYS, chunk: int = CHUNK,
                         progress=None, shift_log: bool = True) -> np.ndarray:
    """V_mix (uV) of a homogeneous macrospin at each signed field (T), by cmtj.

    One cmtj Junction integrates ``chunk`` uncoupled macrospins at once (one
    per field value). Each run: a transient of ``transient_decays`` decay
    times of the slowest precession, then ``window_periods`` whole periods
    logged at every step; V = <I(t) R(t)> over the window.
    ``shift_log=False`` reproduces the pitfall of reading cmtj's log entry
    stamped t as m(t) (it is m(t + dt)); only for the check that shows it.
    """
    cmtj = _setup_cmtj(p)
    from cmtj import AxialDriver, CVector, Junction, Layer, NullDriver, ScalarDriver

    d = derived(p)
    h_signed = np.asarray(h_signed, float)
    f = f_GHz * 1e9
    period = 1.0 / f
    n_spp = int(math.ceil(period * steps_per_ns * 1e9))     # steps per period
    dt = period / n_spp
    mu0_ms = p["mu0_ms_T"]
    k_perp = d["mu0_hk_perp_T"] / MU0 * mu0_ms / 2           # J/m^3: cmtj H_anis = 2K (u.m)/Ms[T]
    phi_h = math.radians(p["phi_h_deg"])
    demag = [CVector(0, 0, 0), CVector(0, 0, 0), CVector(0, 0, 1)]
    h_dl, h_fl, h_oe = d["mu0_h_dl_T"] / MU0, d["mu0_h_fl_T"] / MU0, d["mu0_h_oe_y_T"] / MU0
    gamma = d["gamma_rad_per_sT"]
    out = np.empty(h_signed.size)
    for start in range(0, h_signed.size, chunk):
        hs = h_signed[start:start + chunk]
        # slowest amplitude decay rate of the in-plane precession: alpha gamma (H + Meff/2)
        rate = p["alpha"] * gamma * (np.abs(hs).min() + p["mu0_meff_T"] / 2)
        n_tr = int(math.ceil(transient_decays / rate / period))
        layers = []
        for i, h in enumerate(hs):
            s = 1.0 if h >= 0 else -1.0
            m0 = CVector(s * math.cos(phi_h), s * math.sin(phi_h), 0.0)
            layers.append(Layer(f"g{i}", m0, CVector(0, 0, 1), mu0_ms, p["t_fm_nm"] * 1e-9, 1e-12,
                                demag, p["alpha"]))
        j = Junction(layers)
        for i, h in enumerate(hs):
            lid = f"g{i}"
            hx, hy = h / MU0 * math.cos(phi_h), h / MU0 * math.sin(phi_h)
            j.setLayerExternalFieldDriver(lid, AxialDriver(ScalarDriver.getConstantDriver(hx),
                                                           ScalarDriver.getConstantDriver(hy),
                                                           NullDriver()))
            j.setLayerAnisotropyDriver(lid, ScalarDriver.getConstantDriver(k_perp))
            j.setLayerReferenceLayer(lid, CVector(0, 1, 0))
            j.setLayerDampingLikeTorqueDriver(lid, ScalarDriver.getSineDriver(0.0, h_dl, f, 0.0))
            j.setLayerFieldLikeTorqueDriver(lid, ScalarDriver.getSineDriver(0.0, h_fl, f, 0.0))
            j.setLayerOerstedFieldDriver(lid, AxialDriver(NullDriver(),
                                                          ScalarDriver.getSineDriver(0.0, h_oe, f, 0.0),
                                                          NullDriver()))
        # Transient: an integer number of periods, so that the drive phase continues
        # when the next run restarts its clock at t = 0. (+0.5 step against rounding.)
        n_steps = n_tr * n_spp
        j.runSimulation((n_steps + 0.5) * dt, dt, n_steps * dt)
        j.clearLog()
        n_win = window_periods * n_spp
        j.runSimulation((n_win + 0.5) * dt, dt, 1.5 * dt)
        log = j.getLog()
        # cmtj writes the state after the step under the time stamp of its start:
        # entry k holds m((k + 1) dt).
        t = np.asarray(log["time"]) + (dt if shift_log else 0.0)
        if t.size != n_win:
            raise RuntimeError(f"expected {n_win} log entries, got {t.size}")
        current = p["i_rf_mA"] * 1e-3 * np.sin(2 * math.pi * f * t)
        for i in range(hs.size):
            mx = np.asarray(log[f"g{i}_mx"])
            r = p["r0_ohm"] + p["delta_r_ohm"] * mx * mx
            out[start + i] = np.mean(current * r) * 1e6
        if progress:
            progress(min(start + chunk, h_signed.size), h_signed.size)
    return out


# --------------------------------------------------------------------------- inhomogeneous average

def cauchy_average(grid, v_hom, w0, margin, out_index):
    """Average of v_hom(H + delta) over delta ~ Cauchy(0, w0), on a uniform grid.

    Trapezoid rule with the grid step (exponentially accurate when the step is
    well below w0 and the homogeneous width), truncated at |delta| <= margin
    and at the ends of the grid. No renormalisation: the omitted tails carry
    the far off-resonance response only (README.md).

    Parameters
    ----------
    grid : ndarray
        Uniform field grid (T), increasing.
    v_hom : ndarray
        Homogeneous response on the grid.
    w0, margin : float
        Cauchy half width and truncation (T).
    out_index : ndarray of int
        Grid indices at which the average is wanted.
    """
    step = grid[1] - grid[0]
    kmax = int(margin / step)
    k = np.arange(-kmax, kmax + 1)
    weights = (w0 / math.pi) * step / ((k * step) ** 2 + w0 * w0)
    out = np.empty(len(out_index))
    for n, i in enumerate(out_index):
        lo, hi = max(0, i - kmax), min(grid.size - 1, i + kmax)
        out[n] = np.dot(v_hom[lo:hi + 1], weights[lo - i + kmax:hi - i + kmax + 1])
    return out


def sweep_grid(f_GHz, p: dict = PLANTED):
    """Uniform simulation grid (T, positive) and the indices of the output points."""
    hr, w = resonance_field(f_GHz, p), width_total(f_GHz, p)
    lower = hr - SPAN_BELOW * w
    upper = hr + SPAN_ABOVE * w
    step = (upper - lower) / (N_POINTS - 1)
    margin = MARGIN * w
    n = int(margin / step)
    grid = lower + step * np.arange(-n, N_POINTS + n)
    return grid, np.arange(n, n + N_POINTS), margin


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: beside this script)")
    ap.add_argument("--overwrite", action="store_true", help="replace existing files")
    ap.add_argument("--frequencies", type=float, nargs="*", help="subset of frequencies (GHz)")
    args = ap.parse_args(argv)
    p = dict(PLANTED)
    freqs = args.frequencies or p["frequencies_GHz"]
    args.out.mkdir(parents=True, exist_ok=True)
    names = [args.out / f"py_pt_{f:g}GHz.csv" for f in freqs] + [args.out / "truth.json"]
    existing = [str(n) for n in names if n.exists()]
    if existing and not args.overwrite:
        sys.exit(f"refusing to overwrite {existing}; pass --overwrite")
    rng = np.random.default_rng(p["seed"])
    d = derived(p)
    truth_spectra = []
    t0 = time.time()
    for f in freqs:
        grid, idx, margin = sweep_grid(f, p)
        w0 = p["w0_mT"] * 1e-3
        branches = {}
        for pol in (-1, 1):
            vhom = simulate_homogeneous(pol * grid, f, p)
            branches[pol] = cauchy_average(grid, vhom, w0, margin, idx)
        h_true = grid[idx]
        # acquisition order: negative branch from -upper to -lower, then positive from lower to upper
        field_true = np.concatenate([-h_true[::-1], h_true])
        v_clean = np.concatenate([branches[-1][::-1], branches[1]])
        n = field_true.size
        tacq = np.linspace(0.0, 1.0, n)
        offset = rng.uniform(-0.3, 0.3)
        drift = rng.uniform(-0.15, 0.15)
        noise = rng.normal(0.0, p["noise_uV"], n)
        v_meas = v_clean + offset + drift * tacq + noise
        field_meas = field_true - p["field_offset_mT"] * 1e-3
        path = args.out / f"py_pt_{f:g}GHz.csv"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("# ST-FMR mixing voltage of Py(6 nm) on Pt(6 nm), simulated with cmtj (see README.md)\n")
            fh.write(f"# frequency_GHz: {f:g}\n")
            fh.write(f"# field_angle_deg: {p['phi_h_deg']:g}\n")
            fh.write("Field (mT),Vmix (uV)\n")
            for hf, vv in zip(field_meas * 1e3, v_meas):
                fh.write(f"{hf:.5f},{vv:.6f}\n")
        for pol in (1, -1):
            e = expected_amplitudes(f, pol, p)
            truth_spectra.append({
                "frequency_GHz": f, "polarity": pol,
                "h_res_mT": e["h_res_T"] * 1e3, "width_hwhm_mT": e["width_T"] * 1e3,
                "vs_uV": e["vs_uV"], "va_uV": e["va_uV"],
                "offset_uV_at_sweep_start": offset + (0.0 if pol < 0 else drift * tacq[N_POINTS]),
            })
        print(f"{f:g} GHz done ({time.time() - t0:.0f} s)", flush=True)
    truth = build_truth(p, d, truth_spectra)
    with open(args.out / "truth.json", "w", encoding="utf-8") as fh:
        json.dump(truth, fh, indent=2)
        fh.write("\n")


def build_truth(p: dict, d: dict, spectra: list) -> dict:
    """truth.json content: planted and derived quantities, each with its unit."""
    mu0_ms, t_f, t_n = p["mu0_ms_T"], p["t_fm_nm"] * 1e-9, p["t_nm_nm"] * 1e-9
    # Pai et al., PRB 92, 064426 (2015): 1/xi_FMR = (1/xi_DL)(1 + hbar xi_FL / (e mu0Ms t_F t_N)),
    # with xi_FL counted positive along the Oersted field. Here the Oersted field is along -y.
    xi_fl_along_oe = -p["xi_fl"]
    xi_fmr = p["xi_dl"] / (1 + C.hbar * xi_fl_along_oe / (C.e * mu0_ms * t_f * t_n))

    def q(v, unit, doc):
        return {"value": v, "unit": unit, "doc": doc}

    return {
        "description": "Planted parameters of the simulated ST-FMR example set (see README.md)",
        "generator": "generate.py (cmtj macrospin LLG, RK4)",
        "geometry": ("current along +x, film normal +z, Pt below Py; field in plane at phi_H from +x "
                     "(phi_H + 180 deg on the negative branch); sigma = +y"),
        "mu0_ms": q(mu0_ms, "T", "saturation magnetisation mu0*Ms"),
        "mu0_meff": q(p["mu0_meff_T"], "T", "effective magnetisation mu0*Meff"),
        "g": q(p["g"], "", "spectroscopic g factor"),
        "gyromagnetic_ratio": q(d["gyromagnetic_ratio_GHz_T"], "GHz/T", "gamma/2pi = g mu_B / h"),
        "alpha": q(p["alpha"], "", "Gilbert damping"),
        "linewidth_inhomogeneous": q(p["w0_mT"] * 1e-3, "T",
                                     "W0, HWHM of the Cauchy distribution of local field shifts"),
        "field_angle": q(p["phi_h_deg"], "deg", "in-plane angle between field and current"),
        "t_fm": q(p["t_fm_nm"], "nm", "ferromagnet thickness"),
        "t_nm": q(p["t_nm_nm"], "nm", "heavy-metal thickness"),
        "width": q(p["width_um"], "um", "strip width"),
        "resistivity_fm": q(p["rho_fm_uohmcm"], "uOhm cm", "ferromagnet resistivity"),
        "resistivity_nm": q(p["rho_nm_uohmcm"], "uOhm cm", "heavy-metal resistivity"),
        "current_fraction_nm": q(d["current_fraction_nm"], "",
                                 "fraction of the current in the heavy metal (parallel resistors)"),
        "i_rf": q(p["i_rf_mA"], "mA", "rf current through the bilayer, PEAK amplitude (rms = peak/sqrt 2)"),
        "r0": q(p["r0_ohm"], "Ohm", "device resistance"),
        "delta_r": q(p["delta_r_ohm"], "Ohm", "AMR: R = R0 + delta_r cos^2(angle of m from the current)"),
        "j_nm": q(d["j_nm_A_m2"], "A/m^2", "peak current density in the heavy metal"),
        "e_field": q(d["e_field_V_m"], "V/m", "peak electric field"),
        "mu0_h_dl": q(d["mu0_h_dl_T"], "T", "peak damping-like field: mu0 H_DL = mu0_h_dl (m x y)"),
        "mu0_h_fl": q(d["mu0_h_fl_T"], "T", "peak field-like spin-orbit field along +y (Oersted excluded)"),
        "mu0_h_oe": q(d["mu0_h_oe_y_T"], "T", "peak Oersted field along +y: -mu0 J_N t_N / 2"),
        "mu0_h_fl_oe": q(d["mu0_h_fl_T"] + d["mu0_h_oe_y_T"], "T",
                         "peak total field-like field along +y (spin-orbit + Oersted)"),
        "xi_dl": q(p["xi_dl"], "", "damping-like efficiency xi = xi^E rho (project sign: sign of mu0_h_dl)"),
        "xi_fl": q(p["xi_fl"], "", "field-like efficiency (project sign: sign of mu0_h_fl along +y)"),
        "xi_fmr_expected": q(xi_fmr, "", "what the lineshape-ratio method returns (Pai et al. 2015), "
                             "magnitude; differs from xi_dl because of the field-like torque"),
        "field_offset": q(p["field_offset_mT"] * 1e-3, "T", "remanent field: file field = true field - this"),
        "noise": q(p["noise_uV"], "uV", "standard deviation of the white noise"),
        "seed": p["seed"],
        "spectra": spectra,
        "spectra_doc": ("per frequency and polarity (+1: field at phi_H, -1: at phi_H + 180 deg): "
                        "linear-response resonance field |mu0 H_res| (true field; the file's field "
                        "is shifted by -field_offset), total HWHM, and V_s, V_a in uV as they appear "
                        "in V_mix = V_s L_sym(|H|) + V_a L_asym(|H|), L_asym = W(|H|-H_res)/(...)"),
    }


if __name__ == "__main__":
    main()
