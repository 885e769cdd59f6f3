"""The operator console for routing: rules with a preview, queues, categories, the policy,
prices, and the record of every decision, model call, correction and the API circuit.

Decisions and calls are records, so their admin is read-only: they change through services.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.views.decorators.cache import never_cache

from routing.admin import advice, local_models, records, replies, setup  # noqa: F401  (each registers its admins)

# --- The dashboard ------------------------------------------------------------------------

# The workspace's manager role (workspace/access.py: the manager group, or staff), which
# routing cannot import: managers read the dashboard without being admins.
MANAGER_GROUP = "manager"


def is_manager(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or user.groups.filter(name=MANAGER_GROUP).exists()


@never_cache
def dashboard(request):
    """Staff get the dashboard inside the admin; a manager who is not staff the same page
    read-only; anyone else is sent to the admin's sign-in, as every admin page does."""
    from routing.dashboard import dashboard_view

    if admin.site.has_permission(request):
        return dashboard_view(request, admin.site)
    if is_manager(request.user):
        return dashboard_view(request, admin.site, read_only=True)
    return redirect_to_login(request.get_full_path(), reverse("admin:login"))


def _with_dashboard(get_urls):
    """Put /admin/routing/dashboard/ ahead of the site's own URLs (its catch-all comes last)."""

    def urls():
        from django.urls import path

        return [path("routing/dashboard/", dashboard, name="routing_dashboard"), *get_urls()]

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
