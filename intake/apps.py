from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # anymail delivers inbound mail through its `inbound` signal; the
        # receiver only hands the message to intake.services.
        from intake import webhooks  # noqa: F401
