"""Synthetic ST-FMR spectra with planted parameters for the ST-FMR pipeline tests."""

import importlib.util
import json
from pathlib import Path

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


# --------------------------------------------------------------------------------------------
# A long table (one file, a frequency column) made with the example set's linear-response
# lineshape: data/stfmr_example/generate.py, planted values in data/stfmr_example/truth.json.

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"

#: The issue's file: seven frequencies, one polarity, swept up from 40 Oe to 2000 Oe.
LONG_FREQUENCIES = (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)


def example_generator():
    """``data/stfmr_example/generate.py`` as a module (its numpy/scipy helpers; no cmtj)."""
    spec = importlib.util.spec_from_file_location("stfmr_example_generate",
                                                  EXAMPLE / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def example_truth() -> dict:
    """Planted values of the example sample (``truth.json``: ``{"value", "unit"}`` per name)."""
    return json.loads((EXAMPLE / "truth.json").read_text(encoding="utf-8"))


def write_long_table(path, *, frequencies=LONG_FREQUENCIES, h_oe=(40.0, 2000.0), n=400,
                     noise=0.02, seed=1, scale=1.0):
    """Write ``frequency_GHz,field_Oe,vmix_uV`` rows of the example sample, one block per frequency.

    The lineshape is the example generator's linearised macrospin with the Cauchy
    inhomogeneous broadening (``linear_vmix(..., homogeneous=False)``), at the planted
    values of ``truth.json``, field along +H only, swept up from ``h_oe[0]`` to
    ``h_oe[1]`` (Oe); white noise of ``noise`` (uV), a constant offset (uniform in
    +-0.3 uV) and a drift linear in acquisition time (uniform in +-0.15 uV) per block.
    ``scale`` multiplies the signal (not the noise). Returns the path.
    """
    gen = example_generator()
    rng = np.random.default_rng(seed)
    h = np.linspace(h_oe[0], h_oe[1], n)
    rows = ["frequency_GHz,field_Oe,vmix_uV"]
    for f in frequencies:
        v = scale * gen.linear_vmix(h * 1e-4, f, homogeneous=False)
        v = (v + rng.normal(0.0, noise, n) + rng.uniform(-0.3, 0.3)
             + rng.uniform(-0.15, 0.15) * np.linspace(0.0, 1.0, n))
        rows += [f"{f:g},{a:.3f},{b:.6f}" for a, b in zip(h, v)]
    Path(path).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return Path(path)


def write_positive_branch_files(folder, freqs=(6, 9, 12), n=121) -> list[str]:
    """Files ``<f>GHz.csv`` holding the +H branch of :func:`spectrum` at each frequency."""
    paths = []
    for i, f in enumerate(freqs):
        d = spectrum(float(f), seed=i, n=n)
        d = d.where(d.x > 0)
        p = Path(folder) / f"{f}GHz.csv"
        p.write_text("field (T),vmix (uV)\n"
                     + "".join(f"{x:.8g},{y:.8g}\n" for x, y in zip(d.x, d.y)))
        paths.append(str(p))
    return paths
