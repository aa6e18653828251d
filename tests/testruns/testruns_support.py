"""Shared helpers of the test-run tests (imported, not a conftest: the basename stays unique)."""

from apps.testruns.models import TestRun

URL = "/api/v1/projects/{slug}/test-runs/"


def junit(*cases: str, suite: str = "suite") -> bytes:
    """A small JUnit document; each case is '<name>:<status>[:message]'."""
    rows = []
    for spec in cases:
        name, status, *rest = spec.split(":", 2)
        message = rest[0] if rest else "boom"
        classname = "pkg.Tests"
        if "." in name:
            classname, name = name.rsplit(".", 1)
        body = {
            "passed": "",
            "failed": f'<failure message="{message}" type="AssertionError">trace of {message}</failure>',
            "error": f'<error message="{message}" type="RuntimeError">trace</error>',
            "skipped": "<skipped/>",
        }[status]
        rows.append(f'<testcase classname="{classname}" name="{name}" time="0.5">{body}</testcase>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="{suite}">'
        + "".join(rows)
        + "</testsuite></testsuites>"
    ).encode()


def run_of(response) -> TestRun:
    """The run an upload answered with (found by its project, from the answer's url, and number)."""
    assert response.status_code in (200, 202), response.content
    body = response.json()
    slug = body["url"].split("/projects/", 1)[1].split("/", 1)[0]
    return TestRun.objects.get(project__slug=slug, number=body["number"])
