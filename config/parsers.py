"""DRF's JSON parser with a nesting bound, the default for every API view (settings).

json recurses once per level: 100,000 `[` is a RecursionError, which DRF does not turn
into a 400 (it catches ValueError). Its own module: DRF imports it while reading its
settings, before any view module can be imported.
"""

import io

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from intake import inputs


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            inputs.check_json_depth(raw)
        except inputs.TooDeep as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return super().parse(io.BytesIO(raw), media_type, parser_context)
