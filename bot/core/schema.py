"""The JSON Schema of every file admins edit, for editors to check files as they are typed."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from bot.core.models import Source, Topic

SCHEMA_MODELS: dict[str, type[BaseModel]] = {"source": Source, "topic": Topic}


def register(name: str, model: type[BaseModel]) -> None:
    """Add a model whose schema is published (config files register theirs)."""
    SCHEMA_MODELS[name] = model


def schema_of(name: str) -> dict[str, object]:
    """The JSON Schema of one file kind."""
    schema = SCHEMA_MODELS[name].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_schemas(folder: Path) -> list[Path]:
    """Write `<name>.schema.json` for every file kind into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(SCHEMA_MODELS):
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema_of(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
