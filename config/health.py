"""GET /healthz: for load balancers and uptime checks."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        body = {"status": "error", "database": f"unreachable: {type(exc).__name__}"}
        return JsonResponse(body, status=503)

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
