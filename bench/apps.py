from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark (`manage.py benchmark`): an app only so its command lives with it; it
    has no models, and no other app imports it."""

    name = "bench"
    verbose_name = "Benchmark"
