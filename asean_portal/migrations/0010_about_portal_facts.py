"""The publisher as the sources name it: the Ministry of Home Affairs and its
International Cooperation Department (content brief, OFFICIAL[S13]). No person is
named; the address, telephone, email and licence are left for the ministry to fill
in the admin."""

from django.db import migrations


def create(apps, schema_editor):
    AboutPortal = apps.get_model("asean_portal", "AboutPortal")
    AboutPortal.objects.get_or_create(
        pk=1,
        defaults={
            "managing_agency": "Bộ Nội vụ",
            "managing_agency_vi": "Bộ Nội vụ",
            "managing_agency_en": "Ministry of Home Affairs (MOHA)",
            "unit": "Vụ Hợp tác quốc tế, Bộ Nội vụ",
            "unit_vi": "Vụ Hợp tác quốc tế, Bộ Nội vụ",
            "unit_en": "International Cooperation Department, MOHA",
            "responsible": "Vụ trưởng Vụ Hợp tác quốc tế, Bộ Nội vụ",
            "responsible_vi": "Vụ trưởng Vụ Hợp tác quốc tế, Bộ Nội vụ",
            "responsible_en": "Director General, International Cooperation Department, MOHA",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("asean_portal", "0009_about_portal")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
