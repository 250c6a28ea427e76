"""What the portal holds about a person, model by model (R34).

Every model with a foreign key to User or Organisation is registered here: either exported, with
a function giving the person's rows as JSON-safe dicts, or excluded with the reason why. A test
walks every installed model and fails on one that is neither, so a new model must decide. Apps
above accounts register their models from their AppConfig.ready().
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model

from madoguchi.accounts.models import Organisation, User

Rows = Callable[[User], Iterable[dict[str, Any]]]


@dataclass(frozen=True)
class Exported:
    """A model whose rows about the person go into the export as <name>.json."""

    name: str
    rows: Rows


@dataclass(frozen=True)
class Excluded:
    """A model deliberately left out of the export, and why."""

    reason: str


_registry: dict[type[Model], Exported | Excluded] = {}
_sections: dict[str, Rows] = {}


def export(model: type[Model], name: str, rows: Rows) -> None:
    """Export the person's rows of model as <name>.json."""
    _registry[model] = Exported(name=name, rows=rows)
    _sections[name] = rows


def exclude(model: type[Model], reason: str) -> None:
    """Leave model out of the export; reason says why it holds no data to give back."""
    if not reason.strip():
        raise ValueError("An excluded model needs a reason")
    _registry[model] = Excluded(reason=reason)


def section(name: str, rows: Rows) -> None:
    """Export data that is not a related model's rows (the person's own profile)."""
    _sections[name] = rows


def registration(model: type[Model]) -> Exported | Excluded | None:
    return _registry.get(model)


def sections() -> dict[str, Rows]:
    """Return every part of the export by file name (without .json)."""
    return dict(_sections)


def _points_at_people(model: type[Model]) -> bool:
    return any(
        field.related_model in {User, Organisation}
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model is not None
    )


def personal_models() -> Iterator[type[Model]]:
    """Yield every installed model with a foreign key or many-to-many to User or Organisation."""
    for model in apps.get_models():
        if _points_at_people(model):
            yield model


def unregistered_models() -> list[type[Model]]:
    """Return the models that point at people but are neither exported nor excluded."""
    return [model for model in personal_models() if model not in _registry]
