"""Synthetic ST-FMR spectra with planted parameters for the ST-FMR pipeline tests."""

import numpy as np

import sotfit as sf
from sotfit.models.lineshapes import mixing_voltage
from sotfit.models.magnetization import linewidth_hwhm, resonance_field_inplane

TRUTH = dict(meff=0.9, gyromagnetic_ratio=29.0, alpha=0.012, linewidth_inhomogeneous=0.0008)


def spectrum(f, *, vs=2.0, va=1.5, vs_even=0.0, va_even=0.0, remanent=0.0, noise=0.02,
             h_max=None, n=301, background=(0.3, -4.0), seed=0, source=None, truth=TRUTH,
             low_field_step=0.0):
    """A two-polarity spectrum with signed field, V_mix in uV.

    Conventional torques make the signal odd under H -> -H (vs, va referred to +H); the
    ``*_even`` parts do not reverse. A remanent field ``b`` adds to the applied field.
    """
    rng = np.random.default_rng(seed)
    hr = resonance_field_inplane(f, truth["meff"], truth["gyromagnetic_ratio"])
    w = linewidth_hwhm(f, truth["alpha"], truth["linewidth_inhomogeneous"],
                       truth["gyromagnetic_ratio"])
    h_max = h_max or hr + 12 * w
    h = np.linspace(h_max, -h_max, n)  # swept from + to -
    actual = h + remanent
    p = np.sign(actual)
    a = np.abs(actual)
    v = (p * mixing_voltage(a, hr, w, vs, va) + mixing_voltage(a, hr, w, vs_even, va_even)
         + background[0] + background[1] * h + low_field_step * np.tanh(h / 0.002))
    v = v + rng.normal(0, noise, n)
    return sf.Dataset(h, v, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                      meta={"frequency": f, "source": source or f"synthetic_{f:g}GHz.csv"})
