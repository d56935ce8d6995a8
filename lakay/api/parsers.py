"""The JSON parser of every API view: DRF's, but strict (``lakay.strict_json``) and never a 500.

DRF's own lets through what later becomes a 500: nesting deeper than the interpreter's stack
(RecursionError is not a ValueError), lone surrogates (no error message echoing them can be rendered
as UTF-8) and numbers overflowing a double (``inf`` cannot be stored in JSONB).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from lakay import strict_json


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = strict_json.loads(codecs.getreader(encoding)(stream).read())
        except ValueError as error:
            raise ParseError(f"JSON parse error - {str(error)[:200]}") from None
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if strict_json.has_lone_surrogate(json.dumps(data, ensure_ascii=False)):
            raise ParseError("JSON parse error - a string holds a lone surrogate (not valid Unicode).")
        return data
