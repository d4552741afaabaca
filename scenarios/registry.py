"""Registry of intervention types, keyed by the ``type`` field of ``[[interventions]]`` tables.

The intervention classes register themselves here; until one is registered, any listed
intervention is rejected with the list of valid types.
"""

from __future__ import annotations

from typing import Any

from model.errors import ScenarioError

REGISTRY: dict[str, type] = {}


def validate_interventions(items: Any, file: str) -> list[dict]:
    """Check the ``interventions`` array: each entry a table with a registered ``type``."""
    if not isinstance(items, list):
        raise ScenarioError(file, "interventions", "expected an array of tables "
                            "([[interventions]])")
    out = []
    for k, item in enumerate(items):
        path = f"interventions[{k}]"
        if not isinstance(item, dict):
            raise ScenarioError(file, path, "expected a table with a 'type' key")
        kind = item.get("type")
        if kind not in REGISTRY:
            valid = ", ".join(sorted(REGISTRY)) or "none are available in this version"
            raise ScenarioError(file, f"{path}.type", f"unknown intervention type {kind!r} "
                                f"(valid types: {valid})")
        out.append(dict(item))
    return out
