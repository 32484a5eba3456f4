"""The paid-service catalog (有偿服务收费标准), loaded from a YAML file the office owns."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from dialogs.model import CatalogItem
from locales import LANGUAGES

DEFAULT_CATALOG = Path(__file__).parent / "data" / "catalog.yaml"


class CatalogError(ValueError):
    """The catalog file is not usable; the message says where."""


@dataclass(frozen=True, slots=True)
class Catalog:
    items: tuple[CatalogItem, ...]

    def get(self, key: str | None) -> CatalogItem | None:
        """The catalog item with this key, if the office offers it."""
        return next((item for item in self.items if item.key == key), None)


def _names(raw: Any, where: str) -> dict[str, str]:
    if isinstance(raw, str):
        return dict.fromkeys(LANGUAGES, raw)
    if not isinstance(raw, dict) or "zh_Hans" not in raw:
        raise CatalogError(f"{where}: give a text or a mapping with at least zh_Hans")
    return {lang: str(raw.get(lang) or raw["zh_Hans"]) for lang in LANGUAGES}


def _price(raw: dict[str, Any], name: str) -> Decimal | None:
    value = raw.get(name)
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and check the catalog; defaults to the one shipped with Frontline."""
    source = path or DEFAULT_CATALOG
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise CatalogError(f"{source}: {error}") from error
    items = []
    for index, raw in enumerate(document.get("items", []) if isinstance(document, dict) else []):
        where = f"{source} item {index + 1}"
        try:
            fixed = _price(raw, "price")
            low, high = _price(raw, "price_min"), _price(raw, "price_max")
            items.append(CatalogItem(
                key=str(raw["key"]),
                trade=str(raw["trade"]),
                names=_names(raw["name"], where),
                units=_names(raw.get("unit", ""), where) if raw.get("unit") else
                dict.fromkeys(LANGUAGES, ""),
                price_min=fixed if fixed is not None else low,
                price_max=fixed if fixed is not None else high,
                checklist=tuple(str(step) for step in raw.get("checklist", [])),
            ))
        except (KeyError, TypeError, ArithmeticError) as error:
            raise CatalogError(f"{where}: {error!r}") from error
    if not items:
        raise CatalogError(f"{source}: no items")
    return Catalog(tuple(items))
