from django.urls import path

from . import views

app_name = "testruns"

urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("tests/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
]
