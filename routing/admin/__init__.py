"""The operator console for routing: rules with a preview, queues, categories, the policy,
prices, and the record of every decision, model call, correction and the API circuit.

Decisions and calls are records, so their admin is read-only: they change through services.
"""

from django.contrib import admin

from routing.admin import local_models, records, setup  # noqa: F401  (each registers its admins)

# --- The dashboard ------------------------------------------------------------------------


def _with_dashboard(get_urls):
    """Put /admin/routing/dashboard/ ahead of the site's own URLs (its catch-all comes last)."""

    def urls():
        from django.urls import path

        from routing.dashboard import dashboard_view

        view = admin.site.admin_view(lambda request: dashboard_view(request, admin.site))
        return [path("routing/dashboard/", view, name="routing_dashboard"), *get_urls()]

    return urls


admin.site.get_urls = _with_dashboard(admin.site.get_urls)
