"""The rules of a published procedure version, read once per process.

A published version never changes: the catalogue services refuse it, the admin shows it read-only
and a bundle import may only set its end date (`published_version_frozen`). So the channels and the
internal process that every dossier transition needs can be kept in memory per process (worth about
7 % of lifecycle throughput, measured side by side). Only published versions take dossiers. Any save
or delete of these rows in this process clears the cache, which also keeps tests that reuse ids
honest.
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
