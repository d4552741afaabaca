#!/usr/bin/env python
"""Entry point of the pictures: static figures and the browser app.

  python visualize.py results/baseline    every figure that fits the folder (= run.py plot)
  solara run visualize.py                 the browser app (docs/APP.md), on 127.0.0.1:8765

Solara executes this file as ``__main__`` and serves its ``Page``; the app (and Solara) is
imported only then, or when ``visualize.Page`` is asked for, never for the static figures.
"""

from __future__ import annotations

import sys
from typing import Any


def main(argv: list[str] | None = None) -> int:
    """Static figures of a results folder; returns the exit status."""
    import run
    from figures import commands

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    return run.guarded(lambda: commands.main("plot", args, prog="visualize.py"), debug=debug)


def _served_by_solara() -> bool:
    """True when ``solara run`` executes this file (its server is loaded)."""
    return "solara.server.app" in sys.modules


def __getattr__(name: str) -> Any:  # ``visualize.Page`` without importing Solara up front
    if name == "Page":
        from app.page import Page

        return Page
    raise AttributeError(name)


if _served_by_solara():
    from app.page import Page  # noqa: F401  (the component Solara serves)
elif __name__ == "__main__":
    sys.exit(main())
