"""numba for the compiled kernels: ``kernel`` = ``njit(cache=True)`` with a cache folder that works.

Imported only by the compiled kernels (``model/kernels.py``, ``model/compaction.py``), which a
model loads only when it uses them (``model/backend.py``): a run on the plain numpy kernels
never imports numba.

The cache goes where numba puts it (``NUMBA_CACHE_DIR`` if set, else the package's
``__pycache__``, else the user cache folder). When none of those is writable (a read-only
checkout without a writable home) it goes to ``<tempdir>/cyflow-numba-<uid>`` (a folder only
this user can write), and when that fails too the kernels are compiled at every start without
caching, with one warning line; importing never fails for want of a cache folder.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from numba import njit
from numba.core import config as numba_config

_LOG = logging.getLogger(__name__)
PACKAGE_CACHE = Path(__file__).resolve().parent / "__pycache__"


def _writable(folder: Path) -> bool:
    """numba's own test of a cache folder: it can be created and a file written in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except (OSError, ValueError):
        return False
    return True


def _private(folder: Path) -> bool:
    """A folder in the shared temp is used only if this user owns it and nobody else can
    write it (numba unpickles its cache files)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        info = folder.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _user_cache() -> Path | None:
    """The user-wide folder numba tries after the package folder (None if unknown)."""
    try:
        from numba.misc.appdirs import AppDirs
        return Path(AppDirs("numba", appauthor=False).user_cache_dir)
    except (ImportError, OSError, RuntimeError, KeyError):
        return None


def fallback_cache_dir() -> Path:
    """The cache folder used when numba's own locations are not writable (``OSError`` if the
    system has no usable temporary folder)."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"cyflow-numba-{user}"


def _choose_cache() -> str | None:
    """Give numba a writable cache folder for this module; the reason if there is none."""
    if numba_config.CACHE_DIR:  # the user's choice; numba falls back by itself if unwritable
        return None
    user_cache = _user_cache()
    if _writable(PACKAGE_CACHE) or (user_cache is not None and _writable(user_cache)):
        return None
    try:
        folder = fallback_cache_dir()
        folder.mkdir(mode=0o700, exist_ok=True)
    except (OSError, ValueError) as exc:
        return f"{PACKAGE_CACHE} and {user_cache} are not writable, nor a temp folder: {exc}"
    if not (_private(folder) and _writable(folder)):
        return (f"{PACKAGE_CACHE}, {user_cache} and {folder} are not writable (or {folder} "
                "is not private to this user)")
    # numba reads NUMBA_CACHE_DIR into its config at import and again whenever NUMBA_*
    # variables change: set both so that they agree (worker processes inherit it too)
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    numba_config.CACHE_DIR = str(folder)
    _LOG.debug("numba cache in %s: the package folder and the user cache are not writable",
               folder)
    return None


_UNCACHED: str | None = _choose_cache()
_WARNED = False


def kernel(function: Callable) -> Callable:
    """``njit(cache=True)``, or plain ``njit`` (one warning) when no cache folder works."""
    global _UNCACHED, _WARNED
    if _UNCACHED is None:
        try:
            return njit(cache=True)(function)
        except RuntimeError as exc:  # "cannot cache function ...: no locator available ..."
            _UNCACHED = str(exc)
    if not _WARNED:
        _WARNED = True
        _LOG.warning("cyflow: the numba kernels are compiled without caching (~4 s at every "
                     "start; set NUMBA_CACHE_DIR to a writable folder): %s", _UNCACHED)
    return njit(function)
