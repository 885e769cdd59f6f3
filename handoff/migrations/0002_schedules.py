from django.db import migrations

SCHEDULES = [
    # (task, minutes between runs)
    ("handoff.tasks.sweep", 1),
    ("handoff.tasks.check_sla", 1),
]


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            func=func,
            defaults={"name": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
        )


def remove_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(func__in=[func for func, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
