"""The roles of the one-stop process (GLOSSARY.md), known to every app.

An officer holds a role in an agency through `accounts.RoleAssignment`; a process step of the
catalogue names the role that handles it. Both point down here, so the catalogue never imports
`accounts` (dependencies point one way: `core` ← `accounts`, `catalog`).
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    """Roles of the one-stop process (GLOSSARY.md)."""

    DESK = "desk", "Cán bộ một cửa / one-stop desk"
    SPECIALIST = "specialist", "Chuyên viên / specialist"
    DIVISION_HEAD = "division_head", "Lãnh đạo phòng / division head"
    LEADER = "leader", "Lãnh đạo đơn vị / leader"
    CLERK = "clerk", "Văn thư / clerk"
    SUPERVISOR = "supervisor", "Giám sát / supervisor (read only)"
