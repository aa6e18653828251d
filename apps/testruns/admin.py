from django.contrib import admin

from apps.core.admin import ChangeLoggedAdmin

from .models import ReportUpload, TestCase, TestCaseRequirement, TestRun


class ReportUploadInline(admin.TabularInline):
    model = ReportUpload
    extra = 0
    fields = ["filename", "size", "gzip", "truncated", "status", "cases", "error", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(TestRun)
class TestRunAdmin(ChangeLoggedAdmin):
    list_display = ["__str__", "project", "status", "branch", "tests", "failed", "errors", "skipped", "created_at"]
    list_filter = ["status", "project"]
    search_fields = ["name", "branch", "commit", "external_id"]
    list_select_related = ["project"]
    readonly_fields = ["tests", "passed", "failed", "errors", "skipped", "flaky", "duration", "progress",
                       "started_at", "completed_at", "created_by"]
    inlines = [ReportUploadInline]


@admin.register(TestCase)
class TestCaseAdmin(ChangeLoggedAdmin):
    list_display = ["name", "classname", "suite", "project", "last_status", "flaky", "flips"]
    list_filter = ["last_status", "flaky", "project"]
    search_fields = ["name", "classname", "suite"]
    list_select_related = ["project"]
    raw_id_fields = ["first_failed_run"]


@admin.register(TestCaseRequirement)
class TestCaseRequirementAdmin(ChangeLoggedAdmin):
    list_display = ["test_case", "requirement", "revision", "created_at"]
    list_select_related = ["test_case", "requirement"]
    raw_id_fields = ["test_case", "requirement"]
