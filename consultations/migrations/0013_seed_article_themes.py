"""The themes the article reports resolved issues under, and a few more a
street office uses; idempotent by name."""

from django.db import migrations

# The article's words: "外墙保温、小区封闭、车辆停放、卫生提升等问题40余件".
THEMES = [
    "外墙保温",
    "小区封闭",
    "车辆停放",
    "卫生提升",
    "电动车充电",
    "管网改造",
    "安全隐患",
    "绿化",
]


def seed_themes(apps, schema_editor):
    Theme = apps.get_model("consultations", "Theme")
    for order, name in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(name=name, defaults={"order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("consultations", "0012_themes")]

    operations = [migrations.RunPython(seed_themes, migrations.RunPython.noop)]
