"""Small archive texts shared by tests: entries whose countries and topics are known.

Each entry ends with a blank line, so that texts can be joined in any order.
"""

from __future__ import annotations


def entry_text(date: str, title: str, summary: str) -> str:
    """One entry as the newsroom writes it: date line, title, summary."""
    return f"{date}\n\n{title}\n\n{summary}\n\n"


MEXICO_SUMMARY = (
    "Officials in Mexico City met employers to discuss fair recruitment of migrant workers."
)
MEXICO = entry_text("12 March, 2021", "Mexico hosts forum on labour migration", MEXICO_SUMMARY)
COSTA_RICA = entry_text(
    "10 March, 2021",
    "Costa Rica opens border health post",
    "The new post in Costa Rica offers vaccinations to people crossing the border.",
)
MEXICO_GUATEMALA = entry_text(
    "9 March, 2021",
    "Mexico and Guatemala sign a labour migration agreement",
    "The agreement covers seasonal workers in the south of Mexico.",
)
GUYANA = entry_text(
    "8 March, 2021",
    "Guyana trains officials on diaspora engagement",
    "Staff from ministries in Georgetown learned how to work with Guyanese abroad.",
)
#: The feeds that list :data:`MEXICO`.
MEXICO_FEEDS = ["all", "country/mexico", "topic/labour-migration", "region/central-america"]
