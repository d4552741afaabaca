"""Registry of intervention types, keyed by the ``type`` field of ``[[interventions]]`` tables."""

from __future__ import annotations

from typing import Any

from model.errors import ScenarioError
from scenarios.validate import build

REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: make an ``Intervention`` subclass available under its ``type``."""
    REGISTRY[cls.type] = cls
    return cls


def intervention_from_dict(item: Any, file: str, path: str) -> Any:
    """One validated intervention object from its table."""
    from scenarios import interventions  # noqa: F401  (registers the built-in types)
    from scenarios.validate import suggest

    if not isinstance(item, dict):
        raise ScenarioError(file, path, "expected a table with a 'type' key")
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in REGISTRY:
        valid = sorted(REGISTRY)
        hint = suggest(kind, valid, 0.4) if isinstance(kind, str) else ""
        raise ScenarioError(file, f"{path}.type", f"unknown intervention type {kind!r}{hint} "
                            f"(valid types: {', '.join(valid)})")
    cls = REGISTRY[kind]
    fields = {k: v for k, v in item.items() if k != "type"}
    if cls.persistent and "end" in fields:
        raise ScenarioError(file, f"{path}.end", f"{kind} builds something that persists; "
                            "it takes no 'end' (use 'ramp' for the construction period)")
    return build(cls, fields, file, path + ".")


def validate_interventions(items: Any, file: str, path: str = "interventions") -> list:
    """Check the ``interventions`` array: each entry a table with a registered ``type``."""
    if not isinstance(items, list):
        raise ScenarioError(file, path, "expected an array of tables ([[interventions]])")
    return [intervention_from_dict(item, file, f"{path}[{k}]") for k, item in enumerate(items)]
