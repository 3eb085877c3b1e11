"""Store the phone numbers already given in E.164 (+8613800138000), as
submit_concern now does; a value that does not parse stays as it is."""

import phonenumbers
from django.db import migrations


def normalise(apps, schema_editor):
    Concern = apps.get_model("consultations", "Concern")
    rows = Concern.objects.exclude(phone="").exclude(phone__startswith="+")
    for concern in rows.only("pk", "phone").iterator():
        try:
            number = phonenumbers.parse(concern.phone, "CN")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
            Concern.objects.filter(pk=concern.pk).update(phone=e164)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_concern_categories")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
