from django.db import migrations

FUNC = "intake.tasks.requeue_stuck_messages"


def every(minutes):
    def set_minutes(apps, schema_editor):
        Schedule = apps.get_model("django_q", "Schedule")
        Schedule.objects.filter(func=FUNC).update(minutes=minutes)

    return set_minutes


class Migration(migrations.Migration):
    """Every minute: a message whose task is provably gone is taken back within a minute or
    two (intake.services.GONE_AFTER); the 10-minute threshold still applies otherwise."""

    dependencies = [("intake", "0006_message_hidden_text")]

    operations = [migrations.RunPython(every(1), every(5))]
