"""The release gate CI asks before a deploy: each check passing and failing on real data (test runs
ingested from JUnit, requirements linked by the tests that name them, contract versions processed by
the worker, incidents), the policy's choice of checks (and the default without one), the evaluation
kept, bad questions refused with nothing stored, and the roles that may ask."""

import io
import json

import pytest
from django.utils import timezone

from apps.contracts import services as contract_services
from apps.contracts.models import Contract, LintSetting
from apps.core.kit import kit_for
from apps.core.permissions import ProjectAccess
from apps.deployments import gates, services
from apps.deployments.models import Environment, GateEvaluation, GatePolicy, Incident
from apps.requirements import services as requirement_services
from apps.testruns import services as testrun_services
from apps.testruns.models import TestCase
from tests.kit import count_queries, expected_status
from tests.testruns.testruns_support import junit

pytestmark = pytest.mark.django_db

URL = "/api/v1/projects/payments-api/gates/check/"
SHA = "c" * 40  # the commit to deploy
OLD = "b" * 40  # what production runs
NONE_REQUIRED = {"tests_pass": False, "no_breaking_contracts": False, "incident_freeze": False}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def production(project):
    return Environment.objects.create(project=project, slug="production", name="Production", tier="production",
                                      position=2)  # fmt: skip


@pytest.fixture
def staging(project):
    return Environment.objects.create(project=project, slug="staging", name="Staging", tier="staging", position=1)


@pytest.fixture
def member(api_as):
    return api_as("member")


@pytest.fixture
def run(project, users, django_capture_on_commit_callbacks):
    """run(commit, "test_a:passed", "test_b:failed", name="unit", open=False) -> the ingested TestRun."""

    def make(commit, *cases, name="unit", open=False):
        report = None if open else io.BytesIO(junit(*cases))
        with django_capture_on_commit_callbacks(execute=True):
            created, _ = testrun_services.test_run_create(project=project, actor=users["member"], report=report,
                                                          filename="report.xml", commit=commit, name=name,
                                                          open=open)  # fmt: skip
        created.refresh_from_db()
        assert open or created.status == "complete", created.error
        return created

    return make


def spec(*paths: str, contact: bool = True) -> bytes:
    """An OpenAPI 3.0 document with one GET per path."""
    ok = {"200": {"description": "OK"}}
    operations = {path: {"get": {"operationId": f"get{n}", "summary": "Read", "description": "Reads.", "tags": ["t"],
                                 "responses": ok}} for n, path in enumerate(paths)}  # fmt: skip
    for path, item in operations.items():
        if "{id}" in path:
            item["get"]["parameters"] = [{"name": "id", "in": "path", "required": True, "description": "Its id.",
                                          "schema": {"type": "integer"}}]  # fmt: skip
    info = {"title": "Pets", "version": "1", "description": "Pets."}
    if contact:
        info["contact"] = {"name": "Team"}
    return json.dumps({"openapi": "3.0.3", "info": info, "paths": operations, "tags": [{"name": "t"}]}).encode()


@pytest.fixture
def contract_version(project, users, django_capture_on_commit_callbacks):
    """contract_version("pets", "/a", "/b", label="1.0") -> a processed (valid) version of that contract."""

    def make(slug, *paths, label="", contact=True):
        contract = Contract.objects.filter(project=project, slug=slug).first() or kit_for(Contract).create(
            project=project, actor=users["owner"], values={"slug": slug, "name": slug.title()})  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            version = contract_services.contract_version_upload(
                contract=contract, actor=users["member"], data=spec(*paths, contact=contact), label=label)  # fmt: skip
        version.refresh_from_db()
        assert version.status == "valid", version.errors
        return version

    return make


def deploy(project, users, commit=OLD, environment="production", **values):
    return services.deployment_report(project=project, actor=users["owner"], values={
        "environment": environment, "commit": commit, "status": "success", **values})  # fmt: skip


def policy(environment, **flags):
    return GatePolicy.objects.create(project=environment.project, environment=environment,
                                     **{**NONE_REQUIRED, **flags})  # fmt: skip


def ask(api, environment="production", commit=SHA, **body):
    response = api.post(URL, {"environment": environment, "commit": commit, **body}, format="json")
    return response


def check(response, name) -> dict:
    assert response.status_code == 200, response.content
    return next(c for c in response.json()["checks"] if c["name"] == name)


# ---- tests_pass ------------------------------------------------------------------------------------------


def test_no_test_runs_fails_the_gate(member, production):
    response = ask(member)
    result = check(response, "tests_pass")
    assert result["status"] == "fail" and result["detail"] == f"No test runs for {SHA[:12]}."
    assert result["url"].endswith(f"/test-runs/?commit={SHA}")
    assert response.json()["pass"] is False and response.json()["reasons"] == [result["detail"]]


def test_passing_runs_pass_and_link_the_newest(member, production, run):
    run(SHA, "t1:passed", "t2:skipped", name="unit")
    newest = run(SHA, "t3:passed", name="api")
    response = ask(member)
    result = check(response, "tests_pass")
    assert result["status"] == "pass" and "2 test runs" in result["detail"]
    assert result["url"] == f"http://testserver/projects/payments-api/test-runs/{newest.number}/"
    assert response.json()["pass"] is True and response.json()["reasons"] == []


def test_a_failing_or_unfinished_run_fails(member, production, run):
    failing = run(SHA, "t1:passed", "t2:failed", "t3:error")
    result = check(ask(member), "tests_pass")
    assert result["status"] == "fail" and f"unit #{failing.number} has 2 failing tests" in result["detail"]
    assert result["url"].endswith(f"/test-runs/{failing.number}/")
    run("d" * 40, "t1:passed")
    run("d" * 40, name="shard", open=True)
    result = check(ask(member, commit="d" * 40), "tests_pass")
    assert result["status"] == "fail" and "shard" in result["detail"] and "not finished" in result["detail"]


def test_commits_match_by_prefix_either_way(member, production, run):
    run(SHA[:10], "t1:passed")  # CI reported the short SHA
    assert check(ask(member, commit=SHA), "tests_pass")["status"] == "pass"
    run("e" * 40, "t1:failed")
    result = check(ask(member, commit="E" * 8), "tests_pass")  # a short one, in capitals
    assert result["status"] == "fail" and "eeeeeeee" in result["detail"]
    assert check(ask(member, commit="f" * 7), "tests_pass")["status"] == "fail"  # no run of that commit


def test_known_flaky_failures_are_excused_when_the_policy_says_so(member, production, run):
    run(SHA, "t1:passed", "wobbly:failed")
    TestCase.objects.filter(name="wobbly").update(flaky=True)
    assert check(ask(member), "tests_pass")["status"] == "fail"
    policy(production, tests_pass=True, excuse_flaky=True)
    result = check(ask(member), "tests_pass")
    assert result["status"] == "pass" and "1 failure of known-flaky tests excused" in result["detail"]
    run(SHA, "solid:failed", "wobbly:failed", name="again")
    result = check(ask(member), "tests_pass")
    assert result["status"] == "fail" and "has 1 failing test" in result["detail"]


# ---- no_new_failures -------------------------------------------------------------------------------------


def test_nothing_deployed_yet_passes_no_new_failures(member, production, run):
    policy(production, no_new_failures=True)
    run(SHA, "t1:failed")
    result = check(ask(member), "no_new_failures")
    assert result["status"] == "pass" and "Nothing is deployed to production yet" in result["detail"]


def test_a_test_passing_on_what_runs_now_must_not_fail(member, project, users, production, run):
    policy(production, no_new_failures=True)
    deploy(project, users, OLD)
    run(OLD, "pkg.Tests.t1:passed", "pkg.Tests.t2:failed", "pkg.Tests.t3:passed")
    run(SHA, "pkg.Tests.t1:failed", "pkg.Tests.t2:failed", "pkg.Tests.t3:passed", "pkg.Tests.t4:failed")
    result = check(ask(member), "no_new_failures")
    assert result["status"] == "fail"  # t2 failed there too, t4 is new: only t1 counts
    assert result["detail"] == f"1 test passing on {OLD[:12]} (production now) fails on {SHA[:12]}: pkg.Tests.t1."
    t1 = TestCase.objects.get(name="t1")
    assert result["url"] == f"http://testserver{t1.get_absolute_url()}"
    fixed = "a" * 40
    run(fixed, "pkg.Tests.t1:passed", "pkg.Tests.t2:failed")
    assert check(ask(member, commit=fixed), "no_new_failures")["status"] == "pass"


def test_no_new_failures_excuses_known_flaky_tests_too(member, project, users, production, run):
    policy(production, no_new_failures=True, excuse_flaky=True)
    deploy(project, users, OLD)
    run(OLD, "t1:passed")
    run(SHA, "t1:failed")
    TestCase.objects.filter(name="t1").update(flaky=True)
    assert check(ask(member), "no_new_failures")["status"] == "pass"


# ---- requirement_coverage --------------------------------------------------------------------------------


def approved(project, users, title, *, priority="must"):
    requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title=title,
                                                          priority=priority)  # fmt: skip
    access = ProjectAccess.system(project)
    for status in ("in_review", "approved"):
        requirement = requirement_services.requirement_transition(requirement=requirement, to=status,
                                                                  actor=users["owner"], access=access)  # fmt: skip
    return requirement


def test_requirement_coverage_counts_approved_must_haves_verified_by_passing_tests(member, project, users, production,
                                                                                   run):  # fmt: skip
    policy(production, requirement_coverage=60)
    assert check(ask(member), "requirement_coverage")["detail"].startswith("No approved must-have requirements")
    r1, r2, r3 = (approved(project, users, f"Must {n}") for n in (1, 2, 3))
    approved(project, users, "Nice to have", priority="could")  # not counted
    requirement_services.requirement_create(project=project, actor=users["owner"], title="Draft", priority="must")
    run(SHA, f"test_{r1.key}:passed", f"test_{r2.key}:failed")
    result = check(ask(member), "requirement_coverage")
    assert result["status"] == "fail"
    assert result["detail"] == ("1 of 3 approved must-have requirements verified by passing tests (33 %; the gate "
                                f"needs 60 %). Not verified: {r2.key}, {r3.key}.")  # fmt: skip
    assert result["url"].endswith("/requirements/?priority=must")
    run(SHA, f"test_{r1.key}:passed", f"test_{r2.key}:passed")
    result = check(ask(member), "requirement_coverage")
    assert result["status"] == "pass" and result["detail"].startswith("2 of 3") and "66 %" in result["detail"]


# ---- no_breaking_contracts and no_lint_errors ------------------------------------------------------------


def test_no_contract_versions_named_passes(member, production):
    policy(production, no_breaking_contracts=True, no_lint_errors=True)
    response = ask(member)
    expected = {"name": "no_breaking_contracts", "status": "pass", "detail": "No contract versions named.", "url": ""}
    assert check(response, "no_breaking_contracts") == expected
    assert check(response, "no_lint_errors")["detail"] == "No contract versions named."


def test_a_breaking_change_against_what_runs_there_fails(member, project, users, production, contract_version):
    policy(production, no_breaking_contracts=True)
    v1 = contract_version("pets", "/pets", "/pets/{id}", label="1.0")
    deploy(project, users, OLD, contract_versions=[v1.pk])
    v2 = contract_version("pets", "/pets", label="2.0")  # drops a path
    result = check(ask(member, contract_versions={"pets": "2.0"}), "no_breaking_contracts")
    assert result["status"] == "fail"
    assert result["detail"].startswith("pets v2 breaks v1 (production now) with 1 breaking change, e.g. ")
    assert result["url"] == "http://testserver/projects/payments-api/contracts/pets/diff/?base=1&revision=2"
    v3 = contract_version("pets", "/pets", "/pets/{id}", "/owners", label="3.0")  # only adds
    result = check(ask(member, contract_versions=[v3.pk]), "no_breaking_contracts")
    assert result["status"] == "pass" and result["detail"] == "pets v3: no breaking change against v1."
    assert check(ask(member, contract_versions=[v1.pk]), "no_breaking_contracts")["status"] == "pass"
    assert v2.pk  # named by label above


def test_each_contract_is_compared_with_its_own_latest_deployed_version(member, project, users, production, staging,
                                                                       contract_version):  # fmt: skip
    policy(production, no_breaking_contracts=True)
    pets1 = contract_version("pets", "/pets", "/pets/{id}")
    orders1 = contract_version("orders", "/orders")
    deploy(project, users, OLD, contract_versions=[pets1.pk, orders1.pk])
    orders2 = contract_version("orders", "/orders", "/orders/{id}")
    deploy(project, users, "d" * 40, contract_versions=[orders2.pk])  # production still runs pets v1
    pets2 = contract_version("pets", "/pets")
    deploy(project, users, "e" * 40, environment="staging", contract_versions=[pets2.pk])  # another environment
    result = check(ask(member, contract_versions=[pets2.pk, orders2.pk]), "no_breaking_contracts")
    assert result["status"] == "fail" and result["detail"].startswith("pets v2 breaks v1 (production now)")
    orders3 = contract_version("orders", "/orders")  # drops what orders v2 (not v1) added
    result = check(ask(member, contract_versions=[orders3.pk]), "no_breaking_contracts")
    assert result["status"] == "fail" and result["detail"].startswith("orders v3 breaks v2")
    audit = contract_version("audit", "/events")
    result = check(ask(member, contract_versions=[audit.pk]), "no_breaking_contracts")
    assert result["status"] == "pass" and "none of audit in production yet" in result["detail"]


def test_an_unprocessed_contract_version_cannot_pass(member, project, users, production):
    policy(production, no_breaking_contracts=True, no_lint_errors=True)
    contract = kit_for(Contract).create(project=project, actor=users["owner"], values={"slug": "pets", "name": "P"})
    version = contract_services.contract_version_upload(contract=contract, actor=users["member"], data=b"{}")
    response = ask(member, contract_versions=[version.pk])  # still queued: the worker hasn't run
    assert check(response, "no_breaking_contracts")["status"] == "fail"
    assert check(response, "no_lint_errors")["detail"] == "pets v1 is not linted yet."


def test_lint_errors_in_a_version_to_deploy_fail(member, project, users, production, contract_version):
    policy(production, no_lint_errors=True)
    clean = contract_version("pets", "/pets")
    result = check(ask(member, contract_versions=[clean.pk]), "no_lint_errors")
    assert result == {"name": "no_lint_errors", "status": "pass", "detail": "No lint errors in pets v1.", "url": ""}
    kit_for(LintSetting).create(project=project, actor=users["owner"], values={"rule": "info-contact",
                                                                               "severity": "error"})  # fmt: skip
    sloppy = contract_version("pets", "/pets", contact=False)
    result = check(ask(member, contract_versions=[clean.pk, sloppy.pk]), "no_lint_errors")
    assert result["status"] == "fail" and result["detail"].startswith("pets v2 has 1 lint error, e.g. info-contact: ")
    assert result["url"] == "http://testserver/projects/payments-api/contracts/pets/versions/2/"


# ---- incident_freeze -------------------------------------------------------------------------------------


def incident(project, environment, severity="sev2", resolved=False, title="Checkout down"):
    now = timezone.now()
    return Incident.objects.create(project=project, environment=environment, severity=severity, title=title,
                                   started_at=now, resolved_at=now if resolved else None)  # fmt: skip


def test_an_open_sev1_or_sev2_incident_freezes_the_environment(member, project, production, staging):
    incident(project, production, "sev3")
    incident(project, production, "sev1", resolved=True)
    incident(project, staging, "sev1")
    assert check(ask(member), "incident_freeze") == {
        "name": "incident_freeze", "status": "pass", "url": "",
        "detail": "No open SEV1 or SEV2 incident in production."}  # fmt: skip
    open_one = incident(project, production, "sev2", title="Payments slow")
    result = check(ask(member), "incident_freeze")
    assert result["status"] == "fail"
    assert result["detail"] == "production is frozen by 1 open incident: SEV2 “Payments slow”."
    try:
        page = open_one.get_absolute_url()
    except KeyError:  # the incident pages are not registered (yet)
        page = ""
    assert result["url"] == (f"http://testserver{page}" if page else "")


# ---- the policy, the question, the evaluation ---------------------------------------------------------


def test_without_a_policy_the_models_defaults_apply(member, production):
    response = ask(member)
    statuses = {c["name"]: c["status"] for c in response.json()["checks"]}
    assert statuses == {
        "tests_pass": "fail", "no_new_failures": "skipped", "requirement_coverage": "skipped",
        "no_breaking_contracts": "pass", "no_lint_errors": "skipped", "incident_freeze": "pass"}  # fmt: skip
    assert [c["name"] for c in response.json()["checks"]] == list(gates.CHECKS)
    assert not GatePolicy.objects.exists()  # the defaults were not saved


def test_a_policy_that_requires_nothing_passes_everything_as_skipped(member, production):
    policy(production)
    response = ask(member)
    assert response.json()["pass"] is True and response.json()["reasons"] == []
    assert {c["status"] for c in response.json()["checks"]} == {"skipped"}
    assert check(response, "tests_pass")["detail"] == "Not required by this gate's policy."


def test_the_evaluation_is_kept(member, users, production, run):
    run(SHA, "t1:failed")
    response = ask(member, commit=SHA.upper(), version="2.4.0")
    body = response.json()
    assert set(body) == {"id", "pass", "reasons", "checks"}
    evaluation = GateEvaluation.objects.get()
    assert body["id"] == evaluation.pk and evaluation.passed is False
    assert (evaluation.environment, evaluation.commit, evaluation.version) == (production, SHA, "2.4.0")
    assert evaluation.actor == users["member"] and evaluation.reasons == body["reasons"]
    assert [c["detail"] for c in evaluation.checks] == [c["detail"] for c in body["checks"]]
    assert evaluation.checks[0]["url"].startswith("/projects/")  # kept relative, answered absolute
    assert body["checks"][0]["url"] == "http://testserver" + evaluation.checks[0]["url"]
    newer = GateEvaluation.objects.get(pk=ask(member, commit=SHA[:9]).json()["id"])
    assert gates.latest_evaluation(environment=production, commit=SHA) == newer  # asked with the short SHA
    assert gates.latest_evaluation(environment=production, commit=SHA[:7]) == newer
    assert gates.latest_evaluation(environment=production, commit="") is None
    assert gates.latest_evaluation(environment=production, commit="d" * 40) is None


@pytest.mark.parametrize("body, field, text", [
    ({"environment": "moon"}, "environment", "moon"),
    ({"environment": ""}, "environment", ""),
    ({"commit": "xyz1234"}, "commit", "xyz1234"),
    ({"commit": "abc12"}, "commit", "7-40"),
    ({"commit": "a" * 41}, "commit", "7-40"),
    ({"contract_versions": [999]}, "contract_versions", "999"),
    ({"contract_versions": {"pets": "9.9"}}, "contract_versions", "pets 9.9"),
    ({"contract_versions": "pets"}, "contract_versions", "version ids"),
])  # fmt: skip
def test_bad_questions_are_refused_and_nothing_is_stored(member, production, body, field, text):
    response = ask(member, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"] and text in str(response.json()["errors"][field])
    assert not GateEvaluation.objects.exists()


def test_an_environment_of_another_project_is_unknown(api_as, other_project, project, production):
    Environment.objects.create(project=other_project, slug="secret-env", name="S", tier="production")
    response = ask(api_as("member"), environment="secret-env")
    assert response.status_code == 400 and "secret-env" in str(response.json()["errors"]["environment"])


def test_an_oversized_question_is_refused(member, production):
    response = member.post(URL, b"{" + b" " * gates.MAX_REQUEST_BYTES + b"}", content_type="application/json")
    assert response.status_code == 413 and not GateEvaluation.objects.exists()


@pytest.mark.parametrize("role", ["owner", "maintainer", "member", "viewer", "outsider"])
def test_asking_the_gate_needs_write(api_as, production, role):
    response = ask(api_as(role))
    assert response.status_code == expected_status(role, "member", 200), response.content
    assert GateEvaluation.objects.exists() == (response.status_code == 200)


def test_a_read_only_token_cannot_ask(api_as, production):
    assert ask(api_as("member", read_only=True)).status_code == 403
    assert not GateEvaluation.objects.exists()


def test_ensure_default_policy(project, production, staging):
    created = gates.ensure_default_policy(production)
    assert created.pk and {name: getattr(created, name) for name in gates.PRODUCTION_DEFAULTS} == {
        "tests_pass": True, "excuse_flaky": False, "no_new_failures": False, "requirement_coverage": None,
        "no_breaking_contracts": True, "no_lint_errors": False, "incident_freeze": True}  # fmt: skip
    GatePolicy.objects.filter(pk=created.pk).update(tests_pass=False)
    again = gates.ensure_default_policy(production)
    assert again.pk == created.pk and again.tests_pass is False  # a team's choice is kept
    assert gates.ensure_default_policy(staging) is None and GatePolicy.objects.count() == 1


def test_the_gate_costs_the_same_queries_for_more_data(member, project, users, production, run, contract_version):
    """Every check on: the number of queries doesn't grow with runs, failures, versions or incidents."""
    policy(production, tests_pass=True, excuse_flaky=True, no_new_failures=True, requirement_coverage=50,
           no_breaking_contracts=True, no_lint_errors=True, incident_freeze=True)  # fmt: skip

    def scenario(size, commit, old):
        versions = [contract_version(f"api-{size}-{n}", "/a", "/b") for n in range(size)]
        deploy(project, users, old, contract_versions=[v.pk for v in versions])
        for n in range(size):
            run(old, *(f"t{k}:passed" for k in range(size + 1)), name=f"old{n}")
            run(commit, *(f"t{k}:failed" for k in range(size + 1)), name=f"new{n}")
            approved(project, users, f"Must {size} {n}")
            incident(project, production, "sev1", title=f"Down {size} {n}")
        TestCase.objects.filter(name="t0").update(flaky=True)
        newer = [contract_version(f"api-{size}-{n}", "/a") for n in range(size)]
        count, response = count_queries(lambda: ask(member, commit=commit, contract_versions=[v.pk for v in newer]))
        assert response.status_code == 200 and response.json()["pass"] is False
        assert {c["status"] for c in response.json()["checks"]} == {"pass", "fail"}
        return count

    ask(member)  # the first evaluation looks up its content type (for the change log), then it is cached
    small = scenario(1, "1" * 40, "2" * 40)
    GateEvaluation.objects.all().delete()
    large = scenario(4, "3" * 40, "4" * 40)
    # token, membership, environment + policy, contract versions named, runs, flaky failures, current deployment,
    # its runs, new failures, their names, requirements, versions + contracts, running versions (2), incidents,
    # savepoint, evaluation, change log, release
    assert (small, large) == (19, 19)
