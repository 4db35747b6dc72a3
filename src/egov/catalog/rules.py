"""The rules of a published procedure version, read once per process.

A published version never changes (services and the admin refuse it; an import refuses to touch a
version that dossiers use), so its channels and internal process can be kept in memory: every dossier
transition needs them, and reading them each time was a tenth of a lifecycle's queries. Any save or
delete of these rows in this process clears the cache, which also keeps tests that reuse ids honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models.signals import post_delete, post_save

from egov.catalog.models import ChannelTerms, ProcedureVersion, ProcessStep


@dataclass(frozen=True)
class VersionRules:
    version_id: int
    channels: dict[str, ChannelTerms]
    steps: tuple[ProcessStep, ...]


@lru_cache(maxsize=4096)
def version_rules(version_id: int) -> VersionRules:
    channels = {terms.channel: terms for terms in ChannelTerms.objects.filter(version_id=version_id)}
    steps = tuple(ProcessStep.objects.filter(version_id=version_id).order_by("position"))
    return VersionRules(version_id=version_id, channels=channels, steps=steps)


def clear_version_rules(**kwargs: Any) -> None:
    version_rules.cache_clear()


for _model in (ChannelTerms, ProcessStep, ProcedureVersion):
    post_save.connect(clear_version_rules, sender=_model, dispatch_uid=f"rules-save-{_model.__name__}")
    post_delete.connect(clear_version_rules, sender=_model, dispatch_uid=f"rules-delete-{_model.__name__}")
