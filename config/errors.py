"""Error pages (400, 403, 404, 500) in the product's own look, and the favicon.

The 400 page says why, when the reason is ours to give.

Django's own 400 names no reason. Our views raise BadRequest with a sentence about the
request (a `since` out of range); Django raises SuspiciousOperation subclasses whose text
can name settings (DisallowedHost suggests an ALLOWED_HOSTS entry), so only a BadRequest's
own text is shown.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


def bad_request(request, exception=None):
    reason = str(exception) if type(exception) is BadRequest else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": reason or "Bad request."}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    # A PermissionDenied's text is written for the person ("Your account has no sales
    # role; ask an admin."); subclasses and other exceptions say nothing.
    reason = str(exception) if type(exception) is PermissionDenied else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": reason or "Forbidden."}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask /favicon.ico of every page that names no icon (JSON, the API docs)."""
    path = settings.BASE_DIR / "static" / "favicon.ico"
    return FileResponse(path.open("rb"), content_type="image/x-icon")
