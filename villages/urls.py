from django.urls import path

from . import views

app_name = "villages"

urlpatterns = [
    path("", views.village_list, name="list"),
    path("pendamping/<int:pk>/", views.mentor_detail, name="mentor"),
    path("pilihan/", views.village_options, name="options"),
    path("<str:code>/", views.village_detail, name="detail"),
    path("<str:code>/miskin-ekstrem/", views.village_flag, name="flag"),
]
