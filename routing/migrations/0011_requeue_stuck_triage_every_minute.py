from django.db import migrations

FUNC = "routing.tasks.requeue_stuck_triage"


def every(minutes):
    def set_minutes(apps, schema_editor):
        Schedule = apps.get_model("django_q", "Schedule")
        Schedule.objects.filter(func=FUNC).update(minutes=minutes)

    return set_minutes


class Migration(migrations.Migration):
    """Every minute: a lead whose lease ran out, or whose task is provably gone, is taken
    back within a minute or two (routing.reconcile)."""

    dependencies = [("routing", "0010_model_call_answer")]

    operations = [migrations.RunPython(every(1), every(5))]
