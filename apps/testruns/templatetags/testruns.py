"""Small display helpers of the test-run pages: status badges and durations."""

from django import template

register = template.Library()

BADGES = {
    "passed": "text-bg-success", "failed": "text-bg-danger", "error": "text-bg-danger",
    "skipped": "text-bg-secondary", "complete": "text-bg-success", "queued": "text-bg-light border",
    "processing": "text-bg-info", "flaky": "text-bg-warning",
}
ICONS = {"passed": "check-circle-fill", "failed": "x-circle-fill", "error": "exclamation-octagon-fill",
         "skipped": "dash-circle", "complete": "check2-all", "queued": "hourglass", "processing": "arrow-repeat"}


@register.filter
def status_badge(status) -> str:
    return BADGES.get(str(status), "text-bg-danger")


@register.filter
def status_icon(status) -> str:
    return ICONS.get(str(status), "x-octagon-fill")


@register.filter
def seconds(value) -> str:
    """1.234 -> '1.23 s', 95 -> '1 min 35 s', 0.004 -> '4 ms'."""
    if value is None:
        return "—"
    value = float(value)
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 60:
        return f"{value:.2f} s"
    minutes, rest = divmod(int(round(value)), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def percent(part, whole) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@register.inclusion_tag("testruns/_pass_rate_bar.html")
def pass_rate_bar(rate):
    """A run's pass rate as a bar: green at 100 %, amber from 90 %, red below; a dash when nothing ran."""
    colour = "bg-success" if rate == 100 else "bg-warning" if rate is not None and rate >= 90 else "bg-danger"
    return {"rate": rate, "colour": colour}
