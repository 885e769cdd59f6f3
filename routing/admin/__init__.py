"""The operator console for routing: rules with a preview, queues, categories, the policy,
prices, and the record of every decision, model call, correction and the API circuit.

Decisions and calls are records, so their admin is read-only: they change through services.
"""

from django.contrib import admin

from routing.admin import advice, local_models, records, replies, setup  # noqa: F401  (each registers its admins)

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


# --- Threshold advice: its pages, and its line under Routing in the admin index -----------------


def _with_advice(get_urls):
    return lambda: [*advice.urls(admin.site), *get_urls()]


def _with_advice_entry(get_app_list):
    def app_list(request, app_label=None):
        apps = get_app_list(request, app_label)
        entry = advice.index_entry(request)
        for app in apps:
            if app["app_label"] == "routing" and entry is not None:
                app["models"] = sorted([*app["models"], entry], key=lambda m: m["name"])
        return apps

    return app_list


admin.site.get_urls = _with_advice(admin.site.get_urls)
admin.site.get_app_list = _with_advice_entry(admin.site.get_app_list)
