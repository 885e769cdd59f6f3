from django import template
from django.conf import settings

from handoff.models import CrmRecord

register = template.Library()


@register.inclusion_tag("handoff/_crm_link.html")
def crm_link(lead):
    """The lead's CRM records, for the lead page: no query unless a CRM is configured."""
    if not settings.HUBSPOT_TOKEN:
        return {"records": []}
    return {"records": list(CrmRecord.objects.filter(lead_id=lead.pk).exclude(deal_id=""))}
