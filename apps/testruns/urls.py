from django.urls import path

from . import views

app_name = "testruns"

urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("<int:pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
    path("<int:pk>/results/", views.RunResultsView.as_view(), name="run_results"),
    path("<int:pk>/delete/", views.RunDeleteView.as_view(), name="run_delete"),
    path("<int:pk>/reprocess/", views.RunReprocessView.as_view(), name="run_reprocess"),
    path("tests/", views.CaseListView.as_view(), name="case_list"),
    path("tests/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("flaky/", views.FlakyListView.as_view(), name="flaky_list"),
    path("trends/", views.TrendsView.as_view(), name="trends"),
    path("compare/", views.CompareView.as_view(), name="compare"),
]
