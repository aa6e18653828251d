"""Requirement coverage: tests naming REQ-<n> link to the project's requirements during ingestion."""

import pytest

from apps.requirements.models import Requirement
from apps.testruns.models import TestCaseRequirement
from tests.testruns.testruns_support import run_of

pytestmark = pytest.mark.django_db

REPORT = b"""<testsuites><testsuite name="s">
  <testcase classname="payments.RefundTests" name="refund is complete [REQ-12]"/>
  <testcase classname="payments.REQ-13.Capture" name="test_capture"><failure message="no"/></testcase>
  <testcase classname="payments.Props" name="test_props">
    <properties><property name="requirement" value="REQ-14, REQ-999"/></properties>
  </testcase>
  <testcase classname="payments.Other" name="test_unrelated_PREQ-12"/>
  <testcase classname="payments.Other" name="test_unrelated_REQ-12a"/>
  <testcase classname="payments.Underscore" name="test_capture_REQ-15"/>
</testsuite></testsuites>"""


@pytest.fixture
def requirements(project, other_project):
    made = {
        n: Requirement.objects.create(
            project=project, number=n, title=f"R{n}", revision=3, fingerprint=f"fp{n}"
        )
        for n in (12, 13, 14, 15)
    }
    Requirement.objects.create(project=other_project, number=999, title="elsewhere")
    return made


def test_links_from_name_class_and_property(upload, requirements):
    run_of(upload(REPORT))
    links = {
        (link.test_case.name, link.requirement.number): link
        for link in TestCaseRequirement.objects.select_related("test_case", "requirement")
    }
    assert set(links) == {("refund is complete [REQ-12]", 12), ("test_capture", 13), ("test_props", 14),
                          ("test_capture_REQ-15", 15)}
    link = links[("test_capture", 13)]
    assert (link.fingerprint, link.revision) == ("fp13", 3)


def test_reverse_relation_gives_verification(upload, requirements):
    run_of(upload(REPORT))
    requirement = requirements[13]
    statuses = list(requirement.test_links.values_list("test_case__last_status", flat=True))
    assert statuses == ["failed"]
    assert list(requirements[15].test_links.values_list("test_case__last_status", flat=True)) == ["passed"]


def test_relinking_is_idempotent(upload, requirements):
    run_of(upload(REPORT))
    run_of(upload(REPORT))
    assert TestCaseRequirement.objects.count() == 4
