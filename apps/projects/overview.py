"""The project overview's cards. Each later app contributes its card through ``OVERVIEW_CARDS``.

A card provider is a callable ``(project) -> dict`` with title, icon, url, stats and an empty-state
hint; apps register theirs in their AppConfig.ready(), so projects imports no domain app.
"""

from collections.abc import Callable

OVERVIEW_CARDS: dict[str, Callable] = {}

PLACEHOLDERS = [
    ("requirements", "Requirements", "card-checklist", "Capture what the system must do, then review and approve it."),
    ("architecture", "Architecture", "diagram-3", "Draw the system as code: components, diagrams, decisions."),
    ("contracts", "API contracts", "plug", "Upload OpenAPI specs; Threadline diffs every version."),
    ("testruns", "Test runs", "clipboard2-pulse", "Point CI at the API to upload JUnit, TRX or NUnit reports."),
    ("deployments", "Deployments", "rocket-takeoff", "Record what runs where, and gate releases."),
]


def register_card(key: str, provider: Callable) -> None:
    OVERVIEW_CARDS[key] = provider


def overview_cards(project) -> list[dict]:
    cards = []
    for key, title, icon, hint in PLACEHOLDERS:
        provider = OVERVIEW_CARDS.get(key)
        card = {"key": key, "title": title, "icon": icon, "hint": hint, "url": None, "stats": [], "empty": True}
        if provider is not None:
            card.update(provider(project))
        cards.append(card)
    return cards
