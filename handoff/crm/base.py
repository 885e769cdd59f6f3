"""The CRM seam: what a CRM is given about a lead and what it gives back. One module per
CRM (hubspot.py today; Salesforce or Pipedrive would be one more each), chosen by
settings in `handoff.crm.push.current()`. Errors are handoff.http.TransportError, as
for every outbound call."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class LeadForCrm:
    lead_id: int
    email: str
    first_name: str
    last_name: str
    company: str
    subject: str
    summary: str
    score: int
    category: str
    budget_text: str
    budget_usd: Decimal | None
    url: str


@dataclass(frozen=True)
class Pushed:
    contact_id: str
    deal_id: str
    url: str


class Crm(Protocol):
    name: str

    def push(self, lead: LeadForCrm, *, contact_id: str = "", deal_id: str = "") -> Pushed:
        """Create or update the contact and the deal; ids from an earlier push are given
        back, so a second push updates instead of duplicating."""
        ...
