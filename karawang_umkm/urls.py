from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.utils.functional import lazy

from core import offline
from core.health import healthz
from villages import views as village_views
from villages.models import site_name

# Named after the home regency's loaded record, read when a page is drawn (not at import).
admin.site.site_header = lazy(site_name, str)()
admin.site.site_title = lazy(site_name, str)()
admin.site.index_title = "Data referensi"

account_patterns = [
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Nothing of the user stays on the phone: caches and the offline queue are cleared.
    path("keluar/", offline.clear_site_data(auth_views.LogoutView.as_view()), name="logout"),
    path("kata-sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", village_views.home, name="home"),
    path("akun/", include(account_patterns)),
    path("bahasa/", village_views.language, name="set_language"),
    path("desa/", include("villages.urls")),
    path("usaha/", include("businesses.urls")),
    path("pendampingan/", include("assistance.urls")),
    path("etalase/", include("businesses.showcase_urls")),
    path("koperasi/", include("cooperatives.urls")),
    path("laporan/", include("reports.urls")),
    path("impor/", include("core.import_urls")),
    path("riwayat/", village_views.history_list, name="history"),
    path("riwayat/<str:label>/<int:pk>/", village_views.history_object, name="history_object"),
    path("admin/", admin.site.urls),
    # For the load balancer and monitoring: no login, 200 "ok" or 503 naming what failed.
    path("healthz", healthz, name="healthz"),
    # The installable app: at the root, so that the service worker's scope is the whole site.
    path(
        "manifest.webmanifest",
        offline.manifest,
        {"start_url": reverse_lazy("assistance:my_tasks")},
        name="manifest",
    ),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_page, name="offline"),
]

# 400, 403 and 404 are Django's handlers with templates/400.html, 403.html, 404.html (the site's
# layout); 500 renders without the database, CSRF failures through settings.CSRF_FAILURE_VIEW.
handler500 = "core.views.server_error"
