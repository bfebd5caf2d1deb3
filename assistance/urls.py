from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("tugas-saya/", views.my_tasks, name="my_tasks"),
    path("papan/<slug:code>/", views.case_board, name="board"),
    path("baru/<int:business_pk>/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/tahap/", views.case_step, name="step"),
    path("<int:pk>/status/", views.case_status, name="status"),
    path("<int:pk>/catatan/", views.case_note, name="note"),
    path("<int:pk>/verifikasi-hasil/", views.case_review, name="review"),
    path("<int:pk>/dokumen/", views.case_document, name="upload"),
    path("dokumen/<int:pk>/", views.document_download, name="document"),
    path("kunjungan/", views.visit_list, name="visits"),
    path("kunjungan/baru/", views.visit_create, name="visit_create"),
    path("kunjungan/<int:pk>/", views.visit_detail, name="visit"),
    path("kunjungan/foto/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("verifikasi/", views.verification_list, name="verifications"),
    path("verifikasi/usaha/<int:business_pk>/", views.verification_create, name="verify"),
    path("verifikasi/foto/<int:pk>/", views.verification_photo, name="verification_photo"),
]
