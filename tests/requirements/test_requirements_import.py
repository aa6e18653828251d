"""CSV import/export: encodings, columns, keys, parents, formula injection, round trip, 10 000 rows."""

import csv
import io
import json
import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.csvimport import decode_csv
from apps.core.export import escape_formula, to_csv, unescape_formula
from apps.core.models import ObjectChange
from apps.projects.models import Membership
from apps.projects.services import project_create
from apps.requirements import services
from apps.requirements.models import AcceptanceCriterion, Label, Requirement
from apps.requirements.transfer import COLUMNS, requirements_import

BASE = "/api/v1/projects/payments-api/requirements"


def run(project, users, text, dry_run=False):
    data = text.encode() if isinstance(text, str) else text
    return requirements_import(project=project, actor=users["owner"], data=data, dry_run=dry_run)


def test_dry_run_previews_and_saves_nothing(project, users):
    report = run(project, users, "title,priority\nPay,must\nRefund,could\n", dry_run=True)
    assert report.ok and report.created == 2 and not report.saved
    assert [p["title"] for p in report.preview] == ["Pay", "Refund"]
    assert not Requirement.objects.exists()
    assert run(project, users, "title,priority\nPay,must\nRefund,could\n").saved
    assert list(Requirement.objects.values_list("number", "priority")) == [(1, "must"), (2, "could")]


@pytest.mark.parametrize(
    ("raw", "title"),
    [("\ufefftitle\nCafé\n".encode(), "Café"),  # UTF-8 with BOM
     ("title\nCafé\n".encode("cp1252"), "Café"),  # Excel on Windows
     ("title\nNaïve “quotes”\n".encode("cp1252"), "Naïve “quotes”"),
     ("title\nÆble\n".encode("latin-1"), "Æble")],
)  # fmt: skip
def test_encodings(project, users, raw, title):
    assert run(project, users, raw).saved
    assert Requirement.objects.get().title == title


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"), (b"", "empty"),
     (b"name\nx\n", "Missing column(s): title"), (b"title,colour\nx,red\n", "Unknown column(s): colour"),
     (b"title,title\nx,y\n", "given twice"), (b"title\nx,extra\n", "Row 2: 2 cells but only 1 columns")],
)  # fmt: skip
def test_unusable_files_are_refused_with_a_clear_message(project, users, raw, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        run(project, users, raw)
    assert not Requirement.objects.exists()


def test_row_errors_name_row_and_field_and_nothing_is_saved(project, users, make_requirement):
    make_requirement(title="Existing")
    text = (
        "key,title,type,category,priority,status,owner,parent\n"
        "REQ-1,Fine,functional,,must,draft,member,\n"  # row 2: ok (update)
        ",,functional,,must,draft,,\n"  # row 3: title missing
        ",X,functional,,urgent,draft,,\n"  # row 4: bad priority
        ",X,non_functional,,must,draft,,\n"  # row 5: category missing
        ",X,functional,,must,draft,outsider,\n"  # row 6: not a member
        ",X,functional,,must,draft,,REQ-99\n"  # row 7: unknown parent
        "REQ-1,Again,functional,,must,draft,,\n"  # row 8: duplicate key
        "BAD-1,X,functional,,must,draft,,\n"  # row 9: malformed key
        ",X,functional,,must,done,,\n"  # row 10: bad status
    )
    report = run(project, users, text)
    errors = {(e.row, e.field) for e in report.errors}
    assert errors == {(3, "title"), (4, "priority"), (5, "category"), (6, "owner"), (7, "parent"), (8, "key"),
                      (9, "key"), (10, "status")}  # fmt: skip
    assert "first on row 2" in next(e.message for e in report.errors if e.row == 8)
    assert not report.saved
    assert Requirement.objects.get().title == "Existing"


def test_rows_are_validated_by_the_models_own_rules(project, users, monkeypatch):
    """A rule added to a model's clean() reaches the importer without touching it."""
    original_clean, original_criterion_clean = Requirement.clean, AcceptanceCriterion.clean

    def clean(self):
        original_clean(self)
        if "forbidden" in self.title:
            raise ValidationError({"title": "That word is not allowed."})

    def criterion_clean(self):
        original_criterion_clean(self)
        if self.text.startswith("TODO"):
            raise ValidationError({"text": "Write the criterion, not a TODO."})

    monkeypatch.setattr(Requirement, "clean", clean)
    monkeypatch.setattr(AcceptanceCriterion, "clean", criterion_clean)
    report = run(project, users, 'title,criteria\nfine,ok\na forbidden title,"ok\nTODO later"\n')
    assert [(e.row, e.field) for e in report.errors] == [(3, "title"), (3, "criteria")]
    assert report.errors[0].message == "That word is not allowed."
    assert report.errors[1].message == "Criterion 2 ('TODO later'): Write the criterion, not a TODO."
    assert not Requirement.objects.exists()


def test_model_messages_name_the_field_and_list_the_choices(project, users):
    long_label, long_criterion = "x" * 51, "y" * 1001
    text = (
        "title,type,priority,labels,criteria\n"
        f"A,functional,Urgent,ok,{long_criterion}\n"
        f"B,functionnal,must,{long_label},\n"
        f"{'t' * 201},functional,must,,\n"
    )
    errors = {(e.row, e.field): e.message for e in run(project, users, text).errors}
    assert errors[(2, "priority")] == "Value 'urgent' is not a valid choice. Choose one of: must, should, could, wont."
    assert "Ensure this value has at most 1000 characters (it has 1001)" in errors[(2, "criteria")]
    assert errors[(3, "type")].endswith("Choose one of: functional, non_functional.")
    assert errors[(3, "labels")] == "'xxxxxxxxxxxxxxxxxxxx…': Ensure this value has at most 50 characters (it has 51)."
    assert errors[(4, "title")] == "Ensure this value has at most 200 characters (it has 201)."
    assert len(errors) == 5


def test_label_rules_live_in_the_label_model(project, users):
    with pytest.raises(ValidationError) as caught:
        Label(project=project, name="api;ux").full_clean()
    assert caught.value.message_dict == {"name": ["A label can't contain ',' or ';' (they separate labels)."]}
    with pytest.raises(ValidationError) as caught:
        services.labels_resolve(project=project, names=["fine", "a,b", "z" * 60])
    assert caught.value.message_dict["labels"] == [
        "'a,b': A label can't contain ',' or ';' (they separate labels).",
        "'zzzzzzzzzzzzzzzzzzzz…': Ensure this value has at most 50 characters (it has 60).",
    ]
    assert not Label.objects.exists()
    assert [label.name for label in services.labels_resolve(project=project, names=["api", "api "])] == ["api"]


def test_cycles_in_the_file_are_refused(project, users):
    text = "key,title,parent\nREQ-1,A,REQ-2\nREQ-2,B,REQ-1\nREQ-3,C,REQ-3\n"
    report = run(project, users, text)
    assert {(e.row, e.field) for e in report.errors} >= {(2, "parent"), (3, "parent"), (4, "parent")}
    assert not Requirement.objects.exists()


def _chain(count: int, *, loop: bool = False) -> str:
    """REQ-1 at the top, each next requirement the child of the one before (or a loop of them)."""
    lines = ["key,title,parent", f"REQ-1,R1,{f'REQ-{count}' if loop else ''}"]
    lines += [f"REQ-{n},R{n},REQ-{n - 1}" for n in range(2, count + 1)]
    return "\n".join(lines) + "\n"


def test_a_fifty_thousand_row_chain_is_checked_in_linear_time_and_refused_past_the_depth_limit(project, users):
    started = time.monotonic()
    report = run(project, users, _chain(50_000))
    elapsed = time.monotonic() - started
    assert [(e.row, e.field) for e in report.errors] == [(1002, "parent")]  # the first row past the limit
    assert report.errors[0].message == (
        "REQ-1000 as parent would put REQ-1001 1001 levels deep; the hierarchy allows at most 1000."
    )
    assert elapsed < 30, elapsed  # a guard against hangs (walking every row's chain took minutes)
    assert not Requirement.objects.exists()


def test_a_fifty_thousand_row_cycle_is_found_in_linear_time(project, users):
    started = time.monotonic()
    report = run(project, users, _chain(50_000, loop=True), dry_run=True)
    assert time.monotonic() - started < 30
    assert len(report.errors) == 50_000 and {e.field for e in report.errors} == {"parent"}
    assert report.errors[0].message == "REQ-50000 as parent of REQ-1 makes a cycle."


def test_rows_below_a_cycle_are_not_blamed_for_it(project, users):
    text = "key,title,parent\nREQ-1,A,REQ-2\nREQ-2,B,REQ-1\nREQ-3,Under the loop,REQ-2\n,New under it,REQ-3\n"
    assert [(e.row, e.field) for e in run(project, users, text).errors] == [(2, "parent"), (3, "parent")]


def test_a_thousand_levels_are_saved_parents_first_with_one_insert_per_level(project, users, make_requirement):
    top = make_requirement(title="Existing top")
    lines = ["key,title,parent", f"REQ-2,L2,{top.key}"] + [f"REQ-{n},L{n},REQ-{n - 1}" for n in range(3, 1000)]
    lines.append(",Keyless leaf,REQ-999")  # level 1000 under an existing top: the deepest allowed
    with CaptureQueriesContext(connection) as queries:
        assert run(project, users, "\n".join(lines)).saved
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "requirements_requirement"')]
    assert len(inserts) == 999  # one per level below the existing top
    leaf = Requirement.objects.get(title="Keyless leaf")
    assert leaf.number == 1000 and leaf.parent.number == 999
    assert Requirement.objects.get(number=2).parent_id == top.pk
    too_deep = run(project, users, f"title,parent\nOne more,{leaf.key}\n")
    assert too_deep.errors[0].message.endswith("1001 levels deep; the hierarchy allows at most 1000.")


def test_deleted_keys_are_not_reused_by_import(project, users, make_requirement):
    services.requirement_delete(requirement=make_requirement(), actor=users["owner"])
    report = run(project, users, "key,title\nREQ-1,Back from the dead\n")
    assert report.errors[0].field == "key" and "never reused" in report.errors[0].message


def test_new_keys_are_kept_and_the_counter_moves_past_them(project, users, make_requirement):
    assert run(project, users, "key,title,parent\nREQ-5,Five,\n,No key,REQ-5\n").saved
    assert list(Requirement.objects.values_list("number", "parent__number")) == [(5, None), (6, 5)]
    assert make_requirement().key == "REQ-7"


def test_import_updates_existing_and_records_revisions_and_transitions(project, users, make_requirement):
    requirement = make_requirement(title="Old", criteria=["a"], labels=["x"])
    assert run(project, users, "key,title,status,labels,criteria\nREQ-1,New,approved,y;z,[x] a\n").saved
    requirement.refresh_from_db()
    assert (requirement.title, requirement.status, requirement.revision) == ("New", "approved", 2)
    assert sorted(requirement.labels.values_list("name", flat=True)) == ["y", "z"]
    assert list(requirement.criteria.values_list("text", "met")) == [("a", True)]
    assert requirement.transitions.get().to_status == "approved"


def test_import_is_logged_once(project, users):
    before = ObjectChange.objects.count()
    run(project, users, "title\n" + "".join(f"R{n}\n" for n in range(50)))
    assert ObjectChange.objects.count() == before + 1
    assert ObjectChange.objects.first().verb == "imported requirements"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR"])
def test_formula_cells_are_escaped_on_export_and_restored_on_import(cell):
    assert escape_formula(cell) == "'" + cell
    assert unescape_formula(escape_formula(cell)) == cell
    rows = list(csv.reader(io.StringIO(to_csv([{"title": cell}], ["title"]))))
    assert rows[1] == ["'" + cell]
    assert escape_formula("Plain") == "Plain" and unescape_formula("'quoted") == "'quoted"


def test_export_escapes_formula_injection(api_as, make_requirement):
    make_requirement(title="=cmd|' /C calc'!A0", description="@SUM(1)")
    body = api_as("viewer").get(f"{BASE}/export/?format=csv").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["key"] == "REQ-1")
    assert row["title"] == "'=cmd|' /C calc'!A0" and row["description"] == "'@SUM(1)"


def test_round_trip_into_an_empty_project(api_as, project, users, make_requirement, walk):
    top = walk(make_requirement(title="Top", description="**md**\nline 2", owner=users["member"], labels=["a", "b"],
                                criteria=["Given x, then y", "-5 ms"]), "in_review", "approved")  # fmt: skip
    make_requirement(title="=Child", parent=top, type="non_functional", category="security", priority="wont",
                     rationale="Because", source="Sales, EMEA")  # fmt: skip
    services.criterion_update(criterion=top.criteria.first(), actor=users["owner"], met=True)
    services.requirement_delete(requirement=make_requirement(title="Gone"), actor=users["owner"])
    make_requirement(title="Last")
    exported = api_as("viewer").get(f"{BASE}/export/?format=csv").content
    empty = project_create(actor=users["owner"], name="Copy", slug="copy")
    Membership.objects.create(project=empty, user=users["member"], role="member")
    report = requirements_import(project=empty, actor=users["owner"], data=exported)
    assert report.saved, report.errors

    def dump(p):
        return api_as("owner").get(f"/api/v1/projects/{p.slug}/requirements/export/?format=json").json()["requirements"]

    source, copy = dump(project), dump(empty)
    for record in source + copy:
        record.pop("revision")  # the copy starts again at revision 1; content and fingerprint are equal
    assert copy == source
    assert [r["key"] for r in copy] == ["REQ-1", "REQ-2", "REQ-4"]
    assert services.requirement_create(project=empty, actor=users["owner"], title="Next").key == "REQ-5"


def test_json_export(api_as, make_requirement):
    make_requirement(title="Pay", labels=["x"], criteria=["c"])
    response = api_as("viewer").get(f"{BASE}/export/?format=json&q=pay")
    assert response["Content-Disposition"].endswith('.json"')
    data = json.loads(response.content)
    assert data["requirements"][0] == {**data["requirements"][0], "key": "REQ-1", "labels": ["x"],
                                       "criteria": [{"text": "c", "met": False}]}  # fmt: skip


def test_api_import_reports_row_errors_as_400(api_as, project):
    api = api_as("maintainer")
    response = api.post(f"{BASE}/import/", "title,owner\nX,ghost\n", content_type="text/csv")
    assert response.status_code == 400
    ghost = {"row": 2, "field": "owner", "message": "No member of this project is called 'ghost'."}
    assert response.json()["errors"]["rows"] == [ghost]
    response = api.post(f"{BASE}/import/", "colour\nred\n", content_type="text/csv")
    assert response.status_code == 400 and "Missing column(s): title" in str(response.json()["errors"])
    response = api.post(f"{BASE}/import/?dry_run=1", "title\nX\n", content_type="text/csv")
    assert response.status_code == 200 and response.json()["created"] == 1 and not Requirement.objects.exists()
    response = api.post(f"{BASE}/import/", "title\nX\n", content_type="text/csv")
    assert response.status_code == 201 and Requirement.objects.get().title == "X"


def test_api_import_takes_a_multipart_file(api_as, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.csv", b"\xef\xbb\xbftitle\nFrom a file\n", content_type="text/csv")
    response = api_as("maintainer").post(f"{BASE}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()


def test_too_big_is_refused():
    with pytest.raises(ValidationError, match="limit"):
        decode_csv(b"title\n" + b"x" * 100, max_bytes=50)


def test_too_many_rows_is_refused(project, users, monkeypatch):
    from apps.core import csvimport

    monkeypatch.setattr(csvimport.read_csv, "__kwdefaults__", {"max_rows": 3})
    with pytest.raises(ValidationError, match="More than 3 rows"):
        run(project, users, "title\na\nb\nc\nd\n")


def test_ten_thousand_rows(project, users, django_assert_max_num_queries):
    lines = ["key,title,description,priority,owner,labels,parent,criteria"]
    for n in range(1, 10_001):
        parent = f"REQ-{(n - 1) // 10}" if n > 10 else ""
        lines.append(f'REQ-{n},Requirement {n},Text {n},should,member,"l{n % 7}, all",{parent},"Given {n}\nThen ok"')
    text = "\n".join(lines)
    started = time.monotonic()
    # Batched, never per row: SQLite's 999-parameter limit makes batches small, hence ~450 queries.
    with django_assert_max_num_queries(1000):
        report = run(project, users, text)
    elapsed = time.monotonic() - started
    assert report.saved and report.created == 10_000, report.errors[:3]
    assert elapsed < 30
    assert Requirement.objects.count() == 10_000
    assert Requirement.objects.get(number=10_000).parent.number == 999
    assert Requirement.labels.through.objects.count() == 20_000
    assert Requirement.objects.get(number=1).criteria.count() == 2
    assert list(COLUMNS)[0] == "key"


def test_reimporting_an_export_reports_its_rows_unchanged_and_writes_nothing(api_as, project, make_requirement):
    from apps.core.models import ObjectChange
    from apps.requirements.models import Requirement, RequirementRevision

    make_requirement(title="Refunds", labels=["money"], criteria=["Given a capture, then refund"])
    make_requirement(title="Payouts")
    api = api_as("maintainer")
    base = f"/api/v1/projects/{project.slug}/requirements"
    exported = api.get(f"{base}/export/?format=csv").content
    stamps = list(Requirement.objects.values_list("updated_at", flat=True))
    revisions = RequirementRevision.objects.count()
    report = api.post(f"{base}/import/", data=exported, content_type="text/csv").json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
    assert {row["action"] for row in report["preview"]} == {"unchanged"}
    assert list(Requirement.objects.values_list("updated_at", flat=True)) == stamps
    assert RequirementRevision.objects.count() == revisions
    edited = exported.replace(b"Payouts", b"Daily payouts")
    report = api.post(f"{base}/import/", data=edited, content_type="text/csv").json()
    assert (report["updated"], report["unchanged"]) == (1, 1)
    assert ObjectChange.objects.filter(verb="imported requirements").first().message.startswith(
        "0 created, 1 updated, 1 unchanged")
