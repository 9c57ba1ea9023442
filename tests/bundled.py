"""The bundled example sets and the harmonic Hall options their README command uses, shared by
the tests that write those sets in other forms."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The 10 GHz ST-FMR example spectrum.
SPECTRUM = ROOT / "data" / "stfmr_example" / "py_pt_10GHz.csv"
#: The in-plane rotations of the harmonic Hall example, by field.
ROTATIONS = sorted((ROOT / "data" / "hall_example" / "inplane").glob("phi_*.csv"))


def avci_options(gain_2w: str = "10") -> list[str]:
    """``sotfit hall`` options of method (a) for the example rotations (the README command),
    with the second harmonic's preamplifier gain ``gain_2w``."""
    return ["--method", "avci", "--current", "1.5mA", "--current-is", "rms", "--lockin-output",
            "rms", "--r2w-channel", "X", "--gain-2w", gain_2w, "--meff", "0.8T", "--r-ahe",
            "0.8Ohm", "--no-figures"]
