"""One browser session's simulation: the chosen scenario, the page's settings, the model (and
the baseline model when comparing), without any Solara in it.

Every change of settings is transactional: the new scenario is validated and the model rebuilt
and replayed to the current quarter; if anything fails the session keeps its previous state and
the error (one line, naming the key) is raised for the page to show.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.fields import TIMING
from model.errors import CyflowError, ScenarioError
from model.inputs import MAX_SCENARIO_BYTES
from model.model import RegionModel
from model.region import Region
from scenarios.interventions.base import quarter_to_step
from scenarios.loader import SCENARIO_DIR, load_scenario, with_overrides
from scenarios.schema import Scenario

ENV_OVERRIDES = "CYFLOW_APP_SET"  # "key=value;key=value" applied to every scenario of the app


class AppError(CyflowError):
    """Bad input in the page (shown in the page; the session is unchanged)."""


def library() -> dict[str, Path]:
    """The scenario library: name -> file, the baseline first."""
    files = sorted(SCENARIO_DIR.glob("*.toml"), key=lambda p: (p.stem != "baseline", p.stem))
    return {p.stem: p for p in files}


def parse_value(text: str) -> Any:
    """A TOML value from text (``0.5``, ``true``, ``["chengdu"]``); bare words are strings."""
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignments(text: str, source: str) -> dict[str, Any]:
    """``key = value`` pairs separated by ``;`` or new lines."""
    out: dict[str, Any] = {}
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise AppError(f"{source}: expected key = value (e.g. talent.kappa = 2), got "
                           f"{part.strip()!r}")
        out[key.strip()] = parse_value(value)
    return out


def parse_seed(value: Any) -> int:
    """A seed from the seed field (text or number)."""
    text = str(value).strip()
    try:
        seed = int(text)
    except ValueError:
        raise AppError(f"seed: expected a whole number from 0 to 2^63-1, got {text!r}") from None
    if not 0 <= seed <= 2**63 - 1:
        raise AppError(f"seed: expected a whole number from 0 to 2^63-1, got {seed}")
    return seed


def parse_quarter(value: Any, field_name: str, start_year: int, allow_empty: bool) -> int | str:
    """A step number or a ``YYYYQn`` label from a text field (checked)."""
    text = str(value).strip()
    if text == "" and allow_empty:
        return ""
    if text.isdigit():
        return int(text)
    try:
        quarter_to_step(text, start_year)
    except ValueError as exc:
        raise AppError(f"{field_name}: {exc}") from None
    return text.upper()


@dataclass(frozen=True)
class Settings:
    """What the page has chosen: a scenario and changes to it."""

    name: str
    base: Scenario
    items: tuple[Any, ...]
    enabled: tuple[bool, ...]
    overrides: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    compare: bool = False

    def spec(self) -> Scenario:
        """The scenario the model runs: overrides, the switched-on interventions, the seed."""
        spec = with_overrides(self.base, self.overrides, file="page") if self.overrides \
            else self.base
        items = [item for item, on in zip(self.items, self.enabled, strict=True) if on]
        return dataclasses.replace(spec, interventions=items, seed=self.seed)


class AppSession:
    """The simulation of one browser session.

    Args:
        scenario: a library name (``baseline``, ``talent_community`` ...).
        fixed: overrides applied to every scenario (dotted keys), e.g. a small scale in tests;
            defaults to the environment variable ``CYFLOW_APP_SET`` (``key=value;...``).
    """

    def __init__(self, scenario: str = "baseline", fixed: dict[str, Any] | None = None) -> None:
        if fixed is None:
            fixed = parse_assignments(os.environ.get(ENV_OVERRIDES, ""), ENV_OVERRIDES)
        self.fixed = dict(fixed)
        self.uploads: dict[str, Scenario] = {}
        self._region = Region.load()
        self.model: RegionModel
        self.baseline: RegionModel | None = None
        self.flows: list[tuple[np.ndarray, np.ndarray]] = []
        self.notes: list[str] = []
        self.step_seconds: float | None = None
        self.settings = self._settings_for(scenario, self._scenario(scenario))
        self._commit(self.settings, target=0)

    # ------------------------------------------------------------------ scenarios
    def scenario_names(self) -> list[str]:
        """Library scenarios, then uploaded ones."""
        return [*library(), *self.uploads]

    def _scenario(self, name: str) -> Scenario:
        if name in self.uploads:
            return self.uploads[name]
        files = library()
        if name not in files:
            raise AppError(f"scenario: unknown scenario {name!r} (library: "
                           f"{', '.join(files)})")
        return load_scenario(files[name])

    def _settings_for(self, name: str, base: Scenario) -> Settings:
        if self.fixed:
            base = with_overrides(base, self.fixed, file=ENV_OVERRIDES)
        return Settings(name, base, tuple(base.interventions),
                        tuple(True for _ in base.interventions), {}, base.seed,
                        getattr(self, "settings", None) is not None and self.settings.compare)

    def choose(self, name: str) -> None:
        """Switch to a scenario of the library (or an uploaded one), at its start."""
        self._commit(self._settings_for(name, self._scenario(name)), target=0)

    def upload(self, filename: str, data: bytes) -> str:
        """Validate an uploaded scenario file and switch to it; returns its name in the list.
        A file may ``extends`` a library scenario (``extends = "baseline.toml"``)."""
        shown = Path(filename or "upload.toml").name
        if len(data) > MAX_SCENARIO_BYTES:
            raise AppError(f"{shown}: larger than {MAX_SCENARIO_BYTES:,} bytes")
        if not shown.endswith(".toml"):
            raise AppError(f"{shown}: expected a .toml scenario file")
        with tempfile.TemporaryDirectory(prefix="cyflow-upload-") as folder:
            for path in library().values():  # so that extends = "baseline.toml" resolves
                shutil.copy(path, folder)
            stem = Path(shown).stem
            target = Path(folder) / f"upload-{stem}.toml"
            target.write_bytes(data)
            try:
                spec = load_scenario(target, None)
            except ScenarioError as exc:
                message = str(exc).replace(str(target), shown).replace(folder + os.sep, "")
                raise AppError(message) from None
        if spec.name == f"upload-{stem}":
            spec = dataclasses.replace(spec, name=stem if stem not in library() else spec.name)
        name = f"{spec.name} ({shown})"
        settings = self._settings_for(name, spec)
        self._commit(settings, target=0)
        self.uploads[name] = spec
        return name

    # ------------------------------------------------------------------ settings
    def set_enabled(self, k: int, on: bool) -> None:
        """Switch intervention ``k`` of the scenario on or off (the model is replayed)."""
        enabled = list(self.settings.enabled)
        enabled[k] = bool(on)
        self._change(enabled=tuple(enabled))

    def set_intervention(self, k: int, name: str, value: Any) -> None:
        """Set a field of intervention ``k`` (its strength fields, start, end, ramp)."""
        item = self.settings.items[k]
        start_year = self.settings.base.start_year
        if name in ("start", "end"):
            value = parse_quarter(value, f"{item.type}.{name}", start_year, name == "end")
        try:
            new = dataclasses.replace(item, **{name: value})
            new.window(start_year)
        except ScenarioError as exc:
            raise AppError(f"{item.type}.{name}: {exc.detail}") from None
        except (TypeError, ValueError) as exc:
            raise AppError(f"{item.type}.{name}: {exc}") from None
        items = list(self.settings.items)
        items[k] = new
        self._change(items=tuple(items))

    def set_parameter(self, key: str, value: Any) -> None:
        """Set a scenario parameter by dotted key (validated against its documented range)."""
        self.set_parameters({key: value})

    def set_parameters(self, values: dict[str, Any]) -> None:
        """Set several scenario parameters at once."""
        if "interventions" in values or "seed" in values:
            raise AppError("page: set interventions and the seed with their own controls")
        self._change(overrides={**self.settings.overrides, **values})

    def apply_text(self, text: str) -> None:
        """Parameters typed as ``key = value`` (``;`` or new lines between them)."""
        self.set_parameters(parse_assignments(text, "page"))

    def set_seed(self, value: Any) -> None:
        """The seed of the run (and of the baseline: common random numbers)."""
        self._change(seed=parse_seed(value))

    def set_compare(self, on: bool) -> None:
        """Run the baseline (no interventions, same seed) alongside."""
        self._change(compare=bool(on))

    def _change(self, **changes: Any) -> None:
        self._commit(dataclasses.replace(self.settings, **changes), target=self.model.steps)

    # ------------------------------------------------------------------ models
    def spec(self) -> Scenario:
        """The scenario of the current model."""
        return self.model.spec

    def region_for(self, spec: Scenario) -> Region | None:
        """The session's region for a scenario on the repository's data, else None (the model
        loads the scenario's own data files)."""
        return self._region if not (spec.data.cities or spec.data.links) else None

    def _build(self, spec: Scenario) -> RegionModel:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = RegionModel(spec, region=self.region_for(spec), agent_views=False)
        for item in caught:
            note = str(item.message)
            if note not in self._pending_notes:
                self._pending_notes.append(note)
        return model

    def _commit(self, settings: Settings, target: int) -> None:
        """Build the models of ``settings`` and replay them to ``target``; keep the old state
        if anything fails."""
        self._pending_notes: list[str] = []
        try:
            spec = settings.spec()
            model = self._build(spec)
            baseline = self._build(dataclasses.replace(spec, interventions=[])) \
                if settings.compare else None
            flows: list[tuple[np.ndarray, np.ndarray]] = []
            for _ in range(min(target, spec.steps)):
                _advance(model, baseline, flows)
        except CyflowError:
            raise
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise AppError(f"page: {exc}") from None
        self.settings, self.model, self.baseline, self.flows = settings, model, baseline, flows
        self.notes = self._pending_notes

    def step(self, quarters: int = 1) -> bool:
        """Advance ``quarters`` (fewer at the horizon); False when already at the horizon."""
        if not self.model.running:
            return False
        started = time.perf_counter()
        for _ in range(quarters):
            if not self.model.running:
                break
            _advance(self.model, self.baseline, self.flows)
        self.step_seconds = time.perf_counter() - started
        return True

    def reset(self) -> None:
        """Back to the start with the current settings."""
        self._commit(self.settings, target=0)

    def recent_flows(self, quarters: int) -> tuple[np.ndarray, np.ndarray]:
        """(talent, firm) moves summed over the last ``quarters`` steps."""
        n = self.model.region.n
        window = self.flows[-quarters:] if quarters > 0 else []
        talent = sum((t for t, _ in window), np.zeros((n, n), dtype=np.int64))
        firms = sum((f for _, f in window), np.zeros((n, n), dtype=np.int64))
        return talent, firms

    def intervention_rows(self) -> list[tuple[int, Any, bool]]:
        """(index, intervention, switched on) for every intervention of the scenario."""
        return [(k, item, on) for k, (item, on) in
                enumerate(zip(self.settings.items, self.settings.enabled, strict=True))]

    def timing(self, item: Any) -> dict[str, Any]:
        """Start, end and ramp of an intervention as the page shows them."""
        return {name: getattr(item, name) for name in TIMING if hasattr(item, name)}


def _advance(model: RegionModel, baseline: RegionModel | None,
             flows: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """One quarter of the model (and the baseline), keeping the moves of the quarter."""
    model.step()
    flows.append((model.talent_flows.copy(), model.firm_flows.copy()))
    if baseline is not None and baseline.running:
        baseline.step()
