"""Scenario comparison with replicates and parameter uncertainty (a Covasim ``MultiSim`` feel).

    cmp = Comparison(["scenarios/baseline.toml", "scenarios/talent_community.toml"], reps=20,
                     uncertain=10).run()
    print(cmp.summary()); cmp.plot("results/cmp"); cmp.save("results/cmp")

Common random numbers: run (draw d, replicate r) of every scenario has the same seed
(``experiments.seeds.run_seed``), and the same parameter draw d (a Latin hypercube over the
parameters declared uncertain in the schema). Statistics:

* levels: per scenario, metric, node and quarter the median and the 10-90% band over every run
  (replicates and draws pooled);
* paired differences against the first scenario, per run pair (d, r), and the final-quarter
  effects with their verdicts: one definition, in ``experiments.effects`` (the 95% Student-t
  interval of the mean paired difference over units: the replicate, or with uncertainty the
  draw; sign agreement; clearly non-zero, not robust, includes zero, zero or too few), which
  ``run.py report`` reads back from effects.parquet;
* with uncertainty, "depends most on": the parameter with the largest absolute Spearman rank
  correlation between its draws and the per-draw difference (final quarter); parameters of
  intervention types that neither scenario of the pair has are excluded; shown only when it
  stands out from chance (``experiments.effects.depends_shown``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.design import latin_hypercube
from experiments.effects import (
    CONFIDENCE,
    EFFECT_COLUMNS,
    MIN_CONSTANT,
    MIN_DRAWS,
    MIN_UNITS,
    ROBUST,
    chance_rho,
    depends_shown,
    difference_table,
    enough_draws,
    final_effects,
    too_few_units,
)
from experiments.execution import Execution, execute
from experiments.runner import RunTask, apply_overrides, model_columns, warn_inactive_once
from experiments.seeds import run_seed
from experiments.spec import (
    ComparisonSpec,
    OutputSpec,
    Parameter,
    check_metrics,
    check_uncertain_keys,
    column_name,
    load_comparison,
    parameter_kind,
)
from experiments.storage import (
    RunStore,
    load_results,
    new_staging,
    prepare_folder,
    swap_in,
    write_frame,
    write_text,
)
from model.errors import CyflowError, SimulationError
from scenarios.loader import load_scenario, to_toml, uncertain_parameters
from scenarios.schema import Scenario

MARKER = "comparison.json"
KEYS = ["point", "replicate", "step", "node", "metric"]


class Comparison:
    """Scenarios compared with the first one, over replicates and (optionally) draws of the
    uncertain parameters.

    Args:
        scenarios: Scenario objects or scenario files; the first is the reference.
        reps: replicates per scenario (and per draw).
        seed: master seed (default: the first scenario's seed).
        uncertain: Latin hypercube draws of the uncertain parameters (0: none).
        uncertain_keys: which declared-uncertain parameters to draw (default: every one that
            applies to some scenario: intervention fields only where that intervention is).
        overrides: dotted keys set in every scenario (e.g. ``{"steps": 20}``).
        output: which metrics to keep (default: every numeric region metric, no node metric).
    """

    def __init__(self, scenarios: list[Scenario | str | Path], *, reps: int = 10,
                 seed: int | None = None, uncertain: int = 0,
                 uncertain_keys: list[str] | tuple[str, ...] = (),
                 overrides: dict[str, Any] | None = None,
                 output: OutputSpec | None = None,
                 posterior: str | Path | None = None) -> None:
        if not scenarios:
            raise CyflowError("a comparison needs at least one scenario")
        if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
            raise CyflowError(f"reps: expected a positive integer, got {reps!r}")
        if isinstance(uncertain, bool) or not isinstance(uncertain, int) or uncertain < 0:
            raise CyflowError(f"uncertain: expected a number of draws >= 0, got {uncertain!r}")
        loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
        if overrides:
            loaded = [apply_overrides(s, overrides, file="overrides") for s in loaded]
        self.scenarios = loaded
        self.labels = _unique_labels([s.name for s in loaded])
        self.reps = reps
        self.seed = loaded[0].seed if seed is None else int(seed)
        self.output = output or OutputSpec()
        self.overrides = dict(overrides or {})
        self.posterior = None if posterior is None else load_posterior(posterior)
        if self.posterior is not None and not uncertain:
            uncertain = 10
        calibrated = () if self.posterior is None else tuple(self.posterior.parameters)
        drawn = self._uncertain(uncertain, tuple(uncertain_keys)) if uncertain else ()
        self.parameters = tuple(p for p in drawn if p.key not in {c.key for c in calibrated}) \
            + calibrated
        self.n_draws = uncertain if self.parameters else 0
        self._results: pd.DataFrame | None = None
        self._index: pd.DataFrame | None = None
        self.wall_seconds = 0.0

    @classmethod
    def from_spec(cls, spec: ComparisonSpec) -> Comparison:
        return cls(list(spec.scenarios), reps=spec.replicates, seed=spec.seed,
                   uncertain=spec.uncertain_samples, uncertain_keys=spec.uncertain_keys,
                   output=spec.output)

    @classmethod
    def from_file(cls, path: str | Path) -> Comparison:
        return cls.from_spec(load_comparison(path))

    # ------------------------------------------------------------------ plan
    def _uncertain(self, n: int, keys: tuple[str, ...]) -> tuple[Parameter, ...]:
        declared = uncertain_parameters()
        keys = check_uncertain_keys(list(keys), "uncertain_keys", "uncertain_keys") \
            if keys else tuple(declared)
        types = {item.type for s in self.scenarios for item in s.interventions}
        params = []
        for key in keys:
            parts = key.split(".")
            if parts[0] == "interventions" and parts[1] not in types:
                continue  # no scenario has this intervention: the draw would change nothing
            kind, _ = parameter_kind(key)
            lo, hi = declared[key]
            params.append(Parameter(key, kind, low=kind(lo), high=kind(hi)))
        return tuple(params)

    def _points(self) -> list[dict[str, Any]]:
        """The parameter draws: a Latin hypercube over the uncertain parameters, with the
        calibrated ones (``posterior``) drawn from the posterior instead."""
        if not self.parameters:
            return [{}]
        calibrated = set() if self.posterior is None else set(self.posterior.keys)
        lhs = [p for p in self.parameters if p.key not in calibrated]
        points = latin_hypercube(lhs, self.n_draws, self.seed, purpose=1) if lhs else \
            [{} for _ in range(self.n_draws)]
        if self.posterior is not None:
            for point, draw in zip(points, self.posterior.sample(self.n_draws, self.seed),
                                   strict=True):
                point.update(draw)
        return points

    def draws(self) -> pd.DataFrame:
        """The parameter draws (one row per draw; empty without uncertainty)."""
        if not self.parameters:
            return pd.DataFrame({"point": [0]})
        points = self._points()
        frame = pd.DataFrame([{column_name(k): v for k, v in p.items()} for p in points])
        frame.insert(0, "point", range(len(frame)))
        return frame

    def tasks(self) -> list[RunTask]:
        """Every run: scenario x draw x replicate; the seed depends on (draw, replicate)."""
        keys = [p.key for p in self.parameters]
        points = self._points()
        tasks = []
        for s, (scenario, label) in enumerate(zip(self.scenarios, self.labels, strict=True)):
            for d, point in enumerate(points):
                for r in range(self.reps):
                    tasks.append(RunTask(
                        run_id=f"s{s:02d}-d{d:04d}-r{r:04d}", scenario=scenario,
                        seed=run_seed(self.seed, r, draw=d), overrides=point, label=label,
                        point=d, replicate=r, output=self.output, columns=tuple(keys)))
        return tasks

    def check(self, tasks: list[RunTask]) -> None:
        """Metric names exist, and every (scenario, draw) makes a valid scenario; an
        intervention that starts after the horizon is said once here, not once per run."""
        region_cols, node_cols = model_columns(self.scenarios[0])
        check_metrics(self.output, region_cols, node_cols, "comparison")
        seen, resolved = set(), []
        for task in tasks:
            key = (task.run_id[:3], task.point)
            if key not in seen:
                seen.add(key)
                resolved.append(apply_overrides(task.scenario, task.overrides,
                                                file=f"uncertainty draw {task.point}")
                                if task.overrides else task.scenario)
        warn_inactive_once(resolved)

    # ------------------------------------------------------------------ run
    def run(self, execution: Execution | None = None, *,
            work_dir: str | Path | None = None, **options: Any) -> Comparison:
        """Run every scenario, draw and replicate: where as ``execution`` or its fields as
        keywords (``serial=True``, ``workers=2``, ``scheduler="tcp://..."``). ``work_dir``
        holds the run files while it runs (default: a temporary folder; on a remote Dask
        cluster give a folder the workers share)."""
        how = execution or Execution(**options)
        tasks = self.tasks()
        self.check(tasks)
        own = work_dir is None
        work = Path(tempfile.mkdtemp(prefix="cyflow-compare-")) if own else Path(work_dir)
        start = time.perf_counter()
        try:
            store = RunStore(work)
            store.create()
            plan = pd.DataFrame([{"run_id": t.run_id, "scenario": t.label, "point": t.point,
                                  "replicate": t.replicate, "seed": t.seed} for t in tasks])
            records = execute(tasks, work, how, desc="compare")
            self._index = store.rebuild_index(plan)
            failed = [r for r in records if r["status"] == "failed"]
            if failed:
                raise SimulationError(f"{len(failed)} of {len(tasks)} comparison runs failed "
                                      f"(first: {failed[0]['run_id']}: {failed[0]['error']})")
            self._results = load_results(work)
        finally:
            if own:
                shutil.rmtree(work, ignore_errors=True)
        self.wall_seconds = time.perf_counter() - start
        return self

    def results(self) -> pd.DataFrame:
        """Every run's long table (run_id, scenario, point, replicate, seed, parameters, step,
        quarter, node, metric, value)."""
        if self._results is None:
            raise CyflowError("the comparison has not run yet: call .run() first")
        return self._results

    # ------------------------------------------------------------------ statistics
    def bands(self) -> pd.DataFrame:
        """Per scenario, metric, node and quarter: n, mean, median, 10% and 90% quantiles."""
        df = self.results()
        groups = df.groupby(["scenario", "metric", "node", "step", "quarter"], dropna=False,
                            sort=False)["value"]
        out = groups.agg(n="count", mean="mean", median="median").reset_index()
        out["p10"] = groups.quantile(0.1).to_numpy()
        out["p90"] = groups.quantile(0.9).to_numpy()
        out["scenario"] = pd.Categorical(out["scenario"], self.labels)
        return out.sort_values(["scenario", "metric", "node", "step"]).reset_index(drop=True)

    def paired(self) -> pd.DataFrame:
        """Paired differences (scenario minus the first) per run pair."""
        df = self.results()
        ref = df[df["scenario"] == self.labels[0]][[*KEYS, "value"]]
        parts = []
        for label in self.labels[1:]:
            other = df[df["scenario"] == label][[*KEYS, "quarter", "value"]]
            merged = other.merge(ref, on=KEYS, suffixes=("", "_ref"), how="inner")
            merged["diff"] = merged["value"] - merged["value_ref"]
            merged.insert(0, "scenario", label)
            parts.append(merged)
        if not parts:
            return pd.DataFrame(columns=["scenario", *KEYS, "quarter", "value", "value_ref",
                                         "diff"])
        return pd.concat(parts, ignore_index=True)

    def differences(self) -> pd.DataFrame:
        """Per scenario (against the first), metric, node and quarter: the mean paired
        difference with its 95% t-interval, the 10-90% band of the paired differences and the
        share of units agreeing with the sign of the mean (``experiments.effects``)."""
        return difference_table(self.paired(), self.labels[0], by_draw=bool(self.parameters))

    def effects(self, differences: pd.DataFrame | None = None) -> pd.DataFrame:
        """The differences of the final quarter, region metrics only, classified (verdict:
        clear, not robust, includes zero, zero or too few; ``experiments.effects``) and, with
        uncertainty, the parameter the size depends on most (``depends_clear``: it stands
        out from chance)."""
        diffs = self.differences() if differences is None else differences
        last = final_effects(diffs, by_draw=bool(self.parameters))
        if last.empty or not self.parameters or self.n_draws < 3:
            return last
        depends = self._depends(int(diffs["step"].max()))
        last = last.drop(columns=["depends_on", "rho", "depends_clear"]).merge(
            depends, on=["scenario", "metric"], how="left")
        last["depends_clear"] = depends_shown(last["rho"], self.n_draws, len(self.parameters)) \
            & last["depends_on"].notna()
        return last[EFFECT_COLUMNS]

    def _depends(self, step: int) -> pd.DataFrame:
        from scipy.stats import rankdata
        pairs = self.paired()
        pairs = pairs[(pairs["step"] == step) & pairs["node"].isna()]
        per_draw = pairs.groupby(["scenario", "metric", "point"])["diff"].mean().unstack("point")
        draws = self.draws().set_index("point")
        names = [p.key for p in self.parameters]
        x = rankdata(draws[[column_name(k) for k in names]].to_numpy(), axis=0)
        y = rankdata(per_draw[draws.index].to_numpy(), axis=1)
        xc, yc = x - x.mean(axis=0), y - y.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = (yc @ xc) / np.outer(np.sqrt((yc ** 2).sum(axis=1)),
                                       np.sqrt((xc ** 2).sum(axis=0)))
        rho = np.nan_to_num(rho, nan=0.0)
        # a parameter of an intervention type that neither scenario of the pair has cannot
        # move the difference: any correlation with it is chance
        types = {label: {item.type for item in spec.interventions}
                 for label, spec in zip(self.labels, self.scenarios, strict=True)}
        reference = types.get(self.labels[0], set())
        for k, scenario in enumerate(per_draw.index.get_level_values("scenario")):
            present = types.get(scenario, set()) | reference
            for b, name in enumerate(names):
                if name.startswith("interventions.") and name.split(".")[1] not in present:
                    rho[k, b] = 0.0
        best = np.abs(rho).argmax(axis=1)
        frame = per_draw.index.to_frame(index=False)
        frame["depends_on"] = [names[b] if rho[k, b] != 0 else None
                               for k, b in enumerate(best)]
        frame["rho"] = [rho[k, b] for k, b in enumerate(best)]
        return frame

    def tidy(self) -> pd.DataFrame:
        """Levels and paired differences in one tidy table (``kind`` = level / difference)."""
        levels = self.bands().assign(kind="level", reference=None)
        diffs = self.differences().assign(kind="difference")
        levels["scenario"] = levels["scenario"].astype(str)
        return pd.concat([levels, diffs], ignore_index=True)[
            ["kind", "scenario", "reference", "metric", "node", "step", "quarter", "n", "mean",
             "median", "p10", "p90", "ci_low", "ci_high", "sign_agreement"]]

    def summary(self, effects: pd.DataFrame | None = None) -> str:
        """A short text: settings, warnings (too few replicates or draws), then per scenario
        the differences by verdict (final quarter; ``experiments.effects``)."""
        eff = self.effects() if effects is None else effects
        unit = "draws" if self.parameters else "replicates"
        quarter = self.results()["quarter"].iloc[-1] if len(self.results()) else "?"
        lines = [f"comparison against '{self.labels[0]}': {len(self.labels)} scenarios x "
                 f"{self.reps} replicates (common random numbers, master seed {self.seed})"
                 + (f" x {self.n_draws} draws of {len(self.parameters)} uncertain parameters"
                    + (f" ({len(self.posterior.keys)} from the calibration posterior, the "
                       "others Latin hypercube)" if self.posterior is not None else
                       " (Latin hypercube)") if self.parameters else ""),
                 f"final quarter {quarter}; intervals: 95% t-interval of the mean paired "
                 f"difference over {unit}; robust sign: >= {ROBUST:.0%} of {unit} agree"]
        lines += [f"warning: {w}" for w in self.warnings(eff)]
        if self.parameters and enough_draws(self.n_draws, len(self.parameters)):
            lines.append(f"'depends most on' shown where |Spearman rho| > "
                         f"{chance_rho(self.n_draws, len(self.parameters)):.2f} (what chance "
                         f"gives with 5% probability for {len(self.parameters)} parameters "
                         f"and {self.n_draws} draws)")
        for label in self.labels[1:]:
            rows = eff[eff["scenario"] == label]
            lines.append(f"\n{label} - {self.labels[0]}:")
            for verdict, title in (("clear", "clearly non-zero"),
                                   ("not robust", "sign not robust")):
                part = rows[rows["verdict"] == verdict]
                lines.append(f"  {title} ({len(part)}):" if len(part) else f"  {title}: none")
                lines += ["    " + _effect_line(row, unit) for _, row in part.iterrows()]
            for verdict, title in (
                    ("too few", f"too few {unit} to call (fewer than {MIN_UNITS}, or fewer than "
                     f"{MIN_CONSTANT} all with the same non-zero difference)"),
                    ("zero", "exactly zero in every pair"),
                    ("includes zero", "robust sign, interval includes 0")):
                part = rows[rows["verdict"] == verdict]
                if len(part):
                    lines.append(f"  {title}: " + ", ".join(part["metric"].astype(str)))
        return "\n".join(lines)

    def warnings(self, effects: pd.DataFrame | None = None) -> list[str]:
        """Why some verdicts cannot be trusted: too few replicates (or draws) for any effect
        to be clear, too few draws for "depends most on" (``experiments.effects``)."""
        eff = self.effects() if effects is None else effects
        out = []
        unit = "draws" if self.parameters else "replicates"
        few = too_few_units(eff)
        if few is not None:
            option = "--uncertain" if self.parameters else "--reps"
            out.append(f"only {few} {unit}: no difference can be called clearly non-zero "
                       f"(at least {MIN_UNITS} needed; raise {option})")
        if self.parameters and not enough_draws(self.n_draws, len(self.parameters)):
            out.append(f"{self.n_draws} draws of {len(self.parameters)} uncertain parameters: "
                       "too few to tell which parameter an effect depends on (needs at least "
                       f"{MIN_DRAWS} draws and more draws than parameters); 'depends most on' "
                       "is not shown")
        return out

    # ------------------------------------------------------------------ output
    def plot(self, out_dir: str | Path | None = None) -> list:
        """Figures: levels (median, 10-90% band over runs; the figures package's own plot) and
        the mean paired differences with their 95% intervals per region metric over the
        quarters; written as levels.png and paired_differences.png into ``out_dir`` when given
        (``run.py plot DIR`` draws every figure of the figures package)."""
        from experiments.plots import plot_differences
        from figures.timeseries import plot_bands
        region, _ = self.contract_tables()
        levels = plot_bands(region, baseline=self.labels[0]) if len(region) else None
        figures = [levels, plot_differences(self.differences(), self.labels)]
        if out_dir is not None:
            import matplotlib.pyplot as plt

            from figures.layout import save_png
            out = Path(out_dir)
            out.mkdir(parents=True, exist_ok=True)
            for name, fig in zip(("levels.png", "paired_differences.png"), figures, strict=True):
                if fig is not None:
                    save_png(fig, out / name, dpi=110)
                    plt.close(fig)
        return figures

    def save(self, out: str | Path, *, csv: bool = False, figures: bool = True) -> list[Path]:
        """Write the comparison folder as one unit (staging folder, then swap): the tidy table,
        the final-quarter effects, the summary, the run files and index, the resolved
        scenarios, figures. An earlier comparison folder there is replaced; any other
        non-empty folder is refused."""
        target = prepare_folder(Path(out), MARKER)
        staging = new_staging(target)
        try:
            results, diffs = self.results(), self.differences()
            tidy = self.tidy() if diffs is not None else None
            eff = self.effects(diffs)
            store = RunStore(staging)
            store.create()
            for run_id, part in results.groupby("run_id", sort=False):
                write_frame(part.reset_index(drop=True), store.run_path(str(run_id)))
            if self._index is not None:
                write_frame(self._index, staging / "runs.parquet")
            region, nodes = self.contract_tables()
            write_frame(region, staging / "comparison.parquet")
            if nodes is not None:
                write_frame(nodes, staging / "comparison_nodes.parquet")
            write_frame(tidy, staging / "summary.parquet")
            write_frame(eff, staging / "effects.parquet")
            if self.parameters:
                write_frame(self.draws(), staging / "draws.parquet")
            if csv:
                tidy.to_csv(staging / "summary.csv", index=False)
                eff.to_csv(staging / "effects.csv", index=False)
            write_text(self.summary(eff) + "\n", staging / "summary.txt")
            (staging / "scenarios").mkdir()
            for label, scenario in zip(self.labels, self.scenarios, strict=True):
                write_text(to_toml(scenario), staging / "scenarios" / f"{label}.toml")
            if figures:
                self.plot(staging)
            write_text(json.dumps(self._record(), indent=1), staging / MARKER)
            names = sorted(p.name for p in staging.iterdir())
            swap_in(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return [target / name for name in names]

    def contract_tables(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The run values in the comparison contract of docs/FIGURES.md (what ``run.py plot``
        and ``run.py report`` read): region metrics as (scenario, replicate, step, quarter,
        metric, value) and node metrics as (scenario, replicate, step, quarter, node, column,
        value), plus run_id, seed and draw. ``replicate`` numbers the run pair (draw x
        replicates + replicate): equal numbers share seed and draw in every scenario."""
        df = self.results()
        pair = df["point"] * self.reps + df["replicate"]
        base = df.assign(replicate=pair, draw=df["point"])
        ids = ["scenario", "replicate", "step", "quarter"]
        extra = ["run_id", "seed", "draw"]
        region = base[base["node"].isna()][[*ids, "metric", "value", *extra]]
        node_rows = base[base["node"].notna()]
        nodes = None if node_rows.empty else node_rows.rename(columns={"metric": "column"})[
            [*ids, "node", "column", "value", *extra]]
        return region.reset_index(drop=True), \
            None if nodes is None else nodes.reset_index(drop=True)

    def _record(self) -> dict[str, Any]:
        from model.results import git_commit, git_dirty, versions
        return {"scenarios": self.labels, "reference": self.labels[0], "replicates": self.reps,
                "seed": self.seed, "draws": self.n_draws,
                "uncertain": {p.key: [p.low, p.high] for p in self.parameters},
                "posterior": None if self.posterior is None else str(self.posterior.folder),
                "overrides": self.overrides, "output": self.output.to_dict(),
                "interval": f"{CONFIDENCE:.0%} Student-t of the mean paired difference",
                "robust_share": ROBUST, "wall_seconds": round(self.wall_seconds, 3),
                "versions": versions(), "git_commit": git_commit(), "git_dirty": git_dirty()}


@dataclass(frozen=True)
class Posterior:
    """The weighted posterior particles of a finished calibration folder."""

    folder: Path
    parameters: tuple[Parameter, ...]
    particles: pd.DataFrame          # one column per parameter key, and "weight"

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.parameters]

    def sample(self, n: int, seed: int) -> list[dict[str, Any]]:
        """``n`` draws of particles by weight (the same for every scenario of a comparison)."""
        rng = np.random.default_rng([seed, 0xB05])
        w = self.particles["weight"].to_numpy(float)
        picks = rng.choice(len(w), size=n, p=w / w.sum())
        return [{p.key: p.kind(self.particles[p.key].iloc[i]) for p in self.parameters}
                for i in picks]


def load_posterior(folder: str | Path) -> Posterior:
    """The posterior of ``run.py calibrate`` in ``folder`` (its posterior.csv)."""
    folder = Path(folder)
    path, record = folder / "posterior.csv", folder / "calibration.json"
    if not path.is_file() or not record.is_file():
        raise CyflowError(f"{folder}: not a finished calibration (no posterior.csv or "
                          "calibration.json); run 'run.py calibrate --out DIR' first")
    spec = json.loads(record.read_text(encoding="utf-8"))
    params = []
    for item in spec["parameters"]:
        kind, _ = parameter_kind(item["key"])
        params.append(Parameter(item["key"], kind, low=item["range"][0], high=item["range"][1]))
    particles = pd.read_csv(path)
    missing = [p.key for p in params if p.key not in particles] + \
        ([] if "weight" in particles else ["weight"])
    if missing:
        raise CyflowError(f"{path}: missing columns {missing}")
    return Posterior(folder.absolute(), tuple(params), particles)


def _unique_labels(names: list[str]) -> list[str]:
    labels: list[str] = []
    for name in names:
        label, k = name, 2
        while label in labels:
            label, k = f"{name}-{k}", k + 1
        labels.append(label)
    return labels


def _effect_line(row: pd.Series, unit: str) -> str:
    text = (f"{row['metric']:<28} {row['mean']:+.4g} [{row['ci_low']:+.4g}, "
            f"{row['ci_high']:+.4g}]  sign holds in {row['sign_agreement']:.0%} of {unit}")
    if row.get("depends_clear") and isinstance(row.get("depends_on"), str):
        text += f"; size depends most on {row['depends_on']} (Spearman {row['rho']:+.2f})"
    return text
