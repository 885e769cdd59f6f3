"""Full-text search over leads: contact, company, subject and what the messages say.

One `tsvector` per lead (`Lead.search`, GIN-indexed), rebuilt whenever a message joins
the lead. The `simple` configuration indexes words as written, without stemming: mail
arrives in many languages, and reps search for names and companies, where a stemmer
for one language would get in the way. Every query word matches as a prefix, so
"acm pric" finds "Acme" and "pricing".
"""

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection

# Per message, enough to find a lead by what it said; a tsvector is capped at 1 MB.
BODY_CHARS = 20_000
MAX_QUERY_WORDS = 8
WORD = re.compile(r"\w+", re.UNICODE)

REFRESH_SQL = f"""
UPDATE intake_lead AS l SET search =
    setweight(to_tsvector('simple', concat_ws(' ', c.name, c.company, c.email,
        replace(c.domain, '.', ' '))), 'A')
    || setweight(to_tsvector('simple', l.subject), 'B')
    || setweight(to_tsvector('simple', coalesce((
        SELECT string_agg(concat_ws(' ', m.subject, left(m.text_new, {BODY_CHARS})), ' ')
        FROM intake_message AS m WHERE m.lead_id = l.id), '')), 'C')
FROM intake_contact AS c
WHERE c.id = l.contact_id AND l.id = ANY(%s)
"""


def refresh(lead_ids: list[int]) -> None:
    """Rebuild the search text of these leads from their contact and messages."""
    if lead_ids:
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL, [list(lead_ids)])


def parse_query(text: str) -> SearchQuery | None:
    """A rep's search box → every word as a prefix, all required; None when nothing is left."""
    words = WORD.findall(text.lower())[:MAX_QUERY_WORDS]
    if not words:
        return None
    # The words are \w+ only, so nothing in them is tsquery syntax.
    return SearchQuery(
        " & ".join(f"{word}:*" for word in words), config="simple", search_type="raw"
    )
