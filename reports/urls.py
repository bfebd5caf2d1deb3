from django.urls import path

from . import personal_data_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("target/<int:year>/", views.targets, name="targets"),
    path("target/<int:year>/salin/", views.copy_targets, name="copy_targets"),
    path("pdf/", views.report_create, name="report_create"),
    path("pdf/<int:pk>/", views.report_detail, name="report"),
    path("pdf/<int:pk>/unduh/", views.report_download, name="report_download"),
    path("arsip/", views.archive, name="archive"),
    path("data-pribadi/", personal_data_views.personal_data_page, name="personal_data"),
    path("data-pribadi/hapus/", personal_data_views.erase, name="personal_data_erase"),
    path(
        "data-pribadi/penghapusan/<int:pk>/",
        personal_data_views.erasure_detail,
        name="erasure",
    ),
    path(
        "data-pribadi/salinan/",
        personal_data_views.export_create,
        name="personal_data_export_create",
    ),
    path(
        "data-pribadi/salinan/<int:pk>/",
        personal_data_views.export_detail,
        name="personal_data_export",
    ),
    path(
        "data-pribadi/salinan/<int:pk>/unduh/",
        personal_data_views.export_download,
        name="personal_data_export_download",
    ),
]
