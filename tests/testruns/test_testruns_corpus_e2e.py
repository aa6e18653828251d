"""A representative subset of the report corpus (tests/fixtures/junit) uploaded through the API.

The expected totals are the engine's own (validated against the source projects' assertions by
test_reports_corpus.py): this checks the streaming pipeline — retry folding, batching, COPY /
bulk insert — stores exactly what the engine counts, for every format.
"""

from pathlib import Path

import pytest

from apps.testruns.models import TestResult
from apps.testruns.reports import dedupe_cases, parse_report, summarize
from tests.testruns.testruns_support import run_of

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "junit"
SUBSET = [
    "jest/dorny-jest-junit.xml",
    "maven-surefire/dorny-apache-pulsar-test-report.xml",
    "pytest/enricomi-horovod-junit.fail.xml",
    "phpunit/dorny-phpunit.xml",
    "mocha/enricomi-mocha-latex-utensils.xml",
    "cpp-tst/enricomi-tst-disabled.xml",
    "bazel/enricomi-bazel-suite-logs.xml",
    "edge-cases/enricomi-junit.multiresult.xml",
    "edge-cases/enricomi-testsuite-in-testsuite.xml",
    "empty/dorny-empty-jest-junit.xml",
    "dotnet-trx/dorny-dotnet-trx.trx",
    "dotnet-nunit/enricomi-NUnit-correct.xml",
    "dotnet-xunit/enricomi-xunit-fixie.xml",
    "swift/dorny-swift-xunit.xml",
]
REJECT = sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "must-reject").iterdir())


def _engine_totals(relative: str) -> dict:
    with (CORPUS / relative).open("rb") as handle:
        summary = summarize(dedupe_cases(parse_report(handle)))
    return {key: summary[key] for key in ("tests", "passed", "failed", "errors", "skipped")}


@pytest.mark.parametrize("relative", SUBSET)
@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_corpus_file_through_the_api(upload, api_as, project, relative, gzip):
    content = (CORPUS / relative).read_bytes()
    response = upload(content, raw=gzip, gzip=gzip, filename=Path(relative).name, name="corpus")
    run = run_of(response)
    assert run.status == "complete", run.error
    body = api_as("viewer").get(f"/api/v1/projects/{project.slug}/test-runs/{run.number}/").json()
    assert body["totals"] == _engine_totals(relative)
    assert TestResult.objects.filter(run=run).count() == body["totals"]["tests"]


@pytest.mark.parametrize("relative", REJECT)
def test_corpus_rejects_fail_the_run(upload, relative):
    run = run_of(upload((CORPUS / relative).read_bytes(), filename=Path(relative).name))
    assert run.status == "failed" and run.error
    assert not TestResult.objects.filter(run=run).exists()
