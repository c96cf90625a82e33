"""Tables shown to users: engine frames with localised column names and labels."""

from __future__ import annotations

import pandas as pd

from geo import schema
from ui.i18n import t


def district_view(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The per-district figures with translated headers, biggest population first."""
    name_col = "district" if lang == "zh" else "district_en"
    kinds = [k for k in schema.KINDS if k in table.columns and table[k].sum() > 0]
    view = table[["city", name_col, "population", *kinds, "aed_per_100k", "team_members"]].copy()
    view["city"] = view["city"].map(lambda c: t(f"city_{c}", lang))
    headers = {
        "city": t("col_city", lang), name_col: t("col_district", lang),
        "population": t("col_population", lang), "aed_per_100k": t("kpi_aed_per_100k", lang),
        "team_members": t("kpi_team_members", lang),
        **{k: t(f"kind_{k}", lang) for k in kinds},
    }
    return view.sort_values("population", ascending=False).rename(columns=headers)
