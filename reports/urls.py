from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("target/<int:year>/", views.targets, name="targets"),
    path("target/<int:year>/salin/", views.copy_targets, name="copy_targets"),
]
