"""What a step records: one array per node and column (the node table), from which the region
metrics are computed. Sector columns are named ``<column>_<sector>``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.state import SECTORS

if TYPE_CHECKING:
    from model.model import RegionModel

SECTOR_COLUMNS = ("firms", "talent", "output", "wage", "tfp", "site_cost", "targeted_subsidy")


def node_record(model: RegionModel) -> dict[str, np.ndarray]:
    """Every per-node quantity of the current state (new arrays: safe to keep)."""
    f, pol = model.fields, model.policy
    firms, talent = model.firm_counts, model.talent_counts
    fl, tl = model.firm_pop.ledger, model.talent_pop.ledger
    n = model.region.n
    by_sector = {"firms": firms, "talent": talent, "output": f.output, "wage": f.wage,
                 "tfp": f.tfp, "site_cost": f.site_cost,
                 "targeted_subsidy": np.broadcast_to(pol.targeted, firms.shape)}
    record: dict[str, np.ndarray] = {
        "firms": firms.sum(axis=0), "talent": talent.sum(axis=0), "output": f.output.sum(axis=0),
    }
    for column in SECTOR_COLUMNS:  # one new [S, N] array per column; its rows are kept
        rows = by_sector[column].copy() if column in ("firms", "talent") else np.array(
            by_sector[column], dtype=float)
        for k, sector in enumerate(SECTORS):
            record[f"{column}_{sector}"] = rows[k]
    record.update({
        "rent": f.rent, "cost_of_living": f.cost_of_living, "market_access": f.market_access,
        "compute_cost": f.compute_cost, "data_bonus": model.modifiers.data_bonus.copy(),
        "subsidy": pol.per_firm().copy(), "subsidy_spending": pol.spending.copy(),
        "programme_spending": pol.programme_spending.copy(),
        "racks_added": model.modifiers.racks.copy(),
        "budget_balance": pol.budgets.city.copy(), "fund_transfer": pol.transfers.copy(),
        "firm_inflow": fl.inflow(), "firm_outflow": fl.outflow(),
        "firms_arrived": fl.flows[n, :n].copy(), "firms_left": fl.flows[:n, n].copy(),
        "firms_born": fl.born.copy(), "firms_closed": fl.died.copy(),
        "talent_inflow": tl.inflow(), "talent_outflow": tl.outflow(),
        "talent_arrived": tl.flows[n, :n].copy(), "talent_left": tl.flows[:n, n].copy(),
        "graduates": tl.born.copy(), "retired": tl.died.copy(),
    })
    return record
