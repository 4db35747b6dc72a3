"""Scopes of the API: what a machine client's token may do, declared by each view (`required_scopes`).

Pure data (the settings import it for django-oauth-toolkit). A public scope needs no token: the
endpoint is open to everyone and declares it so integrators see it in one place. A person signed in
with a session is not bound by scopes: the dossier permission checks (roles, ownership) decide.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    name: str
    vi: str
    en: str
    public: bool = False


CATALOG_READ = "catalog:read"
DOSSIERS_LOOKUP = "dossiers:lookup"
RESULTS_VERIFY = "results:verify"
DOSSIERS_CREATE = "dossiers:create"
DOSSIERS_READ = "dossiers:read"
DOSSIERS_ACT = "dossiers:act"

SCOPES: dict[str, Scope] = {
    s.name: s
    for s in (
        Scope(CATALOG_READ, "Đọc danh mục thủ tục, cơ quan", "Read the procedure catalogue", public=True),
        Scope(DOSSIERS_LOOKUP, "Tra cứu hồ sơ bằng mã và PIN", "Look up a dossier by code and PIN", True),
        Scope(RESULTS_VERIFY, "Kiểm tra kết quả điện tử", "Verify a signed result", public=True),
        Scope(DOSSIERS_CREATE, "Nộp hồ sơ", "Create dossiers"),
        Scope(DOSSIERS_READ, "Xem hồ sơ, tiến trình, danh sách việc", "Read dossiers, timelines, worklists"),
        Scope(DOSSIERS_ACT, "Xử lý hồ sơ (tiếp nhận, chuyển, trả…)", "Act on dossiers (receive, forward…)"),
    )
}
PUBLIC_SCOPES = frozenset(name for name, scope in SCOPES.items() if scope.public)
# What the token endpoint may grant (django-oauth-toolkit's SCOPES setting): the non-public ones.
SCOPE_DESCRIPTIONS: dict[str, str] = {
    name: f"{scope.vi} / {scope.en}" for name, scope in SCOPES.items() if not scope.public
}


def is_public(required: list[str] | tuple[str, ...]) -> bool:
    """An endpoint is open to everyone when all the scopes it declares are public."""
    return bool(required) and all(name in PUBLIC_SCOPES for name in required)
