from django.db import migrations

# Compares the last 7 days' estimated miss rate with the policy's alpha (routing.drift).
SCHEDULE = ("routing.tasks.check_quality_drift", 60)  # (task, minutes between runs)


def create_schedule(apps, schema_editor):
    func, minutes = SCHEDULE
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        func=func,
        defaults={"name": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=SCHEDULE[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0013_quality_alpha_threshold_changes_alerts"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
