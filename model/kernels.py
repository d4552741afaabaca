"""Compiled kernels (numba) for the fixed per-step work that numpy does in many small calls.

Each kernel has a plain numpy counterpart that defines what it computes and against which it is
tested (``tests/test_kernels.py``): ``region_metric_vector`` ↔ the functions of
``model/metrics/``; ``firm_logit_draws`` ↔ ``agents.firm.FirmTerms.utilities`` +
``agents.choice.logit_choice``; ``draw_rows`` ↔ ``agents.choice.draw_from_cumulative``. They
exist for speed only (docs/PERFORMANCE.md): the step of a 20,000-agent model is dominated by
call overheads on 34-node arrays, not by arithmetic. Compiled once and cached on disk.

The cache goes where numba puts it (``NUMBA_CACHE_DIR`` if set, else the package's
``__pycache__``, else the user cache folder). When none of those is writable (a read-only
checkout without a writable home) it goes to ``<tempdir>/cyflow-numba-<uid>`` (a folder only
this user can write), and when that fails too the kernels are compiled at every start without
caching, with one warning line; importing never fails for want of a cache folder.
"""

from __future__ import annotations

import logging
import math
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
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


def _kernel(function: Callable) -> Callable:
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


# Order of the values returned by region_metric_vector.
KERNEL_METRICS = (
    "two_core_share", "core_balance", "primacy", "top_share", "gini", "theil",
    "theil_between", "theil_within", "cv", "moran_i", "moran_p", "krugman_cores",
    "depressions", "noncore_flow_share", "flow_centralization", "axis_ratio", "firm_movers",
    "talent_movers", "cross_province_firm_moves", "cross_province_talent_moves",
)


@_kernel
def region_metric_vector(shares, pop, groups, core_a, core_b, firm_flows, talent_flows, border,
                         axis, sector_output, threshold, w_dense, s0, expected_i, se_norm):
    """The region metrics of one state, in the order of ``KERNEL_METRICS``."""
    n = shares.shape[0]
    out = np.empty(len(KERNEL_METRICS))
    a, b = shares[core_a], shares[core_b]
    s2 = a + b
    out[0] = s2
    out[1] = min(a, b) / max(a, b) if max(a, b) > 0 else 1.0
    out[2] = max(a, b) / s2 if s2 > 0 else 0.5
    out[3] = shares.max()
    y = shares / pop
    mean = (pop * y).sum()
    g = 0.0
    for i in range(n):
        for j in range(n):
            g += pop[i] * pop[j] * abs(y[i] - y[j])
    out[4] = 0.5 * g / mean
    total = 0.0
    group_s = np.zeros(2)
    group_p = np.zeros(2)
    for i in range(n):
        if shares[i] > 0:
            total += shares[i] * math.log(shares[i] / pop[i])
        group_s[groups[i]] += shares[i]
        group_p[groups[i]] += pop[i]
    between = 0.0
    for k in range(2):
        if group_s[k] > 0:
            between += group_s[k] * math.log(group_s[k] / group_p[k])
    out[5], out[6], out[7] = total, between, total - between
    var = 0.0
    for i in range(n):
        var += pop[i] * (y[i] - mean) ** 2
    out[8] = math.sqrt(var) / mean
    if y.max() - y.min() <= 1e-12 * max(1.0, np.abs(y).max()):
        out[9], out[10] = 0.0, 1.0
    else:
        z = y - y.mean()
        quad = 0.0
        for i in range(n):
            lag = 0.0
            for j in range(n):
                lag += w_dense[i, j] * z[j]
            quad += z[i] * lag
        moran_i = n / s0 * quad / (z * z).sum()
        out[9] = moran_i
        out[10] = math.erfc(abs((moran_i - expected_i) / se_norm) / math.sqrt(2.0))
    krugman = 0.0
    col_a = sector_output[:, core_a].sum()
    col_b = sector_output[:, core_b].sum()
    for k in range(sector_output.shape[0]):
        krugman += abs(sector_output[k, core_a] / col_a - sector_output[k, core_b] / col_b)
    out[11] = krugman
    count = 0
    for i in range(n):
        if y[i] < threshold:
            count += 1
    out[12] = count
    moves = 0.0
    noncore = 0.0
    firm_moves = 0.0
    talent_moves = 0.0
    cross_firm = 0.0
    cross_talent = 0.0
    strength = np.zeros(n)
    for i in range(n):
        for j in range(n):
            cross_firm += firm_flows[i, j] * border[i, j]
            cross_talent += talent_flows[i, j] * border[i, j]
            if i == j:
                continue
            m = firm_flows[i, j] + talent_flows[i, j]
            moves += m
            firm_moves += firm_flows[i, j]
            talent_moves += talent_flows[i, j]
            if i != core_a and i != core_b and j != core_a and j != core_b:
                noncore += m
            strength[i] += m
            strength[j] += m
    out[13] = noncore / moves if moves > 0 else 0.0
    total_strength = strength.sum()
    out[14] = ((strength.max() - strength).sum() / ((n - 2) * total_strength / 2)
               if total_strength > 0 and n >= 3 else 0.0)
    rest_s = 0.0
    rest_p = 0.0
    axis_s = 0.0
    axis_p = 0.0
    on_axis = False
    for i in range(n):
        if i != core_a and i != core_b:
            rest_s += shares[i]
            rest_p += pop[i]
            if axis[i]:
                on_axis = True
                axis_s += shares[i]
                axis_p += pop[i]
    out[15] = (axis_s / rest_s) / (axis_p / rest_p) if rest_s > 0 and on_axis else 0.0
    out[16], out[17], out[18], out[19] = firm_moves, talent_moves, cross_firm, cross_talent
    return out


@_kernel
def _inverse_cdf(cumulative, u):
    """First index whose (unnormalised) cumulative weight reaches u x the total."""
    n = cumulative.shape[0]
    target = u * cumulative[n - 1]
    chosen = 0
    for j in range(n):
        if cumulative[j] < target:
            chosen += 1
    return min(chosen, n - 1)


@_kernel
def firm_logit_draws(q, d, sector, origin, per_q, common, compute, bonus, pair, u):
    """Logit draws of the deciding firms: U_j = q (1 + bonus_j d) per_q[s, j] + common[s, j]
    - d compute_j - pair[o, j] (``compute`` already times the logit scale); the choice is the
    first j whose cumulative weight exp(U - max U) reaches u x the total."""
    k = q.shape[0]
    n = per_q.shape[1]
    out = np.empty(k, dtype=np.int64)
    weights = np.empty(n)
    for a in range(k):
        s, o = sector[a], origin[a]
        top = -np.inf
        for j in range(n):
            value = (q[a] * (1.0 + bonus[j] * d[a]) * per_q[s, j] + common[s, j]
                     - d[a] * compute[j] - pair[o, j])
            weights[j] = value
            top = max(top, value)
        acc = 0.0
        for j in range(n):
            acc += math.exp(weights[j] - top)
            weights[j] = acc
        out[a] = _inverse_cdf(weights, u[a])
    return out


@_kernel
def draw_rows(cumulative, sector, origin, u):
    """Inverse-CDF draw of each decider from row cumulative[sector, origin] (unnormalised)."""
    k = sector.shape[0]
    out = np.empty(k, dtype=np.int64)
    for a in range(k):
        out[a] = _inverse_cdf(cumulative[sector[a], origin[a]], u[a])
    return out
