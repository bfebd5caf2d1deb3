"""The one scoping method: who sees and changes which villages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from villages.access import area_filter, get_for_user, in_editable_area
from villages.models import District, Village

from .base import PersonaTestCase


class VillageScopingTests(PersonaTestCase):
    def visible(self, user) -> set[str]:
        return set(Village.objects.visible_to(user).values_list("name", flat=True))

    def editable(self, user) -> set[str]:
        return set(Village.objects.editable_by(user).values_list("name", flat=True))

    def test_mentor_sees_and_changes_only_villages_of_active_assignments(self):
        self.assertEqual(self.visible(self.mentor.user), {"Duren"})
        self.assertEqual(self.editable(self.mentor.user), {"Duren"})

    def test_expired_assignment_gives_no_access(self):
        self.assertEqual(self.visible(self.expired_mentor.user), set())
        self.assertEqual(self.editable(self.expired_mentor.user), set())

    def test_assignment_that_has_not_started_gives_no_access(self):
        from datetime import timedelta

        from django.utils import timezone

        from .base import make_mentor

        future = make_mentor(
            "future", self.pancawati, start=timezone.localdate() + timedelta(days=1)
        )
        self.assertEqual(self.visible(future.user), set())

    def test_assignment_is_active_on_its_first_and_last_day(self):
        from django.utils import timezone

        from .base import make_mentor

        today = timezone.localdate()
        starts = make_mentor("starts_today", self.pancawati, start=today)
        ends = make_mentor(
            "ends_today", self.payungsari, start=today.replace(year=today.year - 1), end=today
        )
        self.assertEqual(self.visible(starts.user), {"Pancawati"})
        self.assertEqual(self.visible(ends.user), {"Payungsari"})

    def test_kecamatan_viewer_reads_own_kecamatan_and_changes_nothing(self):
        self.assertEqual(self.visible(self.camat), {"Duren", "Pancawati"})
        self.assertEqual(self.editable(self.camat), set())

    def test_staff_reads_and_changes_everything(self):
        everything = {"Duren", "Pancawati", "Payungsari"}
        self.assertEqual(self.visible(self.staff), everything)
        self.assertEqual(self.editable(self.staff), everything)

    def test_leadership_reads_everything_and_changes_nothing(self):
        self.assertEqual(self.visible(self.leader), {"Duren", "Pancawati", "Payungsari"})
        self.assertEqual(self.editable(self.leader), set())

    def test_user_without_role_or_inactive_sees_nothing(self):
        self.assertEqual(self.visible(self.outsider), set())
        self.mentor.user.is_active = False
        self.assertEqual(self.visible(self.mentor.user), set())

    def test_anonymous_sees_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(self.visible(AnonymousUser()), set())


class DistrictScopingTests(PersonaTestCase):
    """Kecamatan-level data (cooperatives later) follows the same rules one level up."""

    def districts(self, user, write=False, viewer_writes=False) -> set[str]:
        q = area_filter(user, district_path="pk", write=write, viewer_writes=viewer_writes)
        return set(District.objects.filter(q).values_list("name", flat=True))

    def test_mentor_reads_kecamatan_of_their_villages_but_does_not_write(self):
        self.assertEqual(self.districts(self.mentor.user), {"Klari"})
        self.assertEqual(self.districts(self.mentor.user, write=True), set())

    def test_viewer_writes_own_kecamatan_only_where_the_data_allows_it(self):
        self.assertEqual(self.districts(self.camat), {"Klari"})
        self.assertEqual(self.districts(self.camat, write=True), set())
        self.assertEqual(self.districts(self.camat, write=True, viewer_writes=True), {"Klari"})

    def test_a_path_is_required(self):
        from django.core.exceptions import ImproperlyConfigured

        with self.assertRaises(ImproperlyConfigured):
            area_filter(self.staff)


class GetForUserTests(PersonaTestCase):
    def test_outside_the_area_is_404_and_read_only_write_is_403(self):
        with self.assertRaises(Http404):
            get_for_user(Village.objects.all(), self.mentor.user, code=self.payungsari.code)
        with self.assertRaises(PermissionDenied):
            get_for_user(Village.objects.all(), self.camat, write=True, code=self.duren.code)
        self.assertEqual(
            get_for_user(Village.objects.all(), self.staff, write=True, code=self.duren.code),
            self.duren,
        )

    def test_write_needs_the_model_permission_even_inside_the_area(self):
        # Mentors may not change village reference data, even of their own village.
        with self.assertRaises(PermissionDenied):
            get_for_user(Village.objects.all(), self.mentor.user, write=True, code=self.duren.code)


class EditableAreaTests(PersonaTestCase):
    """in_editable_area decides from loaded fields what the database would answer."""

    def test_same_answer_as_the_database_for_every_persona_and_path(self):
        from assistance.models import Case, Service
        from cooperatives.models import Activity

        from .test_businesses import make_business
        from .test_cooperatives import make_activity

        mine = make_business(self.duren, "Di Duren", owner_nik="")
        theirs = make_business(self.payungsari, "Di Payungsari", owner_nik="")
        service = Service.objects.get(code="nib")
        cases = [Case.objects.create(business=b, service=service) for b in (mine, theirs)]
        activities = [make_activity(self.klari), make_activity(self.pedes)]
        users = (
            self.mentor.user,
            self.other_mentor.user,
            self.expired_mentor.user,
            self.camat,
            self.staff,
            self.leader,
            self.outsider,
        )
        objects = (
            [(Village, v, "") for v in (self.duren, self.payungsari)]
            + [(District, d, "") for d in (self.klari, self.pedes)]
            + [(type(mine), b, "village") for b in (mine, theirs)]
            + [(Case, c, "business__village") for c in cases]
            + [(Activity, a, "district") for a in activities]
        )
        for user in users:
            for model, obj, related in objects:
                with self.subTest(user=user.username, obj=str(obj)):
                    expected = model.objects.editable_by(user).filter(pk=obj.pk).exists()
                    # Read as a page reads it: with the related rows the rule looks at.
                    rows = model.objects.all()
                    loaded = (rows.select_related(related) if related else rows).get(pk=obj.pk)
                    fresh = type(user).objects.get(pk=user.pk)
                    fresh.has_perm("villages.view_all_areas")  # permissions and area read first
                    in_editable_area(self.duren, fresh)
                    with self.assertNumQueries(0):
                        self.assertEqual(in_editable_area(loaded, fresh), expected)
                    bare = model.objects.get(pk=obj.pk)  # related rows not loaded: asks
                    self.assertEqual(in_editable_area(bare, fresh), expected)


class VillagePageAccessTests(PersonaTestCase):
    def detail(self, village):
        return reverse("villages:detail", args=[village.code])

    def test_anonymous_is_sent_to_login(self):
        for url in (reverse("home"), reverse("villages:list"), self.detail(self.duren)):
            response = self.client.get(url)
            self.assertRedirects(response, f"{reverse('login')}?next={url}")

    def test_mentor_opens_own_village_and_gets_404_for_another(self):
        self.client.force_login(self.mentor.user)
        self.assertContains(self.client.get(self.detail(self.duren)), "Duren")
        self.assertEqual(self.client.get(self.detail(self.payungsari)).status_code, 404)
        self.assertEqual(self.client.get(self.detail(self.pancawati)).status_code, 404)

    def test_expired_mentor_gets_404_for_former_village(self):
        self.client.force_login(self.expired_mentor.user)
        self.assertEqual(self.client.get(self.detail(self.pancawati)).status_code, 404)

    def test_viewer_opens_own_kecamatan_and_gets_404_elsewhere(self):
        self.client.force_login(self.camat)
        self.assertEqual(self.client.get(self.detail(self.pancawati)).status_code, 200)
        self.assertEqual(self.client.get(self.detail(self.payungsari)).status_code, 404)

    def test_outsider_gets_404_and_an_empty_list(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.detail(self.duren)).status_code, 404)
        self.assertContains(self.client.get(reverse("villages:list")), "0 desa/kelurahan")

    def test_unknown_code_is_404(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get("/desa/32.15.99.2999/").status_code, 404)

    def test_mentor_list_shows_only_own_villages(self):
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("villages:list"))
        self.assertContains(response, "Duren")
        self.assertNotContains(response, "Payungsari")
        self.assertNotContains(response, "Pancawati")
