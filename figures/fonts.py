"""Fonts for the figure language: a CJK font for Chinese, or English with a warning.

``language(lang)`` returns the language the figures can really be drawn in: ``"zh"`` only when a
CJK font (e.g. Debian's ``fonts-noto-cjk``) is installed, otherwise ``"en"`` with a warning, so
Chinese labels never show as boxes. ``rc(lang)`` gives the matplotlib settings for it.
"""

from __future__ import annotations

import warnings
from functools import cache

from matplotlib import font_manager

# preferred first; any font whose name has "CJK" (or these families) renders Simplified Chinese
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
                "PingFang SC", "Noto Sans CJK JP", "Noto Sans CJK TC")
CJK_FILE_WORDS = ("cjk", "wqy", "sourcehan", "simhei", "yahei", "pingfang", "notosanssc")


def _find() -> str | None:
    names = {font.name for font in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    others = sorted(name for name in names if "CJK" in name and "Mono" not in name)
    return others[0] if others else None


@cache
def cjk_font() -> str | None:
    """Family name of an installed CJK font, or None (fonts installed after matplotlib's font
    cache was built are added from the system font folders)."""
    found = _find()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(word in path.lower() for word in CJK_FILE_WORDS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = _find()
    return found


def language(lang: str) -> str:
    """``lang`` if the figures can be drawn in it, else ``"en"`` (with a warning)."""
    if lang not in ("en", "zh"):
        raise ValueError(f"unknown language {lang!r}; expected 'en' or 'zh'")
    if lang == "zh" and cjk_font() is None:
        warnings.warn("no CJK font found (install fonts-noto-cjk); figures are drawn in English",
                      stacklevel=2)
        return "en"
    return lang


def rc(lang: str) -> dict:
    """matplotlib rc settings for ``lang`` (a CJK font first for Chinese)."""
    settings = {"axes.unicode_minus": False, "font.size": 9}
    font = cjk_font() if lang == "zh" else None
    if font:
        settings["font.family"] = "sans-serif"
        settings["font.sans-serif"] = [font, "DejaVu Sans"]
    return settings
