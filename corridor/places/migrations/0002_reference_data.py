"""Countries (ISO 3166-1, from pycountry), Djibouti's regions and its flow monitoring points.

Points and their regions come from DTM Djibouti dashboards (shared reference, djibouti.md).
Coordinates are town-level approximations, flagged as such, for an administrator to correct.
"""

import datetime
import gettext

from django.db import migrations

REGIONS = [
    ("DJ-AS", "Ali Sabieh"),
    ("DJ-AR", "Arta"),
    ("DJ-DI", "Dikhil"),
    ("DJ-DJ", "Djibouti"),
    ("DJ-OB", "Obock"),
    ("DJ-TA", "Tadjourah"),
]

# The 2019 list plus Galafi, Balho, Assamo, Obock-ville and Tadjourah-ville, active since DTM
# began in May 2017. Ar-Oussa, Dallay Af, Adogolo, Guaherré and "PK" alone are not placed in a
# region by the sources and are left for an administrator to add. Coordinates: the point's own
# town where the sources give it, else its region's main town.
START = datetime.date(2017, 5, 1)
POINTS = [
    # code, name, region, kind, latitude, longitude, aliases
    ("galafi", "Galafi", "DJ-DI", "border_crossing", "11.72", "41.84", []),
    ("guelileh", "Guelileh", "DJ-AS", "border_crossing", "11.16", "42.71", ["Guelile"]),
    ("loyada", "Loyada", "DJ-AR", "border_crossing", "11.46", "43.25", ["Kalankanleh"]),
    ("pk9", "PK9", "DJ-DJ", "transit_town", "11.59", "43.15", ["PK12", "PK 9"]),
    ("badaf", "Badaf", "DJ-TA", "transit_town", "11.79", "42.88", []),
    ("fantaherou", "Fantaherou", "DJ-OB", "coastal_departure", "11.96", "43.29",
     ["Fontehero", "Fanteherou"]),
    ("godoria", "Godoria", "DJ-OB", "coastal_departure", "11.96", "43.29", []),
    ("holl-holl", "Holl-Holl", "DJ-AS", "transit_town", "11.31", "42.93", ["Holhol"]),
    ("yoboki", "Yoboki", "DJ-DI", "transit_town", "11.11", "42.37", []),
    ("assamo", "Assamo", "DJ-AS", "border_crossing", "11.16", "42.71", []),
    ("balho", "Balho", "DJ-TA", "border_crossing", "12.02", "42.20", []),
    ("obock-ville", "Obock-ville", "DJ-OB", "transit_town", "11.96", "43.29",
     ["Obock", "Obock city"]),
    ("tadjourah-ville", "Tadjourah-ville", "DJ-TA", "transit_town", "11.79", "42.88",
     ["Tadjourah", "Tadjourah city"]),
]


def load(apps, schema_editor):
    import pycountry

    Country = apps.get_model("places", "Country")
    Region = apps.get_model("places", "Region")
    Point = apps.get_model("places", "FlowMonitoringPoint")
    Alias = apps.get_model("places", "FlowMonitoringPointAlias")

    def names(language):
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])

    french, arabic = names("fr"), names("ar")
    Country.objects.bulk_create(
        Country(
            code=country.alpha_2,
            code_alpha3=country.alpha_3,
            name_fr=french.gettext(country.name),
            name_en=country.name,
            name_ar=arabic.gettext(country.name),
        )
        for country in pycountry.countries
    )
    regions = {
        code: Region.objects.create(country_id="DJ", code=code, name=name)
        for code, name in REGIONS
    }
    for code, name, region, kind, latitude, longitude, aliases in POINTS:
        point = Point.objects.create(
            code=code,
            name=name,
            kind=kind,
            country_id="DJ",
            region=regions[region],
            active_from=START,
            latitude=latitude,
            longitude=longitude,
            coordinates_approximate=True,
        )
        Alias.objects.bulk_create(Alias(point=point, name=alias) for alias in aliases)


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
