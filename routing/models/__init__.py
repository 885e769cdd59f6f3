"""Routing's models, one module per concept; every model is importable from here."""

from routing.models.calls import (
    FAMILY_LABELS,
    BacklogBatch,
    Circuit,
    ModelCall,
    ModelPrice,
    ShadowAudit,
    model_family,
)
from routing.models.decisions import (
    NO_SLA,
    QUEUE_ORDER,
    SLA_ORDER,
    Activity,
    Feedback,
    FollowUp,
    SavedView,
    Triage,
)
from routing.models.local_models import LocalModel
from routing.models.quality import QualityAlert, ThresholdChange
from routing.models.replies import ReplyDraft, ReplyKnowledge, ReplyTemplate
from routing.models.setup import TIER_CHOICES, Category, Queue, QueueMembership, RoutingPolicy, Rule

__all__ = [
    "NO_SLA",
    "QUEUE_ORDER",
    "SLA_ORDER",
    "TIER_CHOICES",
    "Activity",
    "BacklogBatch",
    "Category",
    "Circuit",
    "Feedback",
    "FollowUp",
    "LocalModel",
    "ModelCall",
    "ModelPrice",
    "QualityAlert",
    "Queue",
    "QueueMembership",
    "ReplyDraft",
    "ReplyKnowledge",
    "ReplyTemplate",
    "Rule",
    "RoutingPolicy",
    "SavedView",
    "ThresholdChange",
    "ShadowAudit",
    "Triage",
    "FAMILY_LABELS",
    "model_family",
]
