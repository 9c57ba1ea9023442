"""Progress bars for long runs (files, maps, MCMC steps, KPM vectors).

:class:`Progress` is the callable ``progress(done, total)`` that every long-running function of
sotfit accepts. On a terminal it draws a bar on stderr with elapsed and remaining time, through
tqdm when it is installed (``pip install sotfit[progress]``) and a plain text bar otherwise;
when stderr is not a terminal (a log file, a batch job, a pipe) it writes nothing.
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["Progress", "terminal_size"]

#: tqdm's layout: label, a bar of 30 characters, count, elapsed<remaining and rate.
BAR_FORMAT = "{desc} [{bar:30}] {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]"

#: Columns and lines assumed for a terminal that does not say its size (0 x 0: the pseudo
#: terminal of a container or a CI job, which reports no size), as terminals open by default.
FALLBACK_SIZE = (80, 24)


def terminal_size(stream=None) -> tuple[int, int]:
    """The columns and lines of the terminal ``stream`` draws on, in characters.

    ``COLUMNS`` and ``LINES`` of the environment come first where they are positive numbers,
    then the size the terminal of ``stream`` (else of standard output) reports; a size of 0,
    or none, is :data:`FALLBACK_SIZE`. A terminal that reported 0 x 0 got no bar at all (tqdm
    sized it to -1 lines and printed an empty line), or one wider than the terminal.

    Parameters
    ----------
    stream : file, optional
        Default ``sys.stderr``.

    Returns
    -------
    tuple of int
        (columns, lines), both at least 1.
    """
    size = [0, 0]
    for i, variable in enumerate(("COLUMNS", "LINES")):
        try:
            size[i] = max(0, int(os.environ.get(variable, "")))
        except ValueError:
            pass
    for s in (stream or sys.stderr, sys.__stdout__):
        if all(size):
            break
        try:
            reported = os.get_terminal_size(s.fileno())
        except (AttributeError, ValueError, OSError):
            continue        # no file descriptor (a StringIO), closed, or not a terminal
        size = [size[0] or reported.columns, size[1] or reported.lines]
    return (size[0] or FALLBACK_SIZE[0], size[1] or FALLBACK_SIZE[1])


class Progress:
    """A progress bar on stderr, silent when stderr is not a terminal.

    Parameters
    ----------
    label : str
        What is counted, shown before the bar.
    stream : file, optional
        Default ``sys.stderr``.
    force : bool
        Draw even when ``stream`` is not a terminal.
    """

    def __init__(self, label: str, stream=None, force: bool = False):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self._bar = None
        # the work starts when the bar is made, not at the first report (the bar is drawn
        # then: its elapsed time, rate and remaining time count from here)
        self._started = time.time()

    def __call__(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` steps are finished (closes the bar at the end)."""
        if not self.enabled or total <= 1:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            self._plain(done, total)
            return
        if self._bar is not None and self._bar.total != total and self._bar.n <= done:
            # a run whose length is learnt as it goes (an MCMC chain run until it is long
            # enough) moves the bar's end: the same bar, not a new one
            self._bar.total = total
        elif self._bar is not None and self._bar.total != total:
            self.close()        # another count from its start: a new bar
        if self._bar is None:
            # the size given, not tqdm's own look: a terminal that reports 0 x 0 got no bar
            columns, lines = terminal_size(self.stream)
            self._bar = tqdm(total=total, desc=self.label, file=self.stream, ascii=" #",
                             bar_format=BAR_FORMAT, dynamic_ncols=False, leave=True,
                             ncols=columns, nrows=lines)
            self._bar.start_t = self._bar.last_print_t = self._started
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        """End the bar (the line stays on the terminal)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _plain(self, done: int, total: int) -> None:
        width = 30
        n = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * n}{'.' * (width - n)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
