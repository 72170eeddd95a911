"""Serialisation shared by the components that own one reviewed JSON resource.

The lexicon (``fasciclf_terms``) and the context rules (``fasciclf_context``)
travel with a saved pipeline, through spaCy's serializer dicts, so that
``exclude`` works as it does for spaCy's own components.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import srsly
from spacy.util import from_bytes, from_disk, to_bytes, to_disk

__all__ = ["JsonResourceMixin"]


class JsonResourceMixin:
    """``to_bytes``/``from_bytes``/``to_disk``/``from_disk`` for one JSON resource.

    A subclass sets ``resource_key`` (the serializer key, e.g. ``"lexicon"``)
    and ``resource_file`` (the file name inside the component's folder), and
    implements ``resource_json()`` (the resource as JSON data) and
    ``load_resource(data)`` (parse, validate and install it).
    """

    resource_key: str
    resource_file: str

    def resource_json(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def load_resource(self, data: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_bytes(self, *, exclude: tuple[str, ...] = ()) -> bytes:
        serializers = {self.resource_key: lambda: srsly.json_dumps(self.resource_json())}
        return to_bytes(serializers, exclude)

    def from_bytes(self, data: bytes, *, exclude: tuple[str, ...] = ()) -> Any:
        deserializers = {self.resource_key: lambda b: self.load_resource(srsly.json_loads(b))}
        from_bytes(data, deserializers, exclude)
        return self

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        serializers = {
            self.resource_key: lambda p: p.with_name(self.resource_file).write_text(
                json.dumps(self.resource_json(), indent=1), "utf-8"
            )
        }
        Path(path).mkdir(parents=True, exist_ok=True)
        to_disk(path, serializers, exclude)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> Any:
        def load(p: Path) -> None:
            file = p.with_name(self.resource_file)
            if file.exists():
                self.load_resource(json.loads(file.read_text("utf-8")))

        from_disk(path, {self.resource_key: load}, exclude)
        return self
