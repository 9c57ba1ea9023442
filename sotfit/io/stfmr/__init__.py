"""Reader for ST-FMR instrument output: text files -> :class:`~sotfit.data.Sweep`.

One :class:`~sotfit.data.Dataset` is returned per (file, frequency, rf power,
sweep segment), or per column pair of a side-by-side file, holding the whole
field sweep with its sign: ``x`` is mu0*H in T (house unit, sorted ascending),
``y`` is V_mix in uV, ``x_name='field'``, ``y_name='vmix'``. The formats, the
rules by which units, frequency, power and repeat index are found, and the
checks on the sweep are documented in ``docs/io.md``; in short:

* **Units** come from the column header (``Field (Oe)``, ``field_mT``,
  ``Voltage (V)``, ``vmix_uV``) or from the ``field_unit``/``voltage_unit``
  options; a header unit and an option that disagree is an error. The one
  format rule: a LabVIEW-style ``.lvm`` file with a ``key: value`` preamble
  and exactly two columns without a header row holds field in Oe and V_mix in
  V (the layout of the ST-FMR LabVIEW program of ElPsyKurisu/STFMR). Any other
  column without a unit is an error naming the file, the column and the
  option that gives it: no unit is guessed from the size of the numbers.
* **Frequency** (GHz) from, in order: a frequency column (long format, one
  file holding every frequency), the label of a side-by-side column pair
  (``2pf_10.0_GHz``), a header entry (``Frequency(GHz):9.0``,
  ``# RF frequency = 4.000 GHz ; lock-in detection``), the file name
  (``9GHz.lvm``, ``stfmr_9.00GHz_10.00dBm_0.00mA.dat``, ``f9GHz``,
  ``f_10.0_GHz``), or the ``frequency`` option. **Power** (dBm) likewise,
  optional; a power column in another unit (``Power(mV)``) is not recorded.
* **Field angle** (in-plane angle phi of the field from the current, deg),
  optional, likewise from a header entry with a unit (``field_angle_deg: 30``,
  ``Angle (deg): 30``, ``phi (deg): 30``), the file name (``phi30deg``,
  ``_30deg_``, ``angle30``) or the ``field_angle`` option; two sources that
  disagree are an error naming the file.
* **Side by side**: a column header row of pairs with one label each
  (LabVIEW/Origin: field and V_mix of each spectrum, columns of unequal
  length) gives one spectrum per pair.
* **Lock-in channels**: ``lockin_channels=('X', 'Y')`` reads V_mix as
  X cos(phi) + Y sin(phi), with phi the principal axis of the (X, Y) cloud of
  the file (recorded in meta ``lockin_phase``).
* **Repeat**: a trailing ``_N`` in the file name (``9GHz_1.lvm`` -> 1), else 0.
* **Sweep checks**: the field may jump between the two polarity branches
  (``-0.14 -> 0`` then ``+0.14 -> 0``), but within one branch it must move
  one way. A step back by no more than :data:`JITTER_SIGMAS` times the
  read-back noise of the field, after which the sweep goes on, is jitter of a
  measured field and is sorted. A sweep that reverses beyond that inside a
  branch, or comes back to a branch it has left, is more than one sweep: an
  error, or with ``split_sweeps=True`` one Dataset per monotonic segment
  (meta ``segment``). Exactly repeated field values inside one branch are an
  error, or with ``allow_duplicates=True`` averaged (meta
  ``averaged_duplicates``).

Every error names the file and the option that would fix it, spelled for
Python (``split_sweeps=True``) or, with ``option_style='cli'``, for
``sotfit stfmr`` (``--split-sweeps``). Input files are only ever opened for
reading.

The reader is a package of one module per step: ``files`` (folders expanded), ``options``
(their spelling in messages), ``names`` (quantities in file names), ``headers`` (file-level
metadata), ``columns`` (columns and units), ``layouts`` (side-by-side pairs, long tables,
lock-in channels), ``lockin_sense`` (one sense of the lock-in axis for the spectra read
together), ``sweeps`` (reversals, jitter, segments) and ``reader``
(:func:`read_stfmr`).
"""

from __future__ import annotations

from .columns import FIELD_UNITS, VOLTAGE_UNITS
from .files import SUFFIXES, _expand
from .layouts import lockin_phase
from .names import angle_from_name, frequency_from_name, power_from_name, repeat_from_name
from .options import CLI_OPTIONS
from .reader import read_stfmr
from .sweeps import JITTER_SIGMAS, MIN_POINTS

__all__ = [
    "read_stfmr",
    "FIELD_UNITS",
    "VOLTAGE_UNITS",
    "MIN_POINTS",
    "SUFFIXES",
    "JITTER_SIGMAS",
    "CLI_OPTIONS",
    "frequency_from_name",
    "lockin_phase",
    "power_from_name",
    "angle_from_name",
    "repeat_from_name",
]
