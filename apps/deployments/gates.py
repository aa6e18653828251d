"""The release gate CI asks before a deploy (``POST …/gates/check/``): may this commit go to that
environment now? The environment's ``GatePolicy`` (or, without one, the model's defaults) chooses the
checks; each answers ``{"name", "status", "detail", "url"}`` — pass, fail or skipped (not required by
the policy), a sentence, and the page to look at. Every answer is kept as a ``GateEvaluation``.

The checks read what the other apps keep, never a copy of their logic: test runs and results
(testruns: a run's totals, a test's ``flaky`` flag), verification (``requirements.verification``),
the contract diff (``contracts.pipeline.diff``) and the lint findings stored on each version.
A commit is matched by prefix either way (CI may send or have reported a short SHA), at least 7
characters, as git abbreviates."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.urls import NoReverseMatch, reverse

from apps.contracts import pipeline as contract_pipeline
from apps.contracts.models import Contract, ContractVersion
from apps.contracts.openapi.diff_model import filter_level
from apps.core.changelog import log_change
from apps.core.kit import kit_for
from apps.core.models import ObjectChange
from apps.requirements.models import KEY_PREFIX, Requirement
from apps.requirements.verification import VERIFIED, annotate_verification
from apps.testruns.models import FAILING, RunStatus, Status, TestCase, TestResult, TestRun

from . import services
from .models import Deployment, Environment, GateEvaluation, GatePolicy, Incident
from .receivers.report import ReportError, check_sha
from .services import PRODUCTION_DEFAULTS, ensure_default_policy  # noqa: F401 - part of the gate's API

PASS, FAIL, SKIPPED = STATUSES = ("pass", "fail", "skipped")
CHECKS = ("tests_pass", "no_new_failures", "requirement_coverage", "no_breaking_contracts", "no_lint_errors",
          "incident_freeze")  # fmt: skip
#: What a production environment's gate checks from the start (ensure_default_policy).
#: Requirements past approval still count: implementing or verifying one doesn't take it off the gate.
COVERED_STATUSES = (Requirement.Status.APPROVED, Requirement.Status.IMPLEMENTED, Requirement.Status.VERIFIED)
FREEZING = (Incident.Severity.SEV1, Incident.Severity.SEV2)
MAX_REQUEST_BYTES = 1024 * 1024  # the question is a few fields and at most 500 contract versions
NAMED = 5  # names a detail lists before "and N more"
MIN_SHA = 7


# ---- the public doors --------------------------------------------------------------------------------


def gate_check(*, project, actor, environment: str, commit: str, version: str = "",
               contract_versions=None) -> GateEvaluation:  # fmt: skip
    """Evaluate the gate of environment ``environment`` (a slug) for ``commit`` (7-40 hex) and the
    contract versions named (ids, or {contract slug: label}); store and return the evaluation.
    Bad input is a ValidationError naming the field, and then nothing is stored."""
    errors = {}
    slug = str(environment or "").strip()
    env = Environment.objects.select_related("gate_policy").filter(project=project, slug=slug).first()
    if env is None:
        errors["environment"] = f"This project has no environment “{slug}”." if slug else "Name the environment."
    try:
        sha = check_sha(commit, "commit")
    except ReportError as exc:
        errors["commit"] = exc.message
    if errors:
        raise ValidationError(errors)
    versions = services.resolve_contract_versions(project, contract_versions)
    env.project = project  # the checks read it: no query for it
    checks = evaluate(environment=env, policy=policy_for(env), commit=sha, contract_versions=versions)
    failing = [check for check in checks if check["status"] == FAIL]
    evaluation = GateEvaluation(project=project, environment=env, commit=sha, version=str(version or "")[:100],
                                passed=not failing, reasons=[check["detail"] for check in failing], checks=checks,
                                actor=actor if getattr(actor, "is_authenticated", False) else None)  # fmt: skip
    evaluation.full_clean(exclude=["project", "environment", "actor", "reasons", "checks"], validate_constraints=False)
    with transaction.atomic():
        evaluation.save()
        log_change(actor=actor, instance=evaluation, action=ObjectChange.Action.CREATE, verb="asked",
                   message=("passed" if evaluation.passed else "failed: " + "; ".join(evaluation.reasons)))  # fmt: skip
    return evaluation


def policy_for(environment: Environment) -> GatePolicy:
    """The environment's policy; without one, an unsaved policy with the model's defaults."""
    try:
        return environment.gate_policy
    except GatePolicy.DoesNotExist:
        return GatePolicy(environment=environment, project_id=environment.project_id)


def latest_evaluation(*, environment: Environment, commit: str) -> GateEvaluation | None:
    """The newest evaluation of the gate for this environment and commit (either SHA may be the short one)."""
    sha = str(commit or "").strip().lower()
    if len(sha) < MIN_SHA:
        return None
    return (GateEvaluation.objects.filter(environment=environment).filter(_sha_match("commit", sha))
            .select_related("actor").order_by("-created_at", "-id").first())  # fmt: skip


def evaluate(*, environment: Environment, policy: GatePolicy, commit: str, contract_versions=()) -> list[dict]:
    """Every check in ``CHECKS`` order: those the policy leaves off come back ``skipped``."""
    gate = _Gate(environment=environment, policy=policy, commit=commit, contract_versions=list(contract_versions))
    enabled = {
        "tests_pass": policy.tests_pass,
        "no_new_failures": policy.no_new_failures,
        "requirement_coverage": policy.requirement_coverage is not None,
        "no_breaking_contracts": policy.no_breaking_contracts,
        "no_lint_errors": policy.no_lint_errors,
        "incident_freeze": policy.incident_freeze,
    }
    return [getattr(gate, name)() if enabled[name] else _check(name, SKIPPED, "Not required by this gate's policy.")
            for name in CHECKS]  # fmt: skip


# ---- helpers ----------------------------------------------------------------------------------------------


def _check(name: str, status: str, detail: str, url: str = "") -> dict:
    return {"name": name, "status": status, "detail": detail, "url": url}


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _names(names: list[str], total: int | None = None) -> str:
    total = len(names) if total is None else total
    shown = ", ".join(names[:NAMED])
    return shown + (f" and {total - NAMED} more" if total > NAMED else "")


def _short(sha: str) -> str:
    return sha[:12]


def _sha_match(field: str, sha: str) -> Q:
    """``field`` holds this commit: it starts with ``sha``, or is a (≥7-character) prefix of it."""
    prefixes = [sha[:length] for length in range(MIN_SHA, len(sha) + 1)]
    return Q(**{f"{field}__startswith": sha}) | Q(**{f"{field}__in": prefixes})


def runs_of_commit(project, sha: str):
    """The project's test runs of this commit (testruns keeps the SHA as CI sent it: any case, any length)."""
    return TestRun.objects.filter(project=project).alias(sha=Lower("commit")).filter(_sha_match("sha", sha.lower()))


def _page(model, page: str, instance=None, *, project, query: str = "") -> str:
    """A page of a model's kit, or "" when it has none (yet)."""
    try:
        return kit_for(model).url(page, instance, project=project) + query
    except (KeyError, NoReverseMatch):
        return ""


def _run_label(run: TestRun) -> str:
    return f"{run.name or 'run'} #{run.number}"


class _Gate:
    """One evaluation: the checks, and what several of them read, read once."""

    def __init__(self, *, environment: Environment, policy: GatePolicy, commit: str, contract_versions: list):
        self.environment, self.policy, self.commit = environment, policy, commit
        self.project = environment.project
        self.contract_versions = contract_versions

    # -- tests --

    def _runs(self) -> list[TestRun]:
        if not hasattr(self, "_run_rows"):
            fields = ("id", "project_id", "number", "name", "commit", "status", "error", "is_open", "failed", "errors")
            self._run_rows = list(runs_of_commit(self.project, self.commit).only(*fields).order_by("-id"))
        return self._run_rows

    def _unexcused(self) -> dict[int, int]:
        """Failing results per run that don't belong to a known-flaky test (only runs with failures)."""
        failing = [run.pk for run in self._runs() if run.failed + run.errors]
        if not failing:
            return {}
        rows = (TestResult.objects.filter(run_id__in=failing, status__in=FAILING).values("run_id")
                .annotate(left=Count("id", filter=Q(test_case__flaky=False))).order_by())  # fmt: skip
        return {row["run_id"]: row["left"] for row in rows}

    def _run_url(self, run: TestRun) -> str:
        return _page(TestRun, "detail", run, project=self.project)

    def tests_pass(self) -> dict:
        runs = self._runs()
        if not runs:
            url = _page(TestRun, "list", project=self.project, query=f"?commit={self.commit}")
            return _check("tests_pass", FAIL, f"No test runs for {_short(self.commit)}.", url)
        unexcused = self._unexcused() if self.policy.excuse_flaky else None
        problems, excused = [], 0
        for run in runs:
            label = _run_label(run)
            if run.status == RunStatus.FAILED:
                problems.append((run, f"{label} could not be read"))
            elif run.status != RunStatus.COMPLETE or run.is_open:
                problems.append((run, f"{label} is not finished ({run.get_status_display().lower()})"))
            else:
                failing = run.failed + run.errors
                if unexcused is not None and failing:
                    excused += failing - unexcused.get(run.pk, 0)
                    failing = unexcused.get(run.pk, 0)
                if failing:
                    problems.append((run, f"{label} has {_plural(failing, 'failing test')}"))
        note = f" ({_plural(excused, 'failure')} of known-flaky tests excused)" if excused else ""
        if problems:
            detail = f"Tests of {_short(self.commit)}: " + _names([text for _, text in problems]) + note + "."
            return _check("tests_pass", FAIL, detail, self._run_url(problems[0][0]))
        detail = f"{_plural(len(runs), 'test run')} of {_short(self.commit)} complete, none failing{note}."
        return _check("tests_pass", PASS, detail, self._run_url(runs[0]))

    def no_new_failures(self) -> dict:
        env = self.environment.slug
        deployed = services.current_deployment(environment=self.environment)
        if deployed is None:
            return _check("no_new_failures", PASS, f"Nothing is deployed to {env} yet: no failures to compare.")
        running = (deployed.commit or "").lower()
        if not running:
            return _check("no_new_failures", PASS, f"What {env} runs ({deployed}) has no commit: nothing to compare.")
        if running.startswith(self.commit) or self.commit.startswith(running):
            return _check("no_new_failures", PASS, f"{env} already runs {_short(self.commit)}.")
        if not self._runs():
            return _check("no_new_failures", PASS, f"No test runs for {_short(self.commit)}: nothing to compare.")
        base = list(runs_of_commit(self.project, running).values_list("id", flat=True))
        if not base:
            return _check("no_new_failures", PASS,
                          f"No test runs for {_short(running)} ({env} now): nothing to compare.")  # fmt: skip
        passed_there = TestResult.objects.filter(run_id__in=base, test_case_id=OuterRef("test_case_id"),
                                                 status=Status.PASSED)  # fmt: skip
        failing = TestResult.objects.filter(run_id__in=[run.pk for run in self._runs()], status__in=FAILING)
        if self.policy.excuse_flaky:
            failing = failing.filter(test_case__flaky=False)
        new = failing.filter(Exists(passed_there))
        count = len(set(new.values_list("test_case_id", flat=True)))
        there = f"{_short(running)} ({env} now)"
        if not count:
            return _check("no_new_failures", PASS, f"No test that passes on {there} fails on {_short(self.commit)}.")
        cases = list(TestCase.objects.filter(pk__in=Subquery(new.values("test_case_id")))
                     .only("id", "project_id", "suite", "classname", "name")
                     .order_by("suite", "classname", "name", "id")[:NAMED])  # fmt: skip
        detail = (f"{_plural(count, 'test')} passing on {there} "
                  f"{'fails' if count == 1 else 'fail'} on {_short(self.commit)}: "
                  f"{_names([str(case) for case in cases], count)}.")  # fmt: skip
        return _check("no_new_failures", FAIL, detail, _page(TestCase, "detail", cases[0], project=self.project))

    # -- requirements --

    def requirement_coverage(self) -> dict:
        threshold = self.policy.requirement_coverage
        wanted = Requirement.objects.filter(project=self.project, priority=Requirement.Priority.MUST,
                                            status__in=COVERED_STATUSES)  # fmt: skip
        rows = list(annotate_verification(wanted).order_by("number").values_list("number", "verification"))
        url = _page(Requirement, "list", project=self.project, query="?priority=must")
        if not rows:
            return _check("requirement_coverage", PASS, "No approved must-have requirements: nothing to cover.", url)
        verified = sum(1 for _, state in rows if state == VERIFIED)
        percent = math.floor(100 * verified / len(rows))
        detail = (f"{verified} of {_plural(len(rows), 'approved must-have requirement')} verified by passing tests "
                  f"({percent} %; the gate needs {threshold} %)")  # fmt: skip
        if verified * 100 >= threshold * len(rows):
            return _check("requirement_coverage", PASS, detail + ".", url)
        missing = [f"{KEY_PREFIX}{number}" for number, state in rows if state != VERIFIED]
        return _check("requirement_coverage", FAIL, f"{detail}. Not verified: {_names(missing)}.", url)

    # -- contracts --

    def _versions(self) -> list[ContractVersion]:
        """The versions named, with their contracts (what resolve_contract_versions found, in its order)."""
        if not hasattr(self, "_version_rows"):
            ids = [version.pk for version in self.contract_versions]
            rows = ContractVersion.objects.filter(pk__in=ids).select_related("contract").defer("raw")
            found = {version.pk: version for version in rows}
            self._version_rows = [found[pk] for pk in dict.fromkeys(ids)]
        return self._version_rows

    def _running_versions(self) -> dict[int, ContractVersion]:
        """{contract id: the version the environment runs}: per contract, the version its latest successful
        deployment carrying that contract brought (a deployment may carry only some of the contracts)."""
        through = Deployment.contract_versions.through
        latest = (through.objects.filter(deployment__environment=self.environment,
                                         deployment__status=Deployment.Status.SUCCESS,
                                         contractversion__contract_id=OuterRef("pk"))
                  .order_by("-deployment__finished_at", "-deployment_id").values("contractversion_id")[:1])  # fmt: skip
        contract_ids = {version.contract_id for version in self._versions()}
        running = dict(Contract.objects.filter(pk__in=contract_ids).annotate(running=Subquery(latest))
                       .filter(running__isnull=False).values_list("pk", "running"))  # fmt: skip
        if not running:
            return {}
        versions = ContractVersion.objects.filter(pk__in=running.values()).defer("raw")
        return {version.contract_id: version for version in versions}

    def _contract_page(self, page: str, version: ContractVersion, query: str = "", **kwargs) -> str:
        try:
            return reverse(f"contracts:{page}", kwargs={"project_slug": self.project.slug,
                                                        "slug": version.contract.slug, **kwargs}) + query  # fmt: skip
        except NoReverseMatch:
            return ""

    def _version_url(self, version: ContractVersion) -> str:
        return self._contract_page("version_detail", version, number=version.number)

    def no_breaking_contracts(self) -> dict:
        versions = self._versions()
        if not versions:
            return _check("no_breaking_contracts", PASS, "No contract versions named.")
        env = self.environment.slug
        running = self._running_versions()
        problems, notes = [], []
        for version in versions:
            name, now = f"{version.contract.slug} v{version.number}", running.get(version.contract_id)
            if version.status != ContractVersion.Status.VALID:
                state = "is invalid" if version.status == ContractVersion.Status.INVALID else "is not processed yet"
                problems.append((f"{name} {state}: it can't be compared", self._version_url(version)))
            elif now is None:
                notes.append(f"{name}: none of {version.contract.slug} in {env} yet")
            elif now.pk == version.pk:
                notes.append(f"{name}: already in {env}")
            elif now.document is None:
                notes.append(f"{name}: {env} runs v{now.number}, which is invalid: nothing to compare")
            else:
                changes = contract_pipeline.diff(now.document, version.document)
                breaking = filter_level(changes, "ERR")
                url = self._contract_page("version_diff", version, f"?base={now.number}&revision={version.number}")
                if breaking:
                    text = (f"{name} breaks v{now.number} ({env} now) with "
                            f"{_plural(len(breaking), 'breaking change')}, e.g. {breaking[0]['message']}")  # fmt: skip
                    problems.append((text, url))
                else:
                    notes.append(f"{name}: no breaking change against v{now.number}")
        if problems:
            return _check("no_breaking_contracts", FAIL, _names([text for text, _ in problems]) + ".", problems[0][1])
        return _check("no_breaking_contracts", PASS, _names(notes) + ".")

    def no_lint_errors(self) -> dict:
        versions = self._versions()
        if not versions:
            return _check("no_lint_errors", PASS, "No contract versions named.")
        problems = []
        for version in versions:
            name = f"{version.contract.slug} v{version.number}"
            if version.status not in ContractVersion.FINISHED:
                problems.append((f"{name} is not linted yet", version))
                continue
            errors = [finding for finding in version.lint or [] if finding.get("severity") == "error"]
            if errors:
                first = errors[0]
                problems.append((f"{name} has {_plural(len(errors), 'lint error')}, e.g. "
                                 f"{first.get('rule', '')}: {first.get('message', '')}", version))  # fmt: skip
        if problems:
            detail = _names([text for text, _ in problems]) + "."
            return _check("no_lint_errors", FAIL, detail, self._version_url(problems[0][1]))
        names = _names([f"{version.contract.slug} v{version.number}" for version in versions])
        return _check("no_lint_errors", PASS, f"No lint errors in {names}.")

    # -- incidents --

    def incident_freeze(self) -> dict:
        env = self.environment.slug
        incidents = list(Incident.objects.filter(project=self.project, environment=self.environment,
                                                 resolved_at__isnull=True, severity__in=FREEZING)
                         .only("id", "project_id", "title", "severity")
                         .order_by("severity", "-started_at", "-id"))  # fmt: skip
        if not incidents:
            return _check("incident_freeze", PASS, f"No open SEV1 or SEV2 incident in {env}.")
        names = [f"{incident.severity.upper()} “{incident.title}”" for incident in incidents]
        detail = f"{env} is frozen by {_plural(len(incidents), 'open incident')}: {_names(names)}."
        return _check("incident_freeze", FAIL, detail, _page(Incident, "detail", incidents[0], project=self.project))
