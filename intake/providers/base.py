"""What every provider module declares: one `Provider`, its facts in one place.

A provider's module (intake/providers/<name>.py) holds its anymail view (extended where
anymail does not do enough), the settings it needs, where its post carries the message as
sent, and the small payload fields kept beside the message.
"""

import binascii
import logging
from base64 import b64decode
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Provider:
    name: str
    # anymail's own view by dotted path, imported on first use: some pull in heavy SDKs
    # at import (Resend's, svix: 35 MB in every web worker, used by none).
    view: type | str
    route: str  # anymail's path under /webhooks/anymail/
    # anymail settings that must be set; a tuple inside is "one of these"
    required: tuple = ()
    regex: bool = False
    # The RFC 822 bytes as the provider sent them (its event), when it sends them.
    raw: Callable[[object], bytes | None] | None = None
    # Top-level fields of its post kept beside the message; never bodies or attachments.
    payload_fields: tuple[str, ...] = ()
    # More of its post kept beside the message, when they are nested.
    payload: Callable[[object], dict] | None = None
    # A setting beyond anymail's that must be set: its name when it is missing, else "".
    missing: Callable[[], str] | None = None

    @cached_property
    def view_class(self) -> type:
        return import_string(self.view) if isinstance(self.view, str) else self.view

    def sent_raw(self, esp) -> bytes | None:
        if self.raw is None:
            return None
        try:
            return self.raw(esp)
        except (AttributeError, KeyError, TypeError, ValueError, binascii.Error):
            logger.warning(
                "%s: raw message not where expected; storing anymail's reconstruction", self.name
            )
            return None


def text_bytes(value) -> bytes | None:
    # JSON carries text, not bytes: UTF-8 is what the provider decoded from.
    return value.encode("utf-8", "replace") if isinstance(value, str) and value else None


def b64_or_text(value, is_base64: bool) -> bytes | None:
    if not value:
        return None
    return b64decode(value) if is_base64 else text_bytes(value)
