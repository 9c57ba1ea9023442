"""Thickness series of torque efficiencies: tables and per-thickness result files.

Two sources give a :class:`ThicknessSeries` (damping-like and/or field-like
efficiency per electric field xi^E versus spin-source thickness, with errors):

* :func:`read_thickness_table` -- a CSV/TSV/whitespace table with units in the
  header, e.g.::

      # sample: Ni81Fe19(6 nm)/Bi0.1Sb0.9(t)
      # resistivity: 350.3 uOhm cm
      thickness (nm), xi_e_dl (1e5 Ohm^-1 m^-1), xi_e_dl_stderr (1e5 Ohm^-1 m^-1), xi_e_fl (...), ...

  Efficiency columns: ``xi_e_dl``/``xi_e_fl`` (per electric field, any
  conductivity unit) or ``xi_dl``/``xi_fl`` (dimensionless xi = xi^E rho,
  converted with the resistivity). Error columns: ``<name>_stderr``,
  ``<name>_err``, ``<name>_error``, ``<name>_sd``, ``d<name>``,
  ``sigma_<name>``, or a word ``d``, ``delta``, ``σ``, ``err`` before the name
  (``d xi_DL^E``). The resistivity comes from the ``resistivity=`` argument,
  else a ``resistivity``/``rho`` column (one value), else a ``# resistivity:``
  header line; it is needed for dimensionless columns and by the model.
  A value missing with its uncertainty (empty, ``NaN``, ``-``, ``--``, ``n/a``)
  leaves that point out of its quantity only; a column of ``0.05478 +/- 0.00456``
  cells gives values and standard errors; a footnote under the table is not
  read (:mod:`.cells`). Each is said in ``meta['reader_notes']``.
* :func:`from_summaries` -- one ``summary.json`` of ``sotfit stfmr`` or
  ``sotfit hall`` per thickness; each efficiency is a
  ``{"value", "stderr", "unit"}`` entry, the thickness is the ``t_nm`` entry of
  the summary's ``sample`` section or given by the caller.

Units are converted here (house units: nm, 1e5 Ohm^-1 m^-1, uOhm cm) and only here.

The package: :mod:`.series` (:class:`ThicknessSeries`, errors, unit conversion),
:mod:`.table` (:func:`read_thickness_table`), :mod:`.cells` (missing values, values with their
uncertainty, footers) and :mod:`.summaries` (:func:`from_summaries`).
"""

from __future__ import annotations

from .series import (XI_E_UNIT, ThicknessError, ThicknessSeries, check_distinct_files,
                     joined_parts)
from .summaries import from_summaries
from .table import COLUMN_ROLES, SAMPLE_NAMES, read_thickness_table, read_thickness_tables

__all__ = ["ThicknessSeries", "ThicknessError", "read_thickness_table", "read_thickness_tables",
           "from_summaries", "check_distinct_files", "joined_parts", "XI_E_UNIT", "COLUMN_ROLES",
           "SAMPLE_NAMES"]
