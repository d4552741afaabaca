"""docs/ODD.md stays true to the code.

Checked: the ODD(+D) sections are present; every scenario parameter appears in the §8 table with
exactly the default, range, uncertain range, meaning and source of ``scenarios/schema.py``; every
registered intervention has its own subsection in §7.6 whose table gives every parameter exactly
as declared; every region metric of ``METRIC_NAMES`` is defined in §7.7; every module of
``agents/``, ``model/mechanisms/`` and ``model/metrics/`` is named; every named random stream of
the model is named; every test cited as ``tests/<file>.py::<test>`` exists.

The §8 and §7.6 tables are generated from the schema: ``python tests/test_docs.py`` prints them
(paste them into docs/ODD.md when a parameter changes).
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from pathlib import Path
from typing import Any, get_type_hints

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # ``python tests/test_docs.py`` from anywhere
    sys.path.insert(0, str(ROOT))

from model.metrics.collect import METRIC_NAMES  # noqa: E402
from scenarios.loader import describe  # noqa: E402
from scenarios.registry import REGISTRY  # noqa: E402
from scenarios.schema import Scenario  # noqa: E402

ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
TIMING = ("start", "end", "ramp", "label")  # common to every intervention (described once)


def _section(start: str, stop: str) -> str:
    assert start in ODD, f"docs/ODD.md has no heading {start!r}"
    part = ODD.split(start, 1)[1]
    return part.split(stop, 1)[0] if stop in part else part


# ------------------------------------------------------------------ the generated tables
def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(f'"{x}"' if isinstance(x, str) else str(x) for x in v) + "]"
    return repr(v)


def _number(x: Any) -> str:
    return str(x) if isinstance(x, int) else f"{x:g}"


def _range(meta: Any, default: Any) -> str:
    if meta.get("choices"):
        return " \\| ".join(meta["choices"])
    if isinstance(default, bool):
        return "true \\| false"
    if meta.get("lo") is None and meta.get("hi") is None:
        return "–"
    return f"[{_number(meta['lo'])}, {_number(meta['hi'])}]"


def _uncertain(meta: Any) -> str:
    u = meta.get("uncertain")
    return f"[{_number(u[0])}, {_number(u[1])}]" if u else "–"


def _metadata(cls: type = Scenario, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints.get(f.name)):
            out.update(_metadata(hints[f.name], f"{prefix}{f.name}."))
        else:
            out[f"{prefix}{f.name}"] = f.metadata
    return out


def parameter_rows() -> dict[str, str]:
    """Every scenario key and its §8 table row (from ``describe()`` and the field metadata)."""
    meta = _metadata()
    rows = {}
    for key, default, doc, source in describe():
        m = meta[key]
        rows[key] = (f"| `{key}` | {_value(default)} | {_range(m, default)} | {_uncertain(m)} | "
                     f"{doc.replace('|', chr(92) + '|')} | {source or 'convention'} |")
    return rows


def _default(f: dataclasses.Field) -> str:
    if f.default is not dataclasses.MISSING:
        return _value(f.default)
    if f.default_factory is not dataclasses.MISSING:
        return _value(f.default_factory())
    return "required"


def intervention_rows(cls: type) -> dict[str, str]:
    """Every parameter of an intervention type and its §7.6 table row."""
    return {f.name: (f"| `{f.name}` | {_default(f)} | {_range(f.metadata, f.default)} | "
                     f"{_uncertain(f.metadata)} | {f.metadata.get('doc', '')} |")
            for f in dataclasses.fields(cls) if f.name not in TIMING}


def tables() -> str:
    """The §8 table and the parameter tables of §7.6, as pasted into docs/ODD.md."""
    lines = ["| key | default | range | uncertain | meaning | source |",
             "|---|---|---|---|---|---|", *parameter_rows().values(), ""]
    for kind in sorted(REGISTRY):
        lines += [f"#### `{kind}`", "", "| key | default | range | uncertain | meaning |",
                  "|---|---|---|---|---|", *intervention_rows(REGISTRY[kind]).values(), ""]
    return "\n".join(lines)


# ------------------------------------------------------------------ the tests
def test_odd_sections():
    for heading in ("## 1. Purpose and patterns", "## 2. Entities, state variables and scales",
                    "## 3. Process overview and scheduling", "## 4. Design concepts",
                    "## 4b. Individual decision making", "## 5. Initialisation",
                    "## 6. Input data", "## 7. Submodels", "### 7.6 Interventions",
                    "### 7.7 Metrics", "## 8. Parameters", "## 9. What changed"):
        assert heading in ODD, heading


def test_every_parameter_in_the_table_exactly():
    section = _section("## 8. Parameters", "## 9.")
    rows = parameter_rows()
    missing = [key for key in rows if f"`{key}`" not in ODD]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}"
    wrong = [row for row in rows.values() if row not in section]
    assert not wrong, ("§8 rows differ from scenarios/schema.py (run `python tests/test_docs.py` "
                       "and paste the table):\n" + "\n".join(wrong))
    listed = set(re.findall(r"^\| `([\w.]+)` \|", section, flags=re.M))
    stale = sorted(listed - set(rows))
    assert not stale, f"§8 lists keys that are no longer parameters: {stale}"


def test_every_intervention_and_parameter_in_odd():
    section = _section("### 7.6 Interventions", "### 7.7")
    for kind, cls in REGISTRY.items():
        assert f"#### `{kind}`" in section, kind
        part = section.split(f"#### `{kind}`", 1)[1].split("#### ", 1)[0]
        for name, row in intervention_rows(cls).items():
            assert f"`{name}`" in part, (kind, name)
            assert row in part, f"{kind}: row differs from the class, expected\n{row}"
    for name in TIMING:
        assert f"`{name}`" in section, name
    documented = set(re.findall(r"^#### `(\w+)`", section, flags=re.M))
    assert documented == set(REGISTRY), documented ^ set(REGISTRY)


def test_every_region_metric_in_odd():
    section = _section("### 7.7 Metrics", "### 7.8")
    missing = [name for name in METRIC_NAMES if f"`{name}`" not in section]
    assert not missing, f"region metrics not defined in §7.7: {missing}"


def test_every_module_of_the_rules_is_named():
    modules = [f"{folder}/{path.name}" for folder in ("agents", "model/mechanisms", "model/metrics")
               for path in sorted((ROOT / folder).glob("*.py")) if path.name != "__init__.py"]
    modules += [f"model/{name}.py" for name in (
        "model", "economy", "network", "population", "equilibrium", "observation", "sectors",
        "region", "initial", "modifiers", "state", "streams", "kernels", "compaction", "plain",
        "backend")]
    missing = [m for m in modules if f"`{m}`" not in ODD]
    assert not missing, f"modules not named in docs/ODD.md: {missing}"


def test_every_random_stream_is_named():
    streams = set()
    for path in [*(ROOT / "model").rglob("*.py"), *(ROOT / "agents").glob("*.py")]:
        streams.update(re.findall(r"streams\[\"(\w+)\"\]", path.read_text(encoding="utf-8")))
    assert streams, "no named random streams found"
    section = _section("## 4. Design concepts", "## 4b.")
    missing = sorted(s for s in streams if f"`{s}`" not in section)
    assert not missing, f"random streams not named in §4 (stochasticity): {missing}"


def test_cited_tests_exist():
    cited = set(re.findall(r"tests/(test_\w+\.py)::(test_\w+)", ODD))
    missing = []
    for file, name in sorted(cited):
        path = ROOT / "tests" / file
        if not path.exists():
            missing.append(f"{file} (no such file)")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.name for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
        if name not in names:
            missing.append(f"{file}::{name}")
    assert not missing, f"docs/ODD.md cites tests that do not exist: {missing}"


if __name__ == "__main__":
    print(tables())
