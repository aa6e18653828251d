"""Formatting of DORA figures: durations for people, fractions as percentages, band colours."""

from django import template

register = template.Library()

BAND_CLASSES = {"elite": "text-bg-success", "high": "text-bg-primary", "medium": "text-bg-warning",
                "low": "text-bg-danger"}  # fmt: skip


@register.filter
def duration(seconds) -> str:
    """3 600 → "1 h"; 90 000 → "1.0 d"; None → "—"."""
    if seconds is None:
        return "—"
    seconds = float(seconds)
    for size, unit in ((86_400 * 7, "wk"), (86_400, "d"), (3_600, "h"), (60, "min")):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{seconds:.0f} s"


@register.filter
def percent(fraction) -> str:
    return "—" if fraction is None else f"{float(fraction) * 100:.0f} %"


@register.filter
def per_week(value) -> str:
    return "—" if value is None else f"{float(value):.1f}"


@register.filter
def band_class(band) -> str:
    return BAND_CLASSES.get(band or "", "text-bg-light border")


@register.filter
def words(name) -> str:
    """``"lead_time"`` → "Lead time": a field or check name for people."""
    return str(name or "").replace("_", " ").capitalize()
