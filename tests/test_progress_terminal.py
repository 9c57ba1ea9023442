"""The progress bar on a terminal that does not say its size: the pseudo terminal of a container
or a CI job reports 0 columns and 0 lines, and the bar is drawn at 80 columns instead of not at
all."""

import io
import os
import sys

import pytest

from sotfit.progress import FALLBACK_SIZE, Progress, terminal_size


def _pseudo_terminal(rows: int, columns: int):
    """The two ends of a pseudo terminal of ``rows`` x ``columns``, the near one non-blocking."""
    pty = pytest.importorskip("pty")
    fcntl = pytest.importorskip("fcntl")
    termios = pytest.importorskip("termios")
    import struct

    near, far = pty.openpty()
    fcntl.ioctl(far, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    os.set_blocking(near, False)
    return near, far


def _read(fd: int) -> str:
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, OSError):
            return out.decode()
        if not chunk:
            return out.decode()
        out += chunk


@pytest.mark.parametrize("rows, columns", [(0, 0), (24, 0), (0, 120)])
def test_a_terminal_of_no_size_gets_a_bar(monkeypatch, rows, columns):
    """A terminal of 0 x 0 got an empty line and no bar: tqdm took it for -1 lines."""
    pytest.importorskip("tqdm")
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    near, far = _pseudo_terminal(rows, columns)
    terminal = os.fdopen(far, "w", encoding="utf-8")
    try:
        monkeypatch.setattr(sys, "stderr", terminal)     # the stream tqdm measures itself
        bar = Progress("files")
        assert bar.enabled
        for done in range(1, 4):
            bar(done, 3)
        terminal.flush()
        drawn = _read(near)
    finally:
        terminal.close()
        os.close(near)
    assert "files [" + "#" * 30 + "] 3/3" in drawn, repr(drawn)
    width = columns or FALLBACK_SIZE[0]
    assert max(len(line) for line in drawn.replace("\r\n", "\r").split("\r")) <= width


def test_the_size_falls_back_where_the_terminal_says_zero(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((0, 0)))
    assert terminal_size() == FALLBACK_SIZE == (80, 24)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((132, 0)))
    assert terminal_size() == (132, 24)
    monkeypatch.setenv("COLUMNS", "0")
    monkeypatch.setenv("LINES", "0")
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((0, 50)))
    assert terminal_size() == (80, 50)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "not a number")
    assert terminal_size() == (100, 50)


def test_the_size_is_that_of_the_terminal_drawn_on(monkeypatch):
    """Standard output sent to a file (``sotfit ... > log``) while the bar goes to a terminal:
    its width, not a guess."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    near, far = _pseudo_terminal(30, 70)
    try:
        with os.fdopen(os.dup(far), "w") as terminal:
            assert terminal_size(terminal) == (70, 30)
        assert terminal_size(io.StringIO()) == terminal_size(sys.__stdout__)
    finally:
        os.close(near)
        os.close(far)


def test_a_forced_bar_in_a_file_is_drawn_at_the_fallback_width(monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((0, 0)))
    stream = io.StringIO()
    bar = Progress("files", stream=stream, force=True)
    bar(1, 3)
    assert (bar._bar.ncols, bar._bar.nrows) == FALLBACK_SIZE
    bar.close()


def test_a_total_that_grows_moves_the_end_of_the_same_bar(monkeypatch):
    """An MCMC chain run until it is long enough learns its length as it goes: each new total
    closed the bar and opened another, one line per check of the chain; the bar's end moves
    instead. A count from its start again (a new task of another total) is a new bar."""
    pytest.importorskip("tqdm")
    monkeypatch.setenv("COLUMNS", "100")
    stream = io.StringIO()
    bar = Progress("sampling", stream=stream, force=True)
    bar(2500, 5000)
    bar(5000, 5500)
    bar(5500, 7000)
    assert bar._bar.total == 7000
    bar(6050, 6050)                       # stopped: the bar ends where the chain did
    assert bar._bar is None and stream.getvalue().count("\n") == 1
    assert "6050/6050" in stream.getvalue()
    again = Progress("files", stream=io.StringIO(), force=True)
    again(4, 5)
    again(1, 3)                           # another count: a bar of its own
    assert again._bar.total == 3 and again._bar.n == 1
    again.close()
