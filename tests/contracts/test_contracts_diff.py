"""The OpenAPI diff engine against what oasdiff's own tests assert (tests/fixtures/contracts/openapi-diff).

Every pair of ``expected.json`` is checked: for an "all-checks" assertion the exact ids, levels and counts at its
threshold; for a "single-check" one, that the expected ids appear with their levels and counts; for a CLI one,
the changelog count / breaking verdict it states.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from apps.contracts.openapi import diff_messages
from apps.contracts.openapi.diff import (
    CHANGE_LEVELS,
    LEVELS,
    Change,
    diff_specs,
    filter_level,
    is_breaking,
    worst_level,
)
from apps.contracts.openapi.diff_bench import measure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "contracts" / "openapi-diff"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
STRIPE = "real-world-stripe-2023-09-11-vs-12"

_cache: dict[str, object] = {}


@pytest.fixture(autouse=True)
def _strict_messages(monkeypatch):
    """A message template that does not fit its arguments fails the test instead of falling back."""
    monkeypatch.setattr(diff_messages, "STRICT", True)


def load(relative: str):
    if relative not in _cache:
        text = (FIXTURES / relative).read_text(encoding="utf-8")
        _cache[relative] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return _cache[relative]


def changes_for(key: str) -> list[Change]:
    entry = EXPECTED[key]
    return diff_specs(load(entry["base"]), load(entry["revision"]))


def _cases():
    for key, entry in EXPECTED.items():
        for index in range(len(entry["assertions"])):
            yield pytest.param(key, index, id=f"{key}[{index}]")


def _check_assertion(changes: list[Change], assertion: dict) -> None:
    scope = assertion["scope"]
    threshold = assertion.get("threshold", "INFO")
    at_threshold = filter_level(changes, threshold)
    ids = [change.id for change in at_threshold]
    listed = {item["id"]: item["default_level"] for item in assertion.get("expected_change_ids", [])}
    for change_id, level in listed.items():
        assert CHANGE_LEVELS[change_id] == level
    if scope == "all-checks":
        if "expected_changes" in assertion:
            assert at_threshold == [], [change.to_dict() for change in at_threshold]
        if "expected_count" in assertion:
            assert len(at_threshold) == assertion["expected_count"], [change.to_dict() for change in at_threshold]
        if listed:
            assert set(ids) <= set(listed), ids
            for change in at_threshold:
                assert change.level == listed[change.id]
            assert set(listed) <= set(ids), ids
        if "expected_changes_ordered" in assertion:
            assert ids == [item["id"] for item in assertion["expected_changes_ordered"]]
        for forbidden in assertion.get("must_not_contain_ids", []):
            assert forbidden not in [change.id for change in changes]
    elif scope.startswith("single-check"):
        relevant = [change for change in at_threshold if change.id in listed]
        assert set(listed) <= {change.id for change in relevant}, ids
        for change in relevant:
            assert change.level == listed[change.id]
        if "expected_count" in assertion:
            assert len(relevant) == assertion["expected_count"], [change.to_dict() for change in relevant]
    else:  # CLI
        if "expected_changelog_count" in assertion:
            assert len(changes) == assertion["expected_changelog_count"], [c.to_dict() for c in changes]
        if assertion.get("has_breaking_change") is True:
            assert filter_level(changes, "WARN")
        if assertion.get("has_breaking_change") is False:
            assert not filter_level(changes, "WARN"), [c.to_dict() for c in changes]
        if assertion.get("has_info_change"):
            assert any(change.level == "INFO" for change in changes)
        if assertion.get("has_err_level_change"):
            assert is_breaking(changes)
    messages = {change.message for change in changes}
    for text in assertion.get("expected_texts", []):
        assert text in messages, sorted(messages)


@pytest.mark.parametrize(("key", "index"), list(_cases()))
def test_corpus_assertion(key, index):
    _check_assertion(changes_for(key), EXPECTED[key]["assertions"][index])


def test_every_corpus_pair_is_covered():
    asserted = {key for key, entry in EXPECTED.items() if entry["assertions"]}
    assert asserted | {STRIPE} == set(EXPECTED)
    assert len(EXPECTED) == 38


def test_corpus_fixture_files_are_present():
    for entry in EXPECTED.values():
        assert (FIXTURES / entry["base"]).is_file()
        assert (FIXTURES / entry["revision"]).is_file()
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for entry in EXPECTED.values():
        assert f"`{entry['base']}`" in readme and f"`{entry['revision']}`" in readme


def test_identical_documents_have_no_changes_at_all():
    for relative in ("specs/openapi-test1.yaml", "specs/required-properties/response-base.json"):
        assert diff_specs(load(relative), load(relative)) == []


def test_stripe_pair_runs_and_finds_the_one_new_request_property():
    """No oasdiff expectation exists for this pair; its textual diff is three description edits and one new
    optional form property ``nonce`` of POST /v1/ephemeral_keys."""
    changes = changes_for(STRIPE)
    assert [(c.id, c.level, c.operation) for c in changes] == [
        ("new-optional-request-property", "INFO", "POST /v1/ephemeral_keys")
    ]
    assert changes[0].message == "added the new optional request property `nonce`"
    assert changes[0].location.startswith("/paths/~1v1~1ephemeral_keys/post/requestBody/content/")


def test_stripe_against_itself_is_empty():
    stripe = load(EXPECTED[STRIPE]["base"])
    assert diff_specs(stripe, stripe) == []


def test_measure_reports_seconds_and_count():
    entry = EXPECTED["test1-vs-test3-mixed"]
    result = measure(FIXTURES / entry["base"], FIXTURES / entry["revision"])
    assert result["changes"] == 22
    assert result["seconds"] >= 0
    assert sum(result["levels"].values()) == 22


# --- public API ---


def test_change_is_frozen_and_serialises_to_exactly_five_keys():
    change = changes_for("path-removed")[0]
    assert change.to_dict() == {
        "id": "api-path-removed-without-deprecation",
        "level": "ERR",
        "operation": "POST /subscribe",
        "location": "/paths/~1subscribe/post",
        "message": "api path removed without deprecation",
    }
    with pytest.raises(AttributeError):
        change.level = "INFO"


def test_levels_table():
    assert LEVELS == {"ERR": 3, "WARN": 2, "INFO": 1}
    assert len(CHANGE_LEVELS) == 509
    assert set(CHANGE_LEVELS.values()) == {"ERR", "WARN", "INFO"}
    assert CHANGE_LEVELS["request-property-enum-value-removed"] == "ERR"
    assert CHANGE_LEVELS["response-property-enum-value-added"] == "WARN"


def test_sorting_breaking_first_then_operation_location_id():
    changes = changes_for("test1-vs-test3-mixed")
    ranks = [LEVELS[change.level] for change in changes]
    assert ranks == sorted(ranks, reverse=True)
    for level in LEVELS:
        same = [(c.operation, c.location, c.id) for c in changes if c.level == level]
        assert same == sorted(same)
    assert Counter(change.level for change in changes) == {"ERR": 2, "WARN": 4, "INFO": 16}


def test_is_breaking_worst_level_and_filter():
    changes = changes_for("test1-vs-test3-mixed")
    assert is_breaking(changes)
    assert worst_level(changes) == "ERR"
    assert worst_level([]) is None
    assert not is_breaking([])
    assert [c.level for c in filter_level(changes, "ERR")] == ["ERR", "ERR"]
    assert {c.level for c in filter_level(changes, "WARN")} == {"ERR", "WARN"}
    assert len(filter_level(changes)) == 2
    warn_only = filter_level(changes, "WARN")[2:]
    assert worst_level(warn_only) == "WARN" and not is_breaking(warn_only)
    with pytest.raises(ValueError):
        filter_level(changes, "FATAL")


def test_every_emitted_id_is_an_oasdiff_id_with_its_default_level():
    for key in EXPECTED:
        for change in changes_for(key):
            assert CHANGE_LEVELS[change.id] == change.level
            assert change.message and "%s" not in change.message


def test_inputs_are_not_modified():
    import copy

    for key in ("test1-vs-test3-mixed", "response-body-wrapped-in-oneof"):
        entry = EXPECTED[key]
        base, revision = load(entry["base"]), load(entry["revision"])
        before = copy.deepcopy((base, revision))
        diff_specs(base, revision)
        assert (base, revision) == before
