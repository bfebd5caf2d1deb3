from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("target/<int:year>/", views.targets, name="targets"),
    path("target/<int:year>/salin/", views.copy_targets, name="copy_targets"),
    path("pdf/", views.report_create, name="report_create"),
    path("pdf/<int:pk>/", views.report_detail, name="report"),
    path("pdf/<int:pk>/unduh/", views.report_download, name="report_download"),
    path("arsip/", views.archive, name="archive"),
]
