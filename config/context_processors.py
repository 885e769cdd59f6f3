"""What every template may need from the settings."""

from django.conf import settings


def simulated_api(request) -> dict:
    """`simulated_api`: the model tiers answer from the simulated Messages API, not Claude
    (templates/_simulated_banner.html and _simulated_mark.html say so)."""
    return {"simulated_api": settings.LEADROUTER_SIMULATED_API}
