"""The 400 page: says why, when the reason is ours to give.

Django's own 400 names no reason. Our views raise BadRequest with a sentence about the
request (a `since` out of range); Django raises SuspiciousOperation subclasses whose text
can name settings (DisallowedHost suggests an ALLOWED_HOSTS entry), so only a BadRequest's
own text is shown.
"""

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.shortcuts import render


def bad_request(request, exception=None):
    reason = str(exception) if type(exception) is BadRequest else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": reason or "Bad request."}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)
