"""GET (or HEAD) /healthz: for load balancers and uptime checks.

The status code is the answer (200, or 503 without a database). Anonymous callers get no
more than that in the body: worker cluster ids, their state and how many there are are
for staff (signed in), never for whoever finds the URL.
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        # Without the database nobody can be recognised as staff: no detail for anyone.
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    if not request.user.is_staff:
        return JsonResponse({"status": "ok"})

    # django-q2 clusters publish their status every few seconds; none means no worker.
    from django_q.status import Stat

    try:
        clusters = Stat.get_all()
    except Exception as exc:
        worker = {"status": "unknown", "error": type(exc).__name__}
    else:
        worker = {
            "status": "ok" if clusters else "missing",
            "clusters": [
                {"id": str(stat.cluster_id), "status": stat.status, "workers": len(stat.workers)}
                for stat in clusters
            ],
        }
    return JsonResponse({"status": "ok", "database": "ok", "worker": worker})
