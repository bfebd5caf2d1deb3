from django.urls import path

from . import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.index, name="index"),
    path("templat/<slug:kind>/", import_views.template, name="template"),
    path("<int:pk>/", import_views.job_detail, name="job"),
    path("<int:pk>/impor/", import_views.job_confirm, name="confirm"),
]
