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
]
