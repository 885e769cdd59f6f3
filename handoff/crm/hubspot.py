"""HubSpot's CRM v3 API with a private app's token: the contact upserted by email
(`POST /crm/v3/objects/contacts/batch/upsert`, idProperty email), the deal created with
its association to the contact (`POST /crm/v3/objects/deals`, association type 3: deal to
contact) or, once its id is known, updated (`PATCH /crm/v3/objects/deals/{id}`).

A 429 is retried after its Retry-After (HubSpot's ten-second windows), a 5xx or a
connection failure after a short backoff, a few times within the task; what still fails
goes back to the task's own retries (handoff.crm.push)."""

import json
import time

from django.conf import settings

from handoff import http
from handoff.crm.base import LeadForCrm, Pushed

ATTEMPTS = 3
DEAL_TO_CONTACT = 3
LONGEST_WAIT = 10.0


class HubSpot:
    name = "hubspot"

    def __init__(self):
        self.base_url = settings.HUBSPOT_BASE_URL.rstrip("/")
        self.token = settings.HUBSPOT_TOKEN

    def push(self, lead: LeadForCrm, *, contact_id: str = "", deal_id: str = "") -> Pushed:
        contact_id = self.upsert_contact(lead)
        properties = self.deal_properties(lead)
        if deal_id:
            self.call("PATCH", f"/crm/v3/objects/deals/{deal_id}", {"properties": properties})
        else:
            created = self.call(
                "POST",
                "/crm/v3/objects/deals",
                {
                    "properties": properties,
                    "associations": [
                        {
                            "to": {"id": contact_id},
                            "types": [
                                {
                                    "associationCategory": "HUBSPOT_DEFINED",
                                    "associationTypeId": DEAL_TO_CONTACT,
                                }
                            ],
                        }
                    ],
                },
            )
            deal_id = str(created["id"])
        return Pushed(contact_id=contact_id, deal_id=deal_id, url=self.record_url(deal_id))

    def upsert_contact(self, lead: LeadForCrm) -> str:
        answer = self.call(
            "POST",
            "/crm/v3/objects/contacts/batch/upsert",
            {
                "inputs": [
                    {
                        "idProperty": "email",
                        "id": lead.email,
                        "properties": {
                            "email": lead.email,
                            "firstname": lead.first_name,
                            "lastname": lead.last_name,
                            "company": lead.company,
                        },
                    }
                ]
            },
        )
        results = answer.get("results") or []
        if not results or "id" not in results[0]:
            raise http.TransportError(f"HubSpot upserted no contact: {str(answer)[:200]}")
        return str(results[0]["id"])

    def deal_properties(self, lead: LeadForCrm) -> dict:
        who = lead.company or " ".join(filter(None, [lead.first_name, lead.last_name]))
        description = "\n".join(
            [
                lead.summary,
                f"Score {lead.score}, category {lead.category}",
                f"Budget: {lead.budget_text or 'not stated'}",
                f"Lead: {lead.url}",
            ]
        )
        properties = {
            "dealname": f"{who or lead.email}: lead #{lead.lead_id}"[:200],
            "pipeline": settings.HUBSPOT_PIPELINE,
            "dealstage": settings.HUBSPOT_DEAL_STAGE,
            "description": description,
        }
        if lead.budget_usd is not None:
            properties["amount"] = str(lead.budget_usd)
        return properties

    def record_url(self, deal_id: str) -> str:
        if not settings.HUBSPOT_PORTAL_ID:
            return ""
        return f"https://app.hubspot.com/contacts/{settings.HUBSPOT_PORTAL_ID}/record/0-3/{deal_id}"

    def call(self, method: str, path: str, payload: dict) -> dict:
        body = json.dumps(payload).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return http.request(method, self.base_url + path, body=body, headers=headers).json()
            except http.TransportError as exc:
                if exc.permanent or attempt == ATTEMPTS:
                    raise
                wait = exc.retry_after
                if wait is None:
                    wait = settings.HUBSPOT_BACKOFF_MS / 1000 * 2 ** (attempt - 1)
                if wait > LONGEST_WAIT:
                    raise  # the task's own retry waits that long, not a worker
                time.sleep(wait)
        raise AssertionError("unreachable")
