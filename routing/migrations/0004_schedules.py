from django.db import migrations

SCHEDULES = [("routing.tasks.requeue_stuck_triage", 5)]  # (task, minutes between runs)


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
        ("routing", "0003_seed_categories"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
