"""Guards for input files and parsed input, checked before anything is read or processed.

Input paths (scenario and data files, from a file, ``--set`` or Python) must name regular files
no larger than a stated limit: a FIFO would hang the run and ``/dev/zero`` would fill memory, so
both are refused after a ``stat``, before any ``open``. Parsed tables must not nest deeper than
``MAX_DEPTH`` (deep nesting would end in a ``RecursionError`` in later processing).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Limits, documented in README.md ("Limits of the input"): generous for real files.
MAX_SCENARIO_BYTES = 1_000_000     # a scenario file; the largest in the library is ~2 kB
MAX_DATA_BYTES = 20_000_000        # a region data file; cities.csv is ~10 kB
MAX_DEPTH = 32                     # nesting of tables and arrays in a scenario
MAX_EXTENDS = 32                   # files in an ``extends`` chain


def check_input_file(path: Path | str, limit: int, fail: Callable[[str], Exception]) -> Path:
    """``path`` if it names a regular file of at most ``limit`` bytes; else raise ``fail(why)``.

    Only ``stat`` is called, so a FIFO, a device or a socket is refused without being opened.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail("file not found") from None
    except NotADirectoryError:
        raise fail("file not found (a part of the path is not a folder)") from None
    except (OSError, ValueError) as exc:
        raise fail(f"cannot be read: {exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail("is a folder, expected a file")
    if not stat.S_ISREG(info.st_mode):
        raise fail("is not a regular file (a pipe, device or socket cannot be read as input)")
    if info.st_size > limit:
        raise fail(f"is {info.st_size:,} bytes, larger than the limit of {limit:,} bytes for "
                   "this kind of file")
    return path


def nesting_depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True if tables/arrays in ``value`` nest deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
