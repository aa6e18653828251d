"""Small display helpers of the test-run pages: status badges and durations."""

import json

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


# The one colour scale of pass rates, (from this rate, Bootstrap colour): green at 100 %, amber
# from 90 %, red below; grey when no test ran. Charts read it too ({% pass_rate_scale %}).
PASS_RATE_SCALE = ((100, "success"), (90, "warning"), (0, "danger"))
HEX = {"success": "#198754", "warning": "#ffc107", "danger": "#dc3545", "secondary": "#6c757d"}


def pass_rate_colour(rate) -> str:
    if rate is None:
        return "secondary"
    return next(colour for floor, colour in PASS_RATE_SCALE if rate >= floor)


@register.simple_tag
def pass_rate_scale() -> str:
    """The scale as JSON for a chart's data attribute: [[from, "#hex"], …]."""
    return json.dumps([[floor, HEX[colour]] for floor, colour in PASS_RATE_SCALE])


@register.filter
def pass_rate_text(rate) -> str:
    """The one format of pass rates: "100%", "97.5%", "—" when no test ran (all skipped)."""
    if rate is None:
        return "—"
    return f"{rate:.1f}".rstrip("0").rstrip(".") + "%"


@register.inclusion_tag("testruns/_pass_rate_bar.html")
def pass_rate_bar(rate, label: str = "", height: str = "1.1rem"):
    """A pass rate as a bar (run list, run page, overview): one format, one colour scale."""
    return {"rate": rate, "text": pass_rate_text(rate), "colour": pass_rate_colour(rate), "label": label,
            "height": height}  # fmt: skip


OUTCOME_BADGES = {"queued": ("queued", "text-bg-light border"), "processing": ("processing", "text-bg-info"),
                  "failed": ("failed to parse", "text-bg-dark")}  # fmt: skip


@register.inclusion_tag("testruns/_run_outcome.html")
def run_outcome(run, size: str = ""):
    """What a run says about the code (passed / N failed), apart from where its processing is
    (queued / processing / failed to parse): a green badge never sits on a run with failures."""
    if run.status == "complete":
        label, css = (f"{run.failing} failed", "text-bg-danger") if run.failing else ("passed", "text-bg-success")
    else:
        label, css = OUTCOME_BADGES.get(run.status, (run.status, "text-bg-secondary"))
    return {"label": label, "css": css, "run": run, "size": size}
