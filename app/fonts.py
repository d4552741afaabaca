"""The page's fonts: Latin first, then a CJK system font (Debian ``fonts-noto-cjk``) for
Chinese. Map and charts are SVG whose text is text, so the browser draws every label with this
stack; nothing is fetched from the network."""

from __future__ import annotations

import functools
import shutil
import subprocess

CSS_FONT_STACK = ('"Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", "Noto Sans SC", '
                  '"Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", '
                  '"PingFang SC", sans-serif')


@functools.cache
def cjk_font_installed() -> bool | None:
    """Whether the system has a font covering Chinese (None when ``fc-list`` is missing)."""
    if shutil.which("fc-list") is None:
        return None
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                               text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(found.strip())
