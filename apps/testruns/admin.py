from django.contrib import admin

from apps.core.admin import KitAdmin, ServiceAdmin

from .models import ReportUpload, TestCaseRequirement


class ReportUploadInline(admin.TabularInline):
    model = ReportUpload
    extra = 0
    fields = ["filename", "size", "gzip", "truncated", "status", "cases", "error", "created_at"]
    readonly_fields = fields
    can_delete = False


class TestRunAdmin(KitAdmin):
    """Registered by the test-runs kit: deleting a run here deletes its stored files too."""

    list_display = ["__str__", "project", "status", "branch", "tests", "failed", "errors", "skipped", "created_at"]
    list_filter = ["status", "project"]
    search_fields = ["name", "branch", "commit", "external_id"]
    list_select_related = ["project"]
    readonly_fields = ["tests", "passed", "failed", "errors", "skipped", "flaky", "duration", "progress",
                       "started_at", "completed_at", "created_by"]
    inlines = [ReportUploadInline]


class TestCaseAdmin(KitAdmin):
    """Registered by the tests kit (apps.testruns.views)."""

    list_display = ["name", "classname", "suite", "project", "last_status", "flaky", "flips"]
    list_filter = ["last_status", "flaky", "project"]
    search_fields = ["name", "classname", "suite"]
    list_select_related = ["project"]
    raw_id_fields = ["first_failed_run"]


@admin.register(TestCaseRequirement)
class TestCaseRequirementAdmin(ServiceAdmin):
    list_display = ["test_case", "requirement", "revision", "created_at"]
    list_select_related = ["test_case", "requirement"]
    raw_id_fields = ["test_case", "requirement"]
