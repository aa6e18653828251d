from django.urls import path

from .views import FlakyTestViewSet, TestCaseViewSet, TestRunViewSet

P = "projects/<slug:project_slug>/"

runs = TestRunViewSet.as_view({"get": "list", "post": "create"})
run = TestRunViewSet.as_view({"get": "retrieve", "delete": "destroy"})
cases = TestCaseViewSet.as_view({"get": "list"})
case = TestCaseViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path(P + "test-runs/", runs, name="testrun-list"),
    path(P + "test-runs/trends/", TestRunViewSet.as_view({"get": "trends"}), name="testrun-trends"),
    path(P + "test-runs/<int:pk>/", run, name="testrun-detail"),
    path(
        P + "test-runs/<int:pk>/reports/", TestRunViewSet.as_view({"post": "reports"}), name="testrun-reports"
    ),
    path(
        P + "test-runs/<int:pk>/complete/",
        TestRunViewSet.as_view({"post": "complete"}),
        name="testrun-complete",
    ),
    path(
        P + "test-runs/<int:pk>/reprocess/",
        TestRunViewSet.as_view({"post": "reprocess"}),
        name="testrun-reprocess",
    ),
    path(
        P + "test-runs/<int:pk>/results/", TestRunViewSet.as_view({"get": "results"}), name="testrun-results"
    ),
    path(
        P + "test-runs/<int:pk>/compare/", TestRunViewSet.as_view({"get": "compare"}), name="testrun-compare"
    ),
    path(P + "test-cases/", cases, name="testcase-list"),
    path(P + "test-cases/<int:pk>/", case, name="testcase-detail"),
    path(
        P + "test-cases/<int:pk>/history/",
        TestCaseViewSet.as_view({"get": "history"}),
        name="testcase-history",
    ),
    path(P + "flaky-tests/", FlakyTestViewSet.as_view({"get": "list"}), name="flakytest-list"),
]
