from django.urls import path

from . import views

app_name = "cooperatives"

urlpatterns = [
    path("", views.cooperative_list, name="list"),
    path("baru/", views.cooperative_create, name="create"),
    path("<int:pk>/", views.cooperative_detail, name="detail"),
    path("<int:pk>/ubah/", views.cooperative_edit, name="edit"),
    path("unggulan/", views.flagship_overview, name="flagships"),
    path("unggulan/<str:code>/", views.flagship_choose, name="flagship_choose"),
    path("mitra/<str:code>/", views.partners, name="partners"),
    path("mitra/ubah/<int:pk>/", views.partner_edit, name="partner_edit"),
    path("kegiatan/", views.activity_list, name="activities"),
    path("kegiatan/baru/", views.activity_create, name="activity_create"),
    path("kegiatan/<int:pk>/", views.activity_detail, name="activity"),
    path("kegiatan/<int:pk>/ubah/", views.activity_edit, name="activity_edit"),
    path("kegiatan/dokumen/<int:pk>/", views.document_download, name="document"),
    path("anggaran/", views.budget, name="budget"),
]
