"""Places as people write them in a sheet: a kecamatan by name, a desa or kelurahan by name
within its kecamatan (case, spacing and a leading "Desa"/"Kelurahan" ignored)."""

import re

from django.utils.translation import gettext as _

from .models import District, Village

_PREFIX = re.compile(r"^(desa|kelurahan|kel\.|ds\.)\s+", re.IGNORECASE)


def place_key(name) -> str:
    return " ".join(_PREFIX.sub("", str(name).strip()).casefold().split())


class PlaceFinder:
    """The home regency's kecamatan and villages by name, loaded once (two queries)."""

    def __init__(self) -> None:
        self.districts = {place_key(d.name): d for d in District.objects.in_home_regency()}
        self.villages: dict[tuple[str, str], list[Village]] = {}
        for village in Village.objects.in_home_regency().select_related("district"):
            key = (place_key(village.district.name), place_key(village.name))
            self.villages.setdefault(key, []).append(village)

    def district(self, name) -> District:
        found = self.districts.get(place_key(name))
        if found is None:
            raise ValueError(_("kecamatan %(name)s tidak dikenal.") % {"name": name})
        return found

    def village(self, district_name, village_name) -> Village:
        """Raises ValueError naming the candidates when the name is unknown or ambiguous."""
        if not district_name:
            raise ValueError(_("isi juga Kecamatan: nama desa bisa sama di dua kecamatan."))
        district = self.district(district_name)
        found = self.villages.get((place_key(district.name), place_key(village_name)), [])
        if len(found) == 1:
            return found[0]
        if not found:
            candidates = sorted(
                v.name
                for (d, _n), places in self.villages.items()
                if d == place_key(district.name)
                for v in places
            )
            raise ValueError(
                _("desa %(name)s tidak ada di Kecamatan %(district)s. Desa di sana: %(list)s.")
                % {"name": village_name, "district": district.name, "list": ", ".join(candidates)}
            )
        raise ValueError(
            _("nama %(name)s dipakai lebih dari satu desa (%(codes)s); isi Kode desa.")
            % {"name": village_name, "codes": ", ".join(v.code for v in found)}
        )

    def villages_named(self, names) -> list[Village]:
        keys = {place_key(n) for n in names if n}
        return [v for (_d, n), places in self.villages.items() if n in keys for v in places]
