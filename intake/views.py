"""The contact page (served, CSRF) and the embeddable form endpoint (cookie-less, CORS)."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from intake import inputs, ratelimit, services, submissions
from intake.forms import HONEYPOT, SubmissionForm, issue_timestamp
from intake.models import Channel, Form

logger = logging.getLogger(__name__)

CONTACT_SLUG = "contact"
THANKS_SESSION_KEY = "intake_contact_thanks"
EMBED_MAX_BYTES = 64 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    definition = Form.objects.filter(slug=CONTACT_SLUG, is_active=True).first()
    if request.method in ("GET", "HEAD"):
        if "sent" in request.GET:
            # HEAD answers like GET but changes nothing: the thanks stay for the GET.
            session = request.session
            ctx = {
                "thanks": session.pop(THANKS_SESSION_KEY, {})
                if request.method == "GET"
                else session.get(THANKS_SESSION_KEY, {}),
                "success_message": success_message(definition),
            }
            return render(request, "intake/thanks.html", ctx)
        form = SubmissionForm(initial={"ts": issue_timestamp()}, definition=definition)
        return render(request, "intake/contact.html", {"form": form})

    if limited := ratelimit.check_ip(request):
        return limited_page(request, limited)
    form = SubmissionForm(request.POST, definition=definition)
    if not form.is_valid():
        return render(request, "intake/contact.html", {"form": form}, status=400)
    if limited := ratelimit.check_email(form.cleaned_data["email"]):
        return limited_page(request, limited)
    ingest(request, form, trap=form.trap(require_timestamp=True))
    # A trapped bot gets the same redirect and page as a person: it learns nothing.
    request.session[THANKS_SESSION_KEY] = {
        "name": form.cleaned_data["name"],
        "message": form.cleaned_data["message"][:1000],
    }
    return redirect(reverse("contact") + "?sent=1")


def success_message(definition: Form | None) -> str:
    if definition is not None:
        return definition.success_message
    return Form._meta.get_field("success_message").default


def limited_page(request: HttpRequest, limited: ratelimit.Limited) -> HttpResponse:
    minutes = max(1, round(limited.retry_after / 60))
    response = render(request, "intake/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


# csrf_exempt: the endpoint is cookie-less and origin-checked. It never reads
# request.user or request.session, so a cross-origin post that carries a staff
# session cookie is as anonymous as any other, and no cookie is ever set.
@csrf_exempt
def form_submit(request: HttpRequest, slug: str) -> HttpResponse:
    definition = Form.objects.filter(slug=slug, is_active=True).first()
    if definition is None:
        return json_response({"error": "No such form."}, status=404)
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/").lower() not in {
        allowed.lower() for allowed in definition.origins
    }:
        return json_response({"error": "This form does not accept posts from this origin."}, 403)
    if request.method == "OPTIONS":
        return preflight(origin)
    if request.method != "POST":
        response = json_response({"error": "Use POST."}, 405, origin)
        response["Allow"] = "POST, OPTIONS"
        return response

    if limited := ratelimit.check_ip(request):
        return limited_json(limited, origin)
    try:
        data = read_submission(request)
    except BadSubmission as exc:
        return json_response(exc.payload, exc.status, origin)
    form = SubmissionForm(data, definition=definition)
    if not form.is_valid():
        return json_response({"errors": error_messages(form)}, 400, origin)
    if limited := ratelimit.check_email(form.cleaned_data["email"]):
        return limited_json(limited, origin)
    # The embed has no page to carry a stamp, so the time trap applies only when one is sent.
    ingest(request, form, trap=form.trap(require_timestamp=False))
    return json_response({"ok": True, "message": definition.success_message}, 201, origin)


def ingest(request: HttpRequest, form: SubmissionForm, *, trap: str) -> services.Ingested:
    data = form.cleaned_data
    extras = form.extra_values()
    meta = {
        "ip": ratelimit.client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:300],
    }
    if origin := request.headers.get("Origin"):
        meta["origin"] = origin[:300]
    if trap:
        logger.info("form submission trapped: %s", trap)
        if trap == "honeypot":
            meta["honeypot"] = data[HONEYPOT][:300]
    return submissions.ingest_submission(
        channel=Channel.FORM,
        email=data["email"],
        name=data["name"],
        company=data["company"],
        message=data["message"],
        subject=extras.get("subject", ""),
        fields=extras,
        form=form.definition,
        meta=meta,
        filtered_reason=trap,
    )


class BadSubmission(Exception):
    def __init__(self, status: int, payload: dict):
        super().__init__(status, payload)
        self.status = status
        self.payload = payload


def read_submission(request: HttpRequest) -> QueryDict | dict[str, str]:
    """The posted fields from a form-encoded or JSON body; BadSubmission when unreadable."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > EMBED_MAX_BYTES:
        raise BadSubmission(413, {"error": f"The body is larger than {EMBED_MAX_BYTES} bytes."})
    if request.content_type in FORM_TYPES:
        return request.POST
    if request.content_type != "application/json":
        raise BadSubmission(415, {"error": "Send application/json or a form-encoded body."})
    try:
        payload = inputs.loads_json(request.body)
    except inputs.TooDeep as exc:
        raise BadSubmission(400, {"error": str(exc)}) from None
    except ValueError:
        raise BadSubmission(400, {"error": "The body is not valid JSON."}) from None
    if not isinstance(payload, dict):
        raise BadSubmission(400, {"error": "The body must be a JSON object."})
    data, field_errors = {}, {}
    for key, value in payload.items():
        if value is None or value is False:
            value = ""
        elif value is True:
            value = "true"
        elif isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            field_errors[key] = ["Expected text."]
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (a "\ud800" escape) is valid JSON but not storable UTF-8.
            field_errors[key] = ["Contains characters that are not valid Unicode."]
            continue
        data[key] = value
    if field_errors:
        raise BadSubmission(400, {"errors": field_errors})
    return data


def error_messages(form: SubmissionForm) -> dict[str, list[str]]:
    return {
        field: [error["message"] for error in errors]
        for field, errors in form.errors.get_json_data().items()
    }


def json_response(payload: dict, status: int, origin: str | None = None) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    # Only ever an allowed origin echoed back, never "*" and never credentials.
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    return response


def limited_json(limited: ratelimit.Limited, origin: str | None) -> JsonResponse:
    response = json_response(
        {"error": f"Too many submissions. Try again in {limited.retry_after} seconds."},
        429,
        origin,
    )
    response["Retry-After"] = str(limited.retry_after)
    if origin:
        response["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def preflight(origin: str | None) -> HttpResponse:
    response = HttpResponse(status=204)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response["Access-Control-Max-Age"] = "3600"
    patch_vary_headers(response, ["Origin"])
    return response
