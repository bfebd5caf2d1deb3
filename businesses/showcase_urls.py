from django.urls import path

from . import showcase

app_name = "showcase"

urlpatterns = [
    path("", showcase.index, name="index"),
    path("kecamatan/<str:code>/", showcase.district, name="district"),
    path("desa/<str:code>/", showcase.village, name="village"),
    path("foto/<int:pk>/", showcase.photo, name="photo"),
]
