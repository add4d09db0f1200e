"""Extension hooks of `fazhi build`: register a stage here with one import and one list entry.

- `REPORT_STAGES`: `f(doc: parse.Document) -> dict[str, list[dict]]`, run once per parsed report. Each key is
  a table name whose rows are appended; the key `"report_updates"` holds one dict merged into the
  report's row of `reports`.
- `CORPUS_STAGES`: `f(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]`, run after all
  reports, returning new or replaced tables.
Stage functions are module-level (picklable for worker processes) and deterministic.
"""

from __future__ import annotations

from ..indicators import indicator_panel_stage, indicators_stage
from ..part_tokens import part_tokens_stage
from ..places import place_stage
from ..scorecard import scorecard_stage
from ..typology import categorise_problem_items

REPORT_STAGES: list = [
    place_stage,  # → reports: province, prefecture, county, adcode, region, place_source/evidence/note
    categorise_problem_items,  # → problem_item_categories (typology of the problems part)
    part_tokens_stage,  # → tokens: every part cut once (default engine), for analyses to start from
    indicators_stage,  # → indicators: every number-with-unit with its indicator code and sentence
]
CORPUS_STAGES: list = [
    indicator_panel_stage,  # → indicators (tidied), indicator_panel: issuer × report_year × indicator
    scorecard_stage,  # → scorecard: report-quality measures per report (after indicators: it counts them)
]
