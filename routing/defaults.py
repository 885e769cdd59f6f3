"""The starting categories, queues and routing policy; all editable in admin.

Category descriptions are what the model reads (routing/prompt.py): they say what belongs
and, where two categories are close, what does not. The data migration seeds them; triage
re-creates them if a database has none at all (a fresh flush), since it cannot choose a
category from an empty set.
"""

QUEUES = [
    # slug, name, SLA minutes, strategy
    ("sales", "Sales", 240, "least_loaded"),
    ("enterprise", "Enterprise", 60, "round_robin"),
    ("support", "Support", 480, "manual"),
    ("partnerships", "Partnerships", 1440, "manual"),
    ("review", "Human review", 240, "manual"),
]

CATEGORIES = [
    # slug, name, description for the model, is_sales, queue slug
    (
        "sales_inquiry",
        "Sales inquiry",
        "A possible customer asks about buying or using the product (features, fit, "
        "security, licences, a trial) without asking specifically for a demo or a price.",
        True,
        "sales",
    ),
    (
        "demo_request",
        "Demo request",
        "A possible customer asks for a demo, a walkthrough or a call to see the product.",
        True,
        "sales",
    ),
    (
        "pricing_request",
        "Pricing request",
        "A possible customer asks what it costs: prices, a quote, an offer, plans, per-seat "
        "cost, volume discounts.",
        True,
        "sales",
    ),
    (
        "partnership",
        "Partnership",
        "Another company proposes working together: integrations, reselling, referrals, "
        "co-marketing, technology or channel partnerships. Not someone selling us a service "
        "(that is vendor_pitch).",
        False,
        "partnerships",
    ),
    (
        "support",
        "Support",
        "An existing customer or user reports a problem or asks how to do something: login, "
        "bugs, errors, billing of an existing account.",
        False,
        "support",
    ),
    (
        "job_application",
        "Job application",
        "Someone applies for a job or sends a CV, or a recruiter offers candidates.",
        False,
        "review",
    ),
    (
        "vendor_pitch",
        "Vendor pitch",
        "Someone tries to sell us something: SEO, marketing, lead lists, outsourcing, "
        "development services, 'quick call' cold outreach.",
        False,
        None,
    ),
    (
        "spam",
        "Spam",
        "Scams, phishing, prizes, crypto schemes, bulk junk, or text with no real request.",
        False,
        None,
    ),
    (
        "auto_reply",
        "Automatic mail",
        "Mail sent by a machine, not a person: out-of-office and other auto-replies, "
        "bounces, delivery reports, newsletters and notifications.",
        False,
        None,
    ),
    (
        "other",
        "Other",
        "Anything from a real person that fits none of the categories above.",
        False,
        "review",
    ),
]

POLICY_NAME = "Default policy"
SCORE_WEIGHTS = {"budget": 25, "authority": 20, "need": 25, "timeline": 15, "company_size": 15}


def seed_defaults(Queue, Category, RoutingPolicy) -> None:
    """Create what is missing; never overwrite an admin's edits. Takes the model
    classes so the data migration can pass its historical models."""
    queues = {}
    for slug, name, sla_minutes, strategy in QUEUES:
        queues[slug], _ = Queue.objects.get_or_create(
            slug=slug, defaults={"name": name, "sla_minutes": sla_minutes, "strategy": strategy}
        )
    for position, (slug, name, description, is_sales, queue) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "is_sales": is_sales,
                "queue": queues[queue] if queue else None,
                "position": (position + 1) * 10,
            },
        )
    if not RoutingPolicy.objects.exists():
        RoutingPolicy.objects.create(
            name=POLICY_NAME,
            is_active=True,
            default_queue=queues["sales"],
            review_queue=queues["review"],
            score_weights=SCORE_WEIGHTS,
        )
