"""Readers for harmonic Hall lock-in tables.

One file is one scan (an angle rotation at fixed field, or a field sweep at fixed
direction) with first- and second-harmonic lock-in outputs. Every convention that
changes the numbers is an explicit argument, never a guess:

* ``current`` and ``current_is`` ('peak' or 'rms'): the source current amplitude;
* ``lockin_output`` ('rms' or 'peak'): what the lock-in reports (an SR830 reports rms);
* ``gain_1w``, ``gain_2w``: voltage preamplifier gains (the reading is divided by them);
* ``r2w_channel``: which lock-in channel carries the second harmonic and with which sign,
  one of 'X', '-X', 'Y', '-Y'. The house definition (docs/hall.md) is
  R_2w = -V_2w,cos / I0 for I(t) = I0 sin(wt): with the 2w reference phase at 0 deg the
  signal is in Y and ``r2w_channel='-Y'``; with the 2w phase set to -90 deg (a common
  lock-in setting) it is in X and ``r2w_channel='X'``. ``r1w_channel`` is normally 'X'.
* lock-in data as X/Y or as R/theta (X = R cos(theta), Y = R sin(theta), theta in deg);
* angle and field units from the column header (``'phi (deg)'``, ``'field_mT'``) or from
  ``angle_unit``/``field_unit``; a conflict, or values implausible for the unit, is an error;
* the field from a magnet-current calibration table (:func:`read_magnet_calibration`).

Resistances returned are amplitude ratios R = V_amplitude / I_amplitude in Ohm, with
I_amplitude the peak current I0 to which the torque fields refer.

Modules
-------
scan          :class:`HallScan`, :class:`HallReadError`
calibration   :class:`MagnetCalibration`, :func:`read_magnet_calibration`
values        the CSV and its cells (numeric columns, physical limits, outliers)
dialect       the delimiter, decimal mark and preamble of a text table; the table read with them
options       the reader's options, their spelling in messages, the unit of a column
columns       column roles (:data:`COLUMN_ROLES`) and the names recognised for them
layouts       the blocks of a table and the role of every column
block         one block read into traces (resistances in Ohm, scanned variable in house units)
groups        the scans within a block (rows grouped, sweep geometry, monotonic runs)
loops         hysteresis loops split at their switching jumps, the m_z state of each branch
pairing       first- and second-harmonic files paired; the scans built
reader        :func:`read_hall`, :func:`read_hall_table`
"""

from __future__ import annotations

from .block import _read_block
from .calibration import MagnetCalibration, read_magnet_calibration
from .columns import (_ANGLE_NAMES, _AXIS_NAMES, _AXIS_RE, _CURRENT_NAMES, _FIELD_NAMES, _HARM_RE,
                      _HARMONIC_ROLES, _KIND_OF_PRE, _KIND_WORDS, _LEGACY_KEYS, _MAGNET_NAMES, _STATE_NAMES,
                      COLUMN_ROLES, _compact, _field_axis, _given_columns, _harm_roles, _harmonic_of,
                      _is_angle_col, _is_field_col, _name_of, _role_of, _tokens)
from .groups import _agree, _angle_scan_field, _fmt_key, _group_rows, _monotonic_runs, _sweep_geometry
from .layouts import _assign_roles, _Block, _block_rows, _blocks, _label_key, _scan_kind, _Trace
from .loops import SWITCH_FRACTION, SWITCH_MEDIAN, _split_loops, _state_from_level, _switch
from .options import (_CHANNELS, _STYLE, CLI_OPTIONS, _check_options, _col_opt, _need_conventions, _opt,
                      _unit_of_role, _unit_opt)
from .pairing import _FILE_HARM_RE, _file_key, _pair, _pair_and_build, _pair_key, _scan
from .reader import _read_file, read_hall, read_hall_table
from .scan import HallReadError, HallScan
from .values import (_LIMITS, OUTLIER_SIGMAS, _axis_values, _check_values, _numeric, _read_csv, _rows,
                     _safe_split, _strings, _values)

__all__ = ["HallScan", "MagnetCalibration", "read_magnet_calibration", "read_hall",
           "read_hall_table", "HallReadError", "COLUMN_ROLES", "CLI_OPTIONS"]
