"""What a hand-written Mermaid diagram may not contain. Pure Python.

Every diagram is drawn with Mermaid's ``securityLevel: "strict"`` (static/js/diagrams.js), which
already disables click callbacks and sanitises labels. A source that *tries* to run code is still
refused when it is saved, with the line at fault, so a reader never meets it and an author learns
why: interaction lines (``click``/``callback``/``call``/``href``), ``javascript:`` and ``data:``
links, script-bearing HTML (``<script>``, ``<iframe>``, ``on…=`` handlers) and configuration that
would lower the security level (an ``init`` directive or front matter setting ``securityLevel``,
``htmlLabels``, ``secure`` or ``dompurifyConfig``).
"""

import re

RULES = [
    (re.compile(r"^\s*click\s", re.I), "interaction lines ('click …') are not allowed; link components instead"),
    (re.compile(r"^\s*(?:callback|call|href)\s", re.I), "interaction lines are not allowed"),
    (re.compile(r"(?:java|vb)script\s*:|data\s*:\s*text/html", re.I), "script links are not allowed"),
    (re.compile(r"<\s*/?\s*(?:script|iframe|object|embed|svg|math|style|link|meta|base)\b", re.I),
     "this HTML tag is not allowed in a diagram"),
    (re.compile(r"<[^>]*\son\w+\s*=", re.I), "HTML event handlers (on…=) are not allowed"),
    (re.compile(r"securityLevel|htmlLabels|dompurifyConfig|\bsecure\b", re.I),
     "diagrams can't change Mermaid's security settings"),
]  # fmt: skip


def problems(source: str, *, limit: int = 5) -> list[str]:
    """'Line N: …' for each line that breaks a rule (the first ``limit``); [] for a safe source."""
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        for pattern, message in RULES:
            if pattern.search(line):
                found.append(f"Line {number}: {message}.")
                break
        if len(found) >= limit:
            break
    return found
