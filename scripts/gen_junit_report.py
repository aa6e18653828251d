#!/usr/bin/env python3
"""Generate a large, realistic JUnit XML report (pytest flavour) for benchmarks and tests.

    python scripts/gen_junit_report.py --cases 100000 --failure-rate 0.05 --out big.xml [--seed 1]

100 000 cases give a ~25 MB file: several hundred suites, dotted classnames, parametrized
names, times, ~5 % failures with multi-line messages and tracebacks, a few errors and skips,
some captured stdout and properties. Output ending in ``.gz`` is gzipped. The same seed
always produces the same bytes. No Django, standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
from xml.sax.saxutils import escape, quoteattr

AREAS = ["billing", "accounts", "api", "search", "notifications", "storage", "auth", "reports", "sync"]
SUBJECTS = ["invoice", "customer", "token", "webhook", "quota", "session", "export", "ledger", "cursor"]
VERBS = ["creates", "rejects", "updates", "computes", "retries", "paginates", "serializes", "expires"]
QUALIFIERS = ["when_empty", "with_unicode", "on_timeout", "for_admin", "after_rollback", "in_bulk", ""]
EXCEPTIONS = ["AssertionError", "KeyError", "TimeoutError", "ValueError", "IntegrityError"]


def _traceback(rng: random.Random, module: str, exc: str, message: str) -> str:
    lines = []
    for depth in range(rng.randint(4, 12)):
        path = f"{module.replace('.', '/')}.py" if depth == 0 else f"app/{rng.choice(AREAS)}/service.py"
        function = f"{rng.choice(VERBS)}_{rng.choice(SUBJECTS)}"
        lines.append(f'  File "{path}", line {rng.randint(10, 900)}, in {function}')
        lines.append(f"    result = {function}(payload, strict={rng.choice(['True', 'False'])})")
    lines.append(f"{exc}: {message}")
    lines.append(f"  expected: {rng.randint(0, 999)!r}\n  actual:   {rng.randint(0, 999)!r}")
    return "Traceback (most recent call last):\n" + "\n".join(lines)


def _message(rng: random.Random, exc: str) -> str:
    if exc == "AssertionError":
        return f"assert {rng.randint(0, 99)} == {rng.randint(100, 199)}\n +  where value = <Result <ok>>"
    return f"{rng.choice(SUBJECTS)} {rng.choice(['not found', 'timed out', 'is invalid', 'conflicts'])}"


def _suite_sizes(rng: random.Random, cases: int) -> list[int]:
    sizes = []
    while cases > 0:
        size = min(cases, rng.randint(20, 400))
        sizes.append(size)
        cases -= size
    return sizes


def _outcome(roll: float, thresholds: list[tuple[str, float]]) -> str:
    for outcome, threshold in thresholds:
        if roll < threshold:
            return outcome
    return "passed"


def write_report(
    out,
    *,
    cases: int,
    failure_rate: float = 0.05,
    error_rate: float = 0.005,
    skip_rate: float = 0.02,
    seed: int = 0,
) -> dict[str, int]:
    """Write the report to the text stream ``out``; return its counters."""
    rng = random.Random(seed)
    sizes = _suite_sizes(rng, cases)
    # Outcomes are drawn up front so the root can carry the totals like real tools write them.
    thresholds = [
        ("failure", failure_rate),
        ("error", failure_rate + error_rate),
        ("skipped", failure_rate + error_rate + skip_rate),
    ]
    outcomes = [[_outcome(rng.random(), thresholds) for _ in range(size)] for size in sizes]
    totals = {kind: sum(row.count(kind) for row in outcomes) for kind in ("failure", "error", "skipped")}
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(
        f'<testsuites name="pytest tests" tests="{cases}" failures="{totals["failure"]}" '
        f'errors="{totals["error"]}" skipped="{totals["skipped"]}">\n'
    )
    for index, suite_outcomes in enumerate(outcomes):
        area, subject = rng.choice(AREAS), rng.choice(SUBJECTS)
        module = f"tests.{area}.test_{subject}_{index}"
        counts = {kind: suite_outcomes.count(kind) for kind in ("failure", "error", "skipped")}
        out.write(
            f'  <testsuite name="{module}" tests="{len(suite_outcomes)}" failures="{counts["failure"]}" '
            f'errors="{counts["error"]}" skipped="{counts["skipped"]}" time="{rng.uniform(1, 90):.3f}" '
            f'timestamp="2025-01-{1 + index % 28:02d}T10:{index % 60:02d}:00" '
            f'hostname="ci-runner-{index % 7}">\n'
        )
        for number, outcome in enumerate(suite_outcomes):
            _write_case(out, rng, module, number, outcome)
        out.write("  </testsuite>\n")
    out.write("</testsuites>\n")
    return {"tests": cases, "suites": len(sizes), **totals}


def _write_case(out, rng: random.Random, module: str, number: int, outcome: str) -> None:
    klass = f"Test{rng.choice(SUBJECTS).title()}{rng.choice(['Api', 'Model', 'Service', 'View'])}"
    qualifier = rng.choice(QUALIFIERS)
    name = f"test_{rng.choice(VERBS)}_{rng.choice(SUBJECTS)}{'_' + qualifier if qualifier else ''}"
    name += f"[case-{number}]"  # parametrized; also keeps identities unique within the suite
    attributes = (
        f'classname="{module}.{klass}" name="{name}" file="{module.replace(".", "/")}.py" '
        f'line="{rng.randint(5, 1500)}" time="{rng.expovariate(1 / 0.05):.4f}"'
    )
    body = []
    if rng.random() < 0.05:
        body.append(
            f'<properties><property name="requirement" value="REQ-{rng.randint(1, 400)}"/></properties>'
        )
    if outcome in ("failure", "error"):
        exc = "AssertionError" if outcome == "failure" else rng.choice(EXCEPTIONS[1:])
        message = _message(rng, exc)
        trace = _traceback(rng, module, exc, message)
        body.append(
            f"<{outcome} message={quoteattr(message)} type={quoteattr(exc)}>{escape(trace)}</{outcome}>"
        )
    elif outcome == "skipped":
        reason = rng.choice(["requires postgres", "flaky on CI, see #4411", "feature flag off"])
        body.append(f'<skipped type="pytest.skip" message={quoteattr(reason)}/>')
    if rng.random() < 0.1:
        log = "\n".join(
            f"{rng.choice(['INFO', 'DEBUG', 'WARNING'])} {module}: {rng.choice(VERBS)} {rng.choice(SUBJECTS)}"
            f" id={rng.randint(1, 10**6)}"
            for _ in range(rng.randint(1, 6))
        )
        body.append(f"<system-out>{escape(log)}</system-out>")
    if body:
        out.write(f"    <testcase {attributes}>{''.join(body)}</testcase>\n")
    else:
        out.write(f"    <testcase {attributes}/>\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--failure-rate", type=float, default=0.05)
    parser.add_argument("--error-rate", type=float, default=0.005)
    parser.add_argument("--skip-rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="file to write; a .gz suffix gzips it")
    args = parser.parse_args(argv)
    opener = gzip.open if args.out.endswith(".gz") else open
    with opener(args.out, "wt", encoding="utf-8", newline="\n") as out:
        counts = write_report(
            out,
            cases=args.cases,
            failure_rate=args.failure_rate,
            error_rate=args.error_rate,
            skip_rate=args.skip_rate,
            seed=args.seed,
        )
    print(", ".join(f"{key}={value}" for key, value in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
