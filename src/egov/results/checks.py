"""Deployment check of the node's revocation list: a lapsed CRL leaves no signature checkable.

`egov worker` signs the CRL again long before it lapses (egov.results.crl); when it has lapsed all the
same (no worker ran for days, the CA key unreadable, the clock wrong), `egov check --deploy` says so
as egov.W012, with the way out.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from egov.core.errors import DomainError
from egov.results.crl import crl_state
from egov.results.signers import pki_dir


@register(Tags.security, deploy=True)
def check_crl_current(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        state = crl_state(pki_dir())
    except DomainError as exc:  # an unreadable crl.pem is as bad as a lapsed one
        return [_warning(f"{exc.vi} / {exc.en}")]
    if state is None or not state.lapsed:
        return []
    when = f"{state.next_update:%Y-%m-%d %H:%M} UTC"
    return [
        _warning(
            f"Danh sách chứng thư số bị thu hồi (CRL) của nút đã hết hạn từ {when}: mọi chữ ký số của kết "
            f"quả điện tử đều không kiểm tra được / the node's revocation list (CRL) lapsed on {when}: no "
            "signature of an electronic result can be checked."
        )
    ]


def _warning(text: str) -> Warning:
    return Warning(
        text,
        hint="Chạy `egov pki crl --renew` và giữ `egov worker` chạy (ký lại CRL trước khi hết hạn) / run "
        "`egov pki crl --renew` and keep `egov worker` running (it signs the CRL again before it lapses).",
        id="egov.W012",
    )
