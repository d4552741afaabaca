"""The public entry point: ``Simulation.from_scenario(path).run()`` and its tables."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from model.model import RegionModel
from model.results import write_results


class Simulation:
    """One run of a scenario: build, run, read the tables, write the results folder."""

    def __init__(self, model: RegionModel) -> None:
        self.model = model
        self.wall_time = 0.0

    @classmethod
    def from_scenario(cls, scenario: Any = None, *, seed: int | None = None,
                      steps: int | None = None, **overrides: Any) -> Simulation:
        """Build from a scenario file (None: the baseline), with optional seed/steps/overrides
        (``section__key=value``)."""
        if steps is not None:
            overrides["steps"] = steps
        return cls(RegionModel(scenario, rng=seed, **overrides))

    def run(self, progress: bool = False) -> Simulation:
        """Run to the scenario's horizon."""
        start = time.perf_counter()
        self.model.run(progress=progress)
        self.wall_time += time.perf_counter() - start
        return self

    def nodes(self) -> pd.DataFrame:
        """Per-node-per-step table."""
        return self.model.node_table()

    def region(self) -> pd.DataFrame:
        """Per-step region metrics."""
        return self.model.region_table()

    def top_nodes(self, k: int = 5, column: str = "output") -> pd.DataFrame:
        """The ``k`` largest nodes at the last step, with their share of the region."""
        nodes = self.nodes()
        last = nodes[nodes["step"] == nodes["step"].max()]
        table = last[["node", column]].copy()
        table["share"] = table[column] / table[column].sum()
        return table.sort_values(column, ascending=False).head(k).reset_index(drop=True)

    def summary(self) -> str:
        """A short text summary of the final state."""
        m = self.model.region_metrics
        lines = [
            f"scenario {self.model.spec.name!r}, seed {self.model.spec.seed}, "
            f"{self.model.steps} steps to {self.model.quarter_label(self.model.steps)}, "
            f"{len(self.model.firms):,} firm + {len(self.model.talent):,} talent agents at the "
            f"end, {self.wall_time:.1f} s",
            f"digital output: x{m['total_output'] / self.model.history[0]['output'].sum():.2f} "
            f"({math.expm1(m['region_growth']):+.1%} a year compound; log rate "
            f"{m['region_growth']:.3f})",
            f"two-core share: {m['two_core_share']:.3f} (balance {m['core_balance']:.2f}); "
            f"siphon {m['siphon']:+.3f}",
            f"non-core nodes growing: {m['noncore_growing']:.0f}, gaining share: "
            f"{m['noncore_gaining']:.0f}; clusters: {m['clusters']:.0f}; "
            f"axis premium {m['axis_premium']:+.3f}",
            f"Theil: {m['theil']:.3f} = between provinces {m['theil_between']:.3f} "
            f"+ within {m['theil_within']:.3f}",
            f"digital depressions: {m['depressions']} nodes",
            "top five nodes by digital output:",
        ]
        for _, row in self.top_nodes().iterrows():
            lines.append(f"  {row['node']:<20} {row['share']:6.1%}")
        return "\n".join(lines)

    def plot(self, out_dir: str | Path | None = None, *, lang: str = "en") -> list:
        """Every figure of the run (matplotlib figures: map, talent and firm flows of the last
        quarter, metrics, shares, distribution, sectors; see figures/); written as PNG files
        into ``out_dir`` when given. ``lang="zh"`` draws them in Chinese (needs a CJK font)."""
        import matplotlib.pyplot as plt

        from figures.commands import file_name, run_figures
        from figures.fonts import language, rc

        lang = language(lang)
        model = self.model
        last = model.quarter_label(model.steps)
        flows = {kind: (matrix, last) for kind, matrix in
                 (("talent", getattr(model, "talent_flows", None)),
                  ("firm", getattr(model, "firm_flows", None))) if matrix is not None}
        makers = run_figures(self.nodes(), self.region(), model.region, lang=lang, flows=flows)
        with plt.rc_context(rc(lang)):
            figures = {stem: make() for stem, make in makers.items()}
            if out_dir is not None:
                out = Path(out_dir)
                out.mkdir(parents=True, exist_ok=True)
                from figures.layout import save_png
                for stem, figure in figures.items():
                    save_png(figure, out / file_name(stem, lang), dpi=120)
                    plt.close(figure)
        return list(figures.values())

    def save(self, out_dir: str | Path, csv: bool = False,
             extra: Callable[[Path], object] | None = None) -> list[Path]:
        """Write the results folder (Parquet tables, CSV with ``csv=True``, scenario, run.json;
        ``extra(folder)`` adds files, e.g. figures, before it replaces an earlier folder)."""
        return write_results(self.model, out_dir, csv=csv, extra=extra,
                             info={"wall_time_seconds": round(self.wall_time, 3)})
