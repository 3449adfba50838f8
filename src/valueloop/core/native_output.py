"""Silencing what native libraries print on the process's standard output.

HiGHS (through ``scipy.optimize.milp``) prints a stray debugging line
("HighsMipSolverData::transformNewIntegerFeasibleSolution ...") on the C-level stdout even with
``disp`` off, which corrupts ``--json`` output and clutters reports. Redirecting Python's
``sys.stdout`` does not reach it; the file descriptor has to be swapped.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import sys
from collections.abc import Callable, Iterator

_STDOUT = 1


@functools.cache
def _c_flush() -> Callable[[], None]:
    """``fflush(NULL)`` of the C library, or a no-op where it cannot be loaded."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        flush = libc.fflush
    except (OSError, AttributeError):
        return lambda: None
    return lambda: flush(None)


@contextlib.contextmanager
def native_stdout_discarded() -> Iterator[None]:
    """Send whatever native code writes to file descriptor 1 to the null device meanwhile.

    Python's own output is flushed first and is not redirected afterwards; when descriptor 1 is
    not open, nothing is changed. Not thread-safe with respect to other threads' output: the
    descriptor is process-wide.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(_STDOUT)
    except OSError:
        yield
        return
    _c_flush()()
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, _STDOUT)
        yield
    finally:
        _c_flush()()
        os.dup2(saved, _STDOUT)
        os.close(saved)
        os.close(null)
