#!/usr/bin/env python
"""Entry point of the pictures: static figures and the browser app.

  python visualize.py results/baseline    every figure that fits the folder (= run.py plot)
  solara run visualize.py                 the browser app (see README)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Static figures of a results folder; returns the exit status."""
    import run

    return run.main(["plot", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
