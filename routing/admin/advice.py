"""Routing → Threshold advice: the evidence for the confidence thresholds, what a change would
do, and Apply; the history of changes and the drift alerts. For staff who may change the
routing policy."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from routing import advice, pairs, quality
from routing.admin.records import ReadOnlyAdmin
from routing.curve_chart import curve_chart
from routing.dashboard import Range
from routing.models import QualityAlert, ThresholdChange

PERMISSION = "routing.change_routingpolicy"
DEFAULT_DAYS = 30


class AdviceForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    alpha = forms.DecimalField(
        label="Target miss rate (alpha)",
        min_value=Decimal("0.001"),
        max_value=Decimal("0.5"),
        decimal_places=3,
        help_text="The largest acceptable share of leads tier 1 decides alone and gets wrong.",
    )
    last = forms.IntegerField(
        label="Preview on the last",
        min_value=10,
        max_value=5000,
        initial=advice.DEFAULT_LAST,
        help_text="leads",
    )

    def range(self) -> Range:
        today = timezone.localdate()
        end = self.cleaned_data.get("end") or today
        start = self.cleaned_data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            start, end = end, start
        return Range(start, end)


def _allowed(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _form(data, policy) -> AdviceForm:
    end = timezone.localdate()
    values = {
        "start": end - timedelta(days=DEFAULT_DAYS - 1),
        "end": end,
        "alpha": policy.quality_alpha,
        "last": advice.DEFAULT_LAST,
    }
    values.update({k: v for k, v in data.items() if k in AdviceForm.base_fields and v != ""})
    return AdviceForm(values)


def _build(form: AdviceForm, policy) -> dict:
    rng = form.range()
    alpha = form.cleaned_data["alpha"]
    found = pairs.collect(since=rng.since, until=rng.until, policy_rate=policy.shadow_audit_rate)
    result = advice.advise(pairs=found, alpha=float(alpha), policy=policy)
    proposal = result.proposal()
    changes = None
    if proposal is not None:
        changes = advice.preview(
            proposal, policy=policy, tier2_cost=found.tier2_cost, last=form.cleaned_data["last"]
        )
    return {
        "range": rng,
        "alpha": alpha,
        "advice": result,
        "proposal": proposal,
        "preview": changes,
        "chart": _miss_chart(result, alpha),
        "escalation_chart": _escalation_chart(result),
        "query": urlencode(
            {
                "start": f"{rng.start:%Y-%m-%d}",
                "end": f"{rng.end:%Y-%m-%d}",
                "alpha": str(alpha),
                "last": form.cleaned_data["last"],
            }
        ),
    }


def _marks(result) -> list:
    marks = [(f"now {result.overall.current}", "current", result.overall.current)]
    if result.overall.advised is not None:
        marks.append((f"advised {result.overall.advised}", "advised", result.overall.advised))
    return marks


def _miss_chart(result, alpha):
    curve = result.overall.curve
    if not curve.n:
        return None
    return curve_chart(
        curve.thresholds,
        [("Estimated miss rate", "miss", list(curve.risk))],
        title="Estimated miss rate (tier 1 accepted and wrong) by threshold",
        band=(list(curve.low), list(curve.high)),
        level=(f"alpha {alpha}", float(alpha)),
        marks=_marks(result),
    )


def _escalation_chart(result):
    curve = result.overall.curve
    if not curve.n:
        return None
    return curve_chart(
        curve.thresholds,
        [("Escalation rate", "escalation", list(curve.escalation))],
        title="Escalation rate by threshold (cost per decision follows it)",
        marks=_marks(result),
        top=1.0,
    )


def advice_view(request, admin_site):
    _allowed(request)
    policy = quality.active_policy()
    form = _form(request.GET, policy)
    context = {
        **admin_site.each_context(request),
        "title": "Threshold advice",
        "form": form,
        "policy": policy,
        "history": ThresholdChange.objects.select_related("user")[:5],
    }
    if form.is_valid():
        context.update(_build(form, policy))
    return TemplateResponse(request, "admin/routing/threshold_advice.html", context)


def apply_view(request, admin_site):
    _allowed(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    policy = quality.active_policy()
    form = _form(request.POST, policy)
    page = reverse("admin:routing_threshold_advice")
    if policy.pk is None or not form.is_valid():
        messages.error(request, "The advice could not be applied: check the range and alpha.")
        return HttpResponseRedirect(page)
    built = _build(form, policy)
    back = f"{page}?{built['query']}"
    proposal = built["proposal"]
    if proposal is None:
        messages.error(request, "Nothing is advised for this range and alpha: nothing changed.")
        return HttpResponseRedirect(back)
    shown = {key: request.POST.get(key, "") for key in proposal.fields()}
    if shown != proposal.fields():
        # The pairs moved between the preview and the click (new decisions, audits, edits).
        messages.warning(
            request, "The evidence changed since the preview: review the new advice and apply."
        )
        return HttpResponseRedirect(back)
    change = advice.apply_thresholds(
        proposal=proposal,
        alpha=built["alpha"],
        user=request.user,
        evidence={
            **built["advice"].evidence(),
            "start": f"{built['range'].start:%Y-%m-%d}",
            "end": f"{built['range'].end:%Y-%m-%d}",
            "preview": _preview_evidence(built["preview"]),
        },
    )
    messages.success(
        request,
        f"Applied: confidence threshold {change.old_threshold} → {change.new_threshold}"
        + (f", {len(change.categories)} category threshold(s)" if change.categories else "")
        + f"; alpha {change.alpha}.",
    )
    return HttpResponseRedirect(back)


def _preview_evidence(preview) -> dict:
    return {
        "considered": preview.considered,
        "gained": preview.gained,
        "lost": preview.lost,
        "cost_delta": str(preview.cost_delta),
    }


def acknowledge_view(request, admin_site, alert_id):
    _allowed(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if quality.acknowledge(alert_id, user=request.user):
        messages.success(request, "Quality alert acknowledged.")
    return HttpResponseRedirect(reverse("admin:routing_dashboard"))


def urls(admin_site) -> list:
    from django.urls import path

    def view(function):
        return admin_site.admin_view(lambda request, **kw: function(request, admin_site, **kw))

    return [
        path("routing/threshold-advice/", view(advice_view), name="routing_threshold_advice"),
        path(
            "routing/threshold-advice/apply/",
            view(apply_view),
            name="routing_threshold_advice_apply",
        ),
        path(
            "routing/quality-alert/<int:alert_id>/acknowledge/",
            view(acknowledge_view),
            name="routing_quality_alert_acknowledge",
        ),
    ]


def index_entry(request) -> dict | None:
    """The page's line under Routing in the admin index, for those who may use it."""
    if not request.user.has_perm(PERMISSION):
        return None
    url = reverse("admin:routing_threshold_advice")
    return {
        "name": "Threshold advice",
        "object_name": "ThresholdAdvice",
        "admin_url": url,
        "add_url": None,
        "view_only": True,
        "perms": {"add": False, "change": False, "delete": False, "view": True},
        "model": None,
    }


# --- History and alerts ----------------------------------------------------------------------


@admin.register(ThresholdChange)
class ThresholdChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "old_threshold", "new_threshold", "alpha", "moved")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "policy",
        "user",
        "created_at",
        "alpha",
        "old_threshold",
        "new_threshold",
        "categories",
        "evidence",
    )

    @admin.display(description="Categories changed")
    def moved(self, obj):
        return (
            ", ".join(
                f"{row['name']}: {row['old'] or 'policy'} → {row['new'] or 'policy'}"
                for row in obj.categories
            )
            or "-"
        )


@admin.register(QualityAlert)
class QualityAlertAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "checked_at",
        "alpha",
        "estimate_shown",
        "upper_shown",
        "pairs",
        "acknowledged_at",
        "acknowledged_by",
    )
    list_filter = (("acknowledged_at", admin.EmptyFieldListFilter),)

    @admin.display(description="Estimated miss rate")
    def estimate_shown(self, obj):
        return f"{obj.estimate:.1%}"

    @admin.display(description="Upper bound (95%)")
    def upper_shown(self, obj):
        return f"{obj.upper:.1%}"
