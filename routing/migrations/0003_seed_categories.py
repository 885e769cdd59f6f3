"""Seed the starting categories, queues and routing policy (routing/defaults.py)."""

from django.db import migrations

from routing.defaults import CATEGORIES, POLICY_NAME, QUEUES, seed_defaults


def seed(apps, schema_editor):
    seed_defaults(
        apps.get_model("routing", "Queue"),
        apps.get_model("routing", "Category"),
        apps.get_model("routing", "RoutingPolicy"),
    )


def unseed(apps, schema_editor):
    Queue = apps.get_model("routing", "Queue")
    Category = apps.get_model("routing", "Category")
    RoutingPolicy = apps.get_model("routing", "RoutingPolicy")
    RoutingPolicy.objects.filter(name=POLICY_NAME).delete()
    Category.objects.filter(slug__in=[row[0] for row in CATEGORIES]).delete()
    Queue.objects.filter(slug__in=[row[0] for row in QUEUES]).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_seed_prices")]

    operations = [migrations.RunPython(seed, unseed)]
