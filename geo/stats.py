"""Headline figures per city and district: resource counts, AEDs per 100k people, team members."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from geo import schema

if TYPE_CHECKING:
    from geo.datasets import Dataset

PER_PEOPLE = 100_000


def district_table(dataset: Dataset) -> pd.DataFrame:
    """One row per district: population, a count column per kind, AEDs per 100k, team members.

    Counts include every status (a briefing counts installed equipment); ``aed_active`` counts
    AEDs whose status is ``active``.
    """
    base = dataset.boundaries[["city", "district", "district_en"]].copy()
    pop = dataset.population.groupby(["city", "district"])["pop"].sum()
    res = dataset.resources
    counts = res.groupby(["city", "district", "kind"]).size().unstack("kind", fill_value=0)
    counts = counts.reindex(columns=list(schema.KINDS), fill_value=0)
    active = res[(res["kind"] == "aed") & (res["status"] == "active")]
    aed_active = active.groupby(["city", "district"]).size().rename("aed_active")
    teams = res[res["kind"] == "rescue_team"]
    members = teams.groupby(["city", "district"])["members"].sum().rename("team_members")
    table = (base.set_index(["city", "district"])
             .join(pop.rename("population"))
             .join(counts)
             .join(aed_active)
             .join(members))
    fill = {c: 0 for c in [*schema.KINDS, "aed_active", "team_members", "population"]}
    table = table.fillna(fill)
    for col in fill:
        table[col] = table[col].astype("int64")
    table["aed_per_100k"] = _per_100k(table["aed"], table["population"])
    return table.reset_index()


def totals(table: pd.DataFrame) -> pd.Series:
    """Sum a :func:`district_table` (or a subset of it) into one row of headline figures."""
    numeric = (table.select_dtypes("number").drop(columns=["aed_per_100k"], errors="ignore")
               .sum().astype("float64"))
    numeric["aed_per_100k"] = _per_100k(numeric["aed"], numeric["population"])
    return numeric


def _per_100k(count: pd.Series | float, people: pd.Series | float) -> pd.Series | float:
    if isinstance(people, pd.Series):
        return (count / people.where(people > 0) * PER_PEOPLE).fillna(0.0).round(2)
    return round(float(count) / people * PER_PEOPLE, 2) if people else 0.0
