"""Bad scenarios: one clear ScenarioError naming the file, the key path and what was expected;
and a property-based fuzz test that nothing else ever escapes the loader."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.errors import ScenarioError
from scenarios.loader import SCENARIO_DIR, from_dict, load_scenario


def _error(tmp_path: Path, text: str, name: str = "bad.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(str(path))
    return message


def test_unknown_type_lists_valid_types(tmp_path):
    msg = _error(tmp_path, '[[interventions]]\ntype = "talent_comunity"\n')
    assert "interventions[0].type" in msg and "did you mean 'talent_community'" in msg
    for kind in ("computing_hub", "data_market", "transport_link", "sector_subsidy"):
        assert kind in msg


def test_unknown_node_suggests_ids_and_names(tmp_path):
    msg = _error(tmp_path, '[[interventions]]\ntype = "computing_hub"\nhub = "chengdo"\n')
    assert "interventions[0].hub" in msg and "'chengdu'" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "computing_hub"\nhub = "Chengdu"\n')
    assert "did you mean 'chengdu' (Chengdu, 成都)" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "computing_hub"\nhub = "成都"\n')
    assert "'chengdu'" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "data_market"\nmembers = ["deyang", '
                 '"Guangan"]\n')
    assert "interventions[0].members[1]" in msg and "'guangan'" in msg
    msg = _error(tmp_path, '[metrics]\ncores = ["chengdu", "chongqin_central"]\n')
    assert "metrics.cores[1]" in msg and "chongqing_central" in msg


def test_timing_errors(tmp_path):
    head = '[[interventions]]\ntype = "sector_subsidy"\nnode = "mianyang"\n'
    msg = _error(tmp_path, head + 'start = "2026Q1"\nend = "2025Q4"\n')
    assert "interventions[0].end" in msg and "before start" in msg
    msg = _error(tmp_path, head + 'start = "2026-Q1"\n')
    assert "interventions[0].start" in msg and "2025Q3" in msg
    msg = _error(tmp_path, head + 'start = "2021Q1"\n')
    assert "before the first simulated quarter" in msg
    msg = _error(tmp_path, head + "start = 2.5\n")
    assert "interventions[0].start" in msg and "step number" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "transport_link"\nline = "x"\nend = 9\n')
    assert "interventions[0].end" in msg and "persists" in msg


def test_value_errors(tmp_path):
    msg = _error(tmp_path, '[[interventions]]\ntype = "talent_community"\n'
                 'border_reduction = 1.5\n')
    assert "interventions[0].border_reduction" in msg and "[0, 1]" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "talent_community"\nramp = "slow"\n')
    assert "interventions[0].ramp" in msg and "expected an integer" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "sector_subsidy"\nnode = "yibin"\n'
                 'sector = "electronic"\n')
    assert "did you mean 'electronics'" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "data_market"\nboots = 0.2\n')
    assert "interventions[0].boots" in msg and "did you mean 'boost'" in msg


def test_missing_required_fields(tmp_path):
    assert "interventions[0].hub" in _error(tmp_path, '[[interventions]]\ntype = "computing_hub"\n')
    assert "interventions[0].node" in _error(tmp_path,
                                             '[[interventions]]\ntype = "sector_subsidy"\n')
    msg = _error(tmp_path, '[[interventions]]\ntype = "transport_link"\nnodes = ["yibin"]\n')
    assert "interventions[0].nodes" in msg
    msg = _error(tmp_path, '[[interventions]]\ntype = "transport_link"\nline = "Hogwarts"\n')
    assert "interventions[0].line" in msg and "Chengdu–Chongqing central line" in msg
    assert "type" in _error(tmp_path, "[[interventions]]\nstart = 3\n")
    msg = _error(tmp_path, 'interventions = ["talent_community"]\n')
    assert "interventions[0]" in msg and "table" in msg


def test_extends(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"cyclic extends: a\.toml -> b\.toml -> a\.toml"):
        load_scenario(tmp_path / "a.toml")
    msg = _error(tmp_path, 'extends = "nowhere.toml"\n')
    assert "extends" in msg and "nowhere.toml" in msg
    child = tmp_path / "child.toml"
    base = (SCENARIO_DIR / "talent_community.toml").as_posix()
    child.write_text(f'extends = "{base}"\nsteps = 8\n[[interventions]]\ntype = "data_market"\n',
                     encoding="utf-8")
    scenario = load_scenario(child)
    assert scenario.steps == 8 and [i.type for i in scenario.interventions] == \
        ["talent_community", "data_market"]


def test_unreadable_toml_names_line_and_column(tmp_path):
    msg = _error(tmp_path, "steps = 4\n[[interventions]\ntype = 1\n")
    assert "invalid TOML" in msg and "line 2" in msg and "column" in msg


def test_scenario_files_never_execute_code(tmp_path):
    marker = tmp_path / "pwned"
    text = (f'description = "__import__(\'os\').system(\'touch {marker}\')"\n'
            f'[[interventions]]\ntype = "data_market"\n'
            f'label = "{{{{ {marker} }}}} $(touch {marker})"\n')
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    load_scenario(path)
    assert not marker.exists()


# ---------------------------------------------------------------------- fuzz
VALID = tomllib.loads((SCENARIO_DIR / "integrated.toml").read_text(encoding="utf-8"))
VALID.pop("extends")
KEYS = ["steps", "seed", "name", "scale", "talent", "kappa", "interventions", "type", "start",
        "end", "ramp", "hub", "nodes", "members", "node", "sector", "line", "budget", "minutes",
        "alpha", "mechanisms", "market", "cores", "metrics", "extends", "revision_rate"]
NODES = ["chengdu", "Chengdu", "成都", "mianyang", "nowhere", "", "chongqing_central"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(NODES), st.sampled_from(["2024Q1", "2040Q4", "1999Q1", "2024Q5", "soft"]),
    st.sampled_from(["talent_community", "computing_hub", "transport_link", "teleport"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)),
    max_leaves=12)


def _index(key) -> int:
    return key if isinstance(key, int) else len(key)


def _mutate(data, path, value, delete):
    """Replace (or delete) the value at a path of keys/indices, creating tables as needed."""
    node = data
    for key in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(key, {}) if isinstance(key, str) else node
        elif isinstance(node, list) and node:
            node = node[_index(key) % len(node)]
        if not isinstance(node, (dict, list)):
            return
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        if delete:
            node.pop(last, None)
        else:
            node[last] = value
    elif isinstance(node, list) and node:
        node[_index(last) % len(node)] = value


@settings(max_examples=1000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutations=st.lists(st.tuples(
    st.lists(st.sampled_from(KEYS) | st.integers(0, 8), min_size=1, max_size=4), values,
    st.booleans()), min_size=1, max_size=4))
def test_fuzz_malformed_tables(mutations):
    import copy
    data = copy.deepcopy(VALID)
    for path, value, delete in mutations:
        _mutate(data, path, value, delete)
    try:
        from_dict(data, "fuzz.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.toml")


TOML_TEXT = (SCENARIO_DIR / "integrated.toml").read_text(encoding="utf-8").replace(
    'extends = "baseline.toml"\n', "")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(TOML_TEXT)), junk=st.text(alphabet=string.printable + "成都",
                                                          max_size=20))
def test_fuzz_broken_toml_text(tmp_path_factory, cut, junk):
    path = tmp_path_factory.mktemp("fuzz") / "broken.toml"
    path.write_text(TOML_TEXT[:cut] + junk + TOML_TEXT[cut:], encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert str(path) in str(exc)


def test_duplicate_nodes_in_a_list(tmp_path):
    msg = _error(tmp_path, '[[interventions]]\ntype = "infrastructure_cobuild"\n'
                 'nodes = ["ziyang", "neijiang", "ziyang"]\n')
    assert "interventions[0].nodes[2]" in msg and "twice" in msg


def test_edited_region_file_is_read_again(tmp_path):
    from scenarios.references import region_index
    cities, links = tmp_path / "cities.csv", tmp_path / "links.csv"
    data = SCENARIO_DIR.parent / "data"
    text = (data / "cities.csv").read_text(encoding="utf-8")
    link_text = (data / "links.csv").read_text(encoding="utf-8")
    cities.write_text(text, encoding="utf-8")
    links.write_text(link_text, encoding="utf-8")
    assert "chengdu" in region_index(str(cities), str(links)).ids
    cities.write_text(text.replace("\nchengdu,", "\nchengdu_city,"), encoding="utf-8")
    links.write_text(link_text.replace("\nchengdu,", "\nchengdu_city,").replace(
        ",chengdu,", ",chengdu_city,"), encoding="utf-8")
    assert "chengdu_city" in region_index(str(cities), str(links)).ids
