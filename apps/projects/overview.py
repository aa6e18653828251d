"""The project overview's cards: one per registered app (apps.core.registry), in lifecycle order.

A card provider is a callable ``(project) -> dict`` with url, stats, an optional bar and whether
it is empty; the app registers it with ``register_app(..., card=...)``, so projects imports no
domain app. Stages of the lifecycle that no app serves yet keep a "coming soon" card.
"""

from apps.core.registry import registered_apps

LIFECYCLE = [
    ("requirements", "Requirements", "card-checklist", "Capture what the system must do, then review and approve it."),
    ("architecture", "Architecture", "diagram-3", "Draw the system as code: components, diagrams, decisions."),
    ("contracts", "API contracts", "plug", "Upload OpenAPI specs; Threadline diffs every version."),
    ("testruns", "Test runs", "clipboard2-pulse", "Point CI at the API to upload JUnit, TRX or NUnit reports."),
    ("deployments", "Deployments", "rocket-takeoff", "Record what runs where, and gate releases."),
]


def overview_cards(project) -> list[dict]:
    registered = {entry.label: entry for entry in registered_apps()}
    cards = [_card(project, *stage, registered.pop(stage[0], None)) for stage in LIFECYCLE]
    # Apps beyond the five stages follow, in their order.
    cards += [_card(project, entry.label, entry.title, entry.icon, entry.hint, entry) for entry in registered.values()]
    return cards


def _card(project, key: str, title: str, icon: str, hint: str, entry) -> dict:
    """A stage's card: the registered app's title, icon, hint and stats, or "coming soon" without one."""
    card = {"key": key, "title": title, "icon": icon, "hint": hint, "url": None, "stats": [], "empty": True}
    if entry is not None:
        card.update(title=entry.title, icon=entry.icon, hint=entry.hint or hint)
        if entry.card is not None:
            card.update(entry.card(project))
    return card
