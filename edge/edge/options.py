"""Processing options as the upload form carries them: each a text field before `file`, read into
their types and checked here, so a bad one is refused before the file's first byte is sent on."""

from __future__ import annotations

import re
from typing import Any

from pixelflow.errors import InvalidArgument
from pixelflow.images.v1 import images_pb2
from pixelflow.options import (
    MAX_QUALITY,
    MAX_SIDE,
    MIN_QUALITY,
    MIN_SIDE,
    OPTION_FIELDS,
    ProcessingOptions,
    checked,
    options_message,
)
from pixelflow.public import PublicOptions

_WHOLE_NUMBERS = ("quality", "width", "height")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}(\.0*)?")
# A boolean as the OpenAPI form writes one (and browsers' forms and curl send).
_BOOLEANS = {"true": True, "false": False}


def _value(name: str, raw: str) -> Any:
    if name in _WHOLE_NUMBERS:
        # JSON Schema's integer, as a form writes it: 127, or 127.0.
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise InvalidArgument(f"{name}: must be a whole number", field=name)
        return int(raw.split(".")[0])
    if name == "enlarge":
        if raw.lower() not in _BOOLEANS:
            raise InvalidArgument(f"{name}: must be true or false", field=name)
        return _BOOLEANS[raw.lower()]
    return raw


def form_options(fields: dict[str, str]) -> images_pb2.ProcessingOptions | None:
    """The options the form's fields give (None when it gives none: the defaults); InvalidArgument
    naming the field otherwise."""
    if not fields:
        return None
    given = {name: _value(name, raw) for name, raw in fields.items()}
    return options_message(checked(ProcessingOptions(**given)))


def document_options(form: dict[str, Any]) -> None:
    """The option fields in the OpenAPI form, before `file` (where they must be sent)."""
    schema = PublicOptions.model_json_schema()["properties"]
    properties: dict[str, Any] = {}
    for name in OPTION_FIELDS:
        field = {key: value for key, value in schema[name].items() if key != "title"}
        if "anyOf" in field:  # width/height: an integer when sent (null is the absence of the field)
            field = {"type": "integer", "minimum": MIN_SIDE, "maximum": MAX_SIDE, "description": field["description"]}
        properties[name] = field
    properties["quality"] |= {"minimum": MIN_QUALITY, "maximum": MAX_QUALITY}
    form["properties"] = properties | form["properties"]
    form["description"] = "Option fields must come before `file`: the file streams on as soon as its part begins."
