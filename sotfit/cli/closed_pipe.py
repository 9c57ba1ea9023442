"""Standard output that a reader may close early (``sotfit stfmr DIR | head``): the run goes
on and its results are written; what it prints after the pipe closed goes nowhere."""

from __future__ import annotations

import io
import os


class ClosedPipeSafe(io.TextIOBase):
    """A text stream writing to ``stream`` until its reader has gone.

    The first :class:`BrokenPipeError` points the stream's file descriptor at the null device
    (so that nothing is lost at exit either, where Python flushes standard output again) and
    every later write is dropped.

    Parameters
    ----------
    stream : io.TextIOBase
        The stream to write to (``sys.stdout``).
    """

    def __init__(self, stream):
        super().__init__()
        self._stream = stream
        self.pipe_closed = False

    def _closed_pipe(self) -> None:
        self.pipe_closed = True
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass      # a stream without a file descriptor (a test's capture) has none to close

    def write(self, text: str) -> int:
        if not self.pipe_closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._closed_pipe()
        return len(text)

    def flush(self) -> None:
        if not self.pipe_closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._closed_pipe()

    def isatty(self) -> bool:
        return not self.pipe_closed and self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self):
        return getattr(self._stream, "encoding", "utf-8")

    def writable(self) -> bool:
        return True

    def __getattr__(self, name):
        """Anything else (``buffer``, ``line_buffering``) is the wrapped stream's."""
        return getattr(self._stream, name)
