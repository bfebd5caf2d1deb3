from django.urls import path

from . import views

app_name = "businesses"

urlpatterns = [
    path("", views.business_list, name="list"),
    path("baru/", views.business_create, name="create"),
    path("<int:pk>/", views.business_detail, name="detail"),
    path("<int:pk>/ubah/", views.business_edit, name="edit"),
    path("<int:pk>/hapus/", views.business_delete, name="delete"),
    path("<int:pk>/produk/baru/", views.product_create, name="product_create"),
    path("produk/<int:pk>/ubah/", views.product_edit, name="product_edit"),
    path("produk/<int:pk>/hapus/", views.product_delete, name="product_delete"),
    path("produk/<int:pk>/foto/", views.product_photo, name="product_photo"),
    path("potensi/baru/<str:code>/", views.potential_create, name="potential_create"),
    path("potensi/<int:pk>/ubah/", views.potential_edit, name="potential_edit"),
    path("potensi/<int:pk>/tinjau/", views.potential_review, name="potential_review"),
    path("potensi/<int:pk>/foto/", views.potential_photo, name="potential_photo"),
    path("sidt/ekspor/<str:kind>/", views.sidt_export, name="sidt_export"),
    path("ovop/", views.ovop_overview, name="ovop_overview"),
    path("ovop/<str:code>/", views.ovop_choose, name="ovop_choose"),
]
