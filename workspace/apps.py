from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """What sales reps and managers use: the queue, lead pages and their actions, and the
    REST API's reads, all under one access rule (workspace/access.py)."""

    name = "workspace"
    verbose_name = "Sales workspace"
