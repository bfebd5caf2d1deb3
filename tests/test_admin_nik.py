"""The Django admin follows the app's NIK rule: whole only with "Melihat NIK lengkap", and only
those who may see a NIK may set or change it."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from businesses.models import Business

from .base import PersonaTestCase, make_user
from .test_businesses import NIK_MAN, NIK_WOMAN, make_business

MASKED_WOMAN = "3215••••••••0002"
NEW_NIK = "3215054107900003"  # Klari, woman born 01-07-1990


def admin_user(username: str, *codenames: str):
    user = make_user(username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = field.widget.format_value(value) if hasattr(value, "isoformat") else value
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value not in (None, False):
                    data[sub.add_prefix(name)] = value
    return data


class AdminNikTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.viewer = admin_user("viewer", "view_business")
        cls.nik_viewer = admin_user("nik_viewer", "view_business", "view_nik")
        cls.editor = admin_user("editor", "view_business", "change_business", "add_business")
        cls.nik_editor = admin_user(
            "nik_editor", "view_business", "change_business", "add_business", "view_nik"
        )

    def setUp(self) -> None:
        self.business = make_business(self.duren, owner_nik=NIK_MAN)
        # A history with the NIK changed: the old and the new value are both in it.
        self.business.owner_nik = NIK_WOMAN
        self.business.save()
        self.change_url = reverse("admin:businesses_business_change", args=[self.business.pk])

    def test_view_only_user_without_the_permission_sees_the_nik_masked(self):
        self.client.force_login(self.viewer)
        response = self.client.get(self.change_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, MASKED_WOMAN)
        self.assertNotContains(response, NIK_WOMAN)
        self.assertNotContains(response, NIK_MAN)

    def test_user_with_the_permission_sees_the_whole_nik(self):
        self.client.force_login(self.nik_viewer)
        self.assertContains(self.client.get(self.change_url), NIK_WOMAN)
        self.client.force_login(self.nik_editor)
        response = self.client.get(self.change_url)
        self.assertContains(response, f'value="{NIK_WOMAN}"')

    def test_editor_without_the_permission_gets_no_nik_field(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.change_url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("owner_nik", response.context["adminform"].form.fields)
        self.assertNotContains(response, 'name="owner_nik"')
        self.assertNotContains(response, NIK_WOMAN)
        self.assertContains(response, MASKED_WOMAN)

    def test_editor_without_the_permission_saves_the_rest_and_keeps_the_nik(self):
        self.client.force_login(self.editor)
        data = form_data(self.client.get(self.change_url))
        data |= {"name": "Keripik Bu Iis Baru", "owner_nik": NEW_NIK}
        response = self.client.post(self.change_url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        self.business.refresh_from_db()
        self.assertEqual(self.business.name, "Keripik Bu Iis Baru")
        self.assertEqual(self.business.owner_nik, NIK_WOMAN)

    def test_editor_with_the_permission_changes_the_nik(self):
        self.client.force_login(self.nik_editor)
        data = form_data(self.client.get(self.change_url)) | {"owner_nik": NEW_NIK}
        self.assertEqual(self.client.post(self.change_url, data).status_code, 302)
        self.business.refresh_from_db()
        self.assertEqual(self.business.owner_nik, NEW_NIK)

    def test_editor_without_the_permission_cannot_set_a_nik_on_a_new_business(self):
        self.client.force_login(self.editor)
        add_url = reverse("admin:businesses_business_add")
        response = self.client.get(add_url)
        self.assertNotContains(response, 'name="owner_nik"')
        data = form_data(response) | {
            "name": "Opak Mang Ujang",
            "owner_name": "Ujang",
            "owner_gender": "L",
            "village": self.duren.pk,
            "sector": "makanan",
            "employees": "1",
            "owner_nik": NEW_NIK,
        }
        self.assertEqual(self.client.post(add_url, data).status_code, 302)
        self.assertEqual(Business.objects.get(name="Opak Mang Ujang").owner_nik, "")

    def test_history_pages_mask_the_nik(self):
        self.client.force_login(self.editor)
        history_url = reverse("admin:businesses_business_history", args=[self.business.pk])
        response = self.client.get(history_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, MASKED_WOMAN)
        self.assertNotContains(response, NIK_WOMAN)
        self.assertNotContains(response, NIK_MAN)
        first = self.business.history.earliest()
        revert_url = reverse(
            "admin:businesses_business_simple_history",
            args=[self.business.pk, first.history_id],
        )
        response = self.client.get(revert_url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, NIK_MAN)
        self.assertContains(response, "3215••••••••0001")

    def test_reverting_to_an_old_version_keeps_the_nik_without_the_permission(self):
        self.client.force_login(self.editor)
        first = self.business.history.earliest()
        revert_url = reverse(
            "admin:businesses_business_simple_history",
            args=[self.business.pk, first.history_id],
        )
        data = form_data(self.client.get(revert_url))
        self.assertEqual(self.client.post(revert_url, data).status_code, 302)
        self.business.refresh_from_db()
        self.assertEqual(self.business.owner_nik, NIK_WOMAN)

    def test_the_list_cannot_be_filtered_by_nik_without_the_permission(self):
        changelist = reverse("admin:businesses_business_changelist")
        self.client.force_login(self.viewer)
        self.client.raise_request_exception = False
        response = self.client.get(changelist, {"owner_nik__startswith": "3215055"})
        self.assertEqual(response.status_code, 400)
        # Searching does not look at NIKs (the search box echoes what was typed, nothing more).
        response = self.client.get(changelist, {"q": NIK_WOMAN})
        self.assertContains(response, "0 usaha mikro")
        self.client.force_login(self.nik_viewer)
        response = self.client.get(changelist, {"owner_nik__startswith": "3215055"})
        self.assertEqual(response.status_code, 200)
