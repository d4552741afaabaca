"""docs/ODD.md stays true: every scenario parameter and every submodule is documented."""

from __future__ import annotations

from pathlib import Path

from model.metrics.pattern import PATTERNS

from scenarios.loader import describe

ROOT = Path(__file__).resolve().parent.parent
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_every_parameter_in_odd():
    missing = [key for key, *_ in describe() if f"`{key}`" not in ODD]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}"


def test_every_mechanism_and_pattern_in_odd():
    for module in ("foundation.py", "market.py", "innovation.py", "policy.py", "agents/firm.py",
                   "agents/talent.py", "agents/choice.py"):
        assert module in ODD, module
    for pattern in PATTERNS:
        assert pattern in ODD, pattern


def test_odd_sections():
    for heading in ("Purpose and patterns", "Entities, state variables and scales",
                    "Process overview and scheduling", "Design concepts", "Initialisation",
                    "Input data", "Submodels", "Individual decision making"):
        assert heading in ODD, heading


def test_every_intervention_and_parameter_in_odd():
    import dataclasses

    from scenarios.registry import REGISTRY
    section = ODD.split("### 7.6 Interventions", 1)[1].split("### 7.7", 1)[0]
    for kind, cls in REGISTRY.items():
        assert f"`{kind}`" in section, kind
        part = section.split(f"#### `{kind}`", 1)[1].split("#### ", 1)[0]
        for f in dataclasses.fields(cls):
            if f.name not in ("start", "end", "ramp", "label"):
                assert f"`{f.name}`" in part, (kind, f.name)
