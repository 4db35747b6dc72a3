"""Dossier codes (Circular 01/2018 art. 19) and the PIN printed on the receipt.

The sequence comes from one UPSERT on `CodeCounter` inside the caller's transaction: the row lock it
takes is held until commit, so concurrent receipts for the same unit and day queue behind each
other, and a rollback gives the number back. Codes are therefore unique *and* gap-free per unit and
day — which a "SELECT max() + 1" or a database sequence would not give.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from egov.catalog.models import Agency
from egov.dossiers.errors import CodeFormatInvalid, CodeFormatMissing
from egov.dossiers.models import CodeCounter, CodeFormat, validate_code_template


def next_sequence(agency: Agency, day: date) -> int:
    """Take the next number for (agency, day); must run inside the creating transaction."""
    table = connection.ops.quote_name(CodeCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency.pk, day])
        row = cursor.fetchone()
    return int(row[0])


def code_format_on(day: date) -> CodeFormat:
    fmt = CodeFormat.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if fmt is None:
        raise CodeFormatMissing(detail={"date": day.isoformat()})
    return fmt


def render_code(template: str, agency: Agency, day: date, seq: int) -> str:
    """Rules are validated when saved; one written past the validation is reported, not a crash."""
    try:
        validate_code_template(template)
    except ValidationError as exc:
        raise CodeFormatInvalid(detail={"template": template}) from exc
    return template.format(
        unit=agency.code,
        unit2020=agency.code_2020 or agency.code,
        yymmdd=day.strftime("%y%m%d"),
        yyyymmdd=day.strftime("%Y%m%d"),
        seq=seq,
    )


def issue_code(agency: Agency, day: date, template: str | None = None) -> str:
    """The next dossier code of `agency` for the local date `day` under the rule in force that day
    (`template`, when the caller already read it in its transaction)."""
    if template is None:
        template = code_format_on(day).template
    return render_code(template, agency, day, next_sequence(agency, day))


def new_pin() -> str:
    digits = int(str(settings.EGOV["PIN_LENGTH"]))
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def pin_digest(code: str, pin: str) -> str:
    """Only this HMAC is stored: a database leak does not reveal the PINs."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{code}{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(code: str, pin: str, digest: str) -> bool:
    return hmac.compare_digest(pin_digest(code, pin), digest)
