"""Result templates: choose the one for a dossier, fill it from a whitelisted context, lay it out.

A template body is Django template text rendered by a private engine with autoescape off (the output
is a PDF, not HTML) and no loaders or tag libraries. Its context holds plain strings only — copies of
the dossier fields, the declaration and the agency — never model instances, so a template cannot
reach the database or any other attribute.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from egov.catalog.models import Agency
from egov.core.errors import DomainError, NotFound
from egov.core.pdf import Block, Heading, Table, date_line, nfc
from egov.dossiers.models import Dossier
from egov.results.models import ResultTemplate

ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False, debug=False)
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
PLACE_PREFIXES = ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd ")
LEVEL_WORDS = ("thành phố ", "tỉnh ", "quận ", "huyện ", "thị xã ", "phường ", "xã ", "thị trấn ")


class TemplateNotFound(NotFound):
    code = "result_template_not_found"
    vi = "Chưa có mẫu kết quả cho thủ tục này (kể cả mẫu văn bản trả lời chung)."
    en = "There is no result template for this procedure (not even the generic reply)."


class TemplateRenderFailed(DomainError):
    code = "result_template_invalid"
    vi = "Mẫu kết quả có lỗi cú pháp, không tạo được văn bản."
    en = "The result template has a syntax error; the document could not be made."


def check_body(body: str) -> None:
    """Raise a ValidationError when the body does not compile (used by the admin form)."""
    try:
        ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationError(f"Mẫu không hợp lệ / invalid template: {exc}") from exc


def _latest_versions(templates: list[ResultTemplate]) -> list[ResultTemplate]:
    latest: dict[str, ResultTemplate] = {}
    for template in templates:
        if template.code not in latest or template.version > latest[template.code].version:
            latest[template.code] = template
    return list(latest.values())


def templates_for(dossier: Dossier, *, on: dt.date | None = None) -> list[ResultTemplate]:
    """The templates in force for the dossier's procedure: specific ones first, then the fallback."""
    day = on or timezone.localdate()
    version = dossier.procedure_version
    names = [str(r.get("name", "")) for r in (version.results or []) if isinstance(r, dict)]
    names = [n for n in names if n]
    wanted = Q(procedure_code=version.procedure.code) | Q(is_fallback=True)
    if names:
        wanted |= Q(result_name__in=names)
    rows = list(ResultTemplate.objects.filter(wanted, valid_from__lte=day))
    latest = _latest_versions(rows)
    specific = sorted(
        (t for t in latest if not t.is_fallback), key=lambda t: (t.procedure_code == "", t.code)
    )
    fallback = sorted((t for t in latest if t.is_fallback), key=lambda t: t.code)
    return specific + fallback


def default_template(dossier: Dossier) -> ResultTemplate:
    candidates = templates_for(dossier)
    if not candidates:
        raise TemplateNotFound(detail={"procedure": dossier.procedure_version.procedure.code})
    return candidates[0]


def _inline(value: Any) -> str:
    """Applicant text as one line that cannot become layout: the body's blank lines, '| ' rows and
    '## ' headings are the template author's, never the applicant's (the agency signs the result)."""
    text = " ".join(nfc(value).split())  # every line break and tab, Unicode separators included
    return text.replace("|", "¦").lstrip("#").lstrip()


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".").rstrip("0").rstrip(",")
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    text = _inline(value)
    match = ISO_DATE.match(text)
    return f"{match.group(3)}/{match.group(2)}/{match.group(1)}" if match else text


def _day(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def place_of(agency: Agency) -> str:
    """'Vĩnh Phúc' for an agency of 'UBND tỉnh Vĩnh Phúc': the locality printed before the date."""
    node = agency
    while node.parent is not None and node.level not in (Agency.Level.PROVINCE, Agency.Level.CENTRAL):
        node = node.parent
    name = nfc(node.name).strip()
    lowered = name.lower()
    for prefix in PLACE_PREFIXES:
        if lowered.startswith(prefix):
            name, lowered = name[len(prefix) :], lowered[len(prefix) :]
    for word in LEVEL_WORDS:
        index = lowered.find(word)
        if index >= 0:
            return name[index + len(word) :].strip()
    return str(settings.EGOV.get("NODE_NAME") or name)


def context_for(
    dossier: Dossier, *, number: str, short_code: str, day: dt.date, agency: Agency | None = None
) -> dict[str, Any]:
    """The whitelisted context: plain strings copied from the dossier, never model instances.

    `agency` is the issuing agency (the receiving one unless a reorganisation closed it)."""
    agency = agency or dossier.agency
    procedure = dossier.procedure_version.procedure
    return {
        "dossier": {
            "code": dossier.code,
            "applicant_name": _inline(dossier.applicant_name),
            "applicant_id_number": _inline(dossier.applicant_id_number),
            "address": _inline(dossier.address),
            "subject": _inline(dossier.subject),
            "submitted_at": _day(dossier.submitted_at),
            "received_at": _day(dossier.received_at),
            "due_at": _day(dossier.due_at),
        },
        "declaration": {str(k): _plain(v) for k, v in (dossier.declaration or {}).items()},
        "procedure": {"code": procedure.code, "name": nfc(procedure.name)},
        "agency": {
            "code": agency.code,
            "name": nfc(agency.name),
            "parent_name": nfc(agency.parent.name) if agency.parent else "",
            "address": nfc(agency.address),
        },
        "result": {
            "number": number,
            "short_code": short_code,
            "date": day.strftime("%d/%m/%Y"),
            "date_text": date_line("", day),
        },
    }


def render_body(template: ResultTemplate, context: dict[str, Any]) -> str:
    try:
        compiled = ENGINE.from_string(template.body)
        return nfc(compiled.render(Context(context, autoescape=False)))
    except TemplateSyntaxError as exc:
        raise TemplateRenderFailed(detail={"template": str(template), "error": str(exc)[:200]}) from exc


def blocks_of(text: str) -> list[Block]:
    """Blank lines separate blocks; '| label | value' lines make a table, '## ' a heading."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("|") for line in lines):
            rows = []
            for line in lines:
                label, _sep, value = line.lstrip("|").partition("|")
                rows.append((label.strip(), value.strip().rstrip("|").strip()))
            blocks.append(Table(rows=rows))
        elif lines[0].startswith("## "):
            blocks.append(Heading(lines[0][3:].strip()))
            if lines[1:]:
                blocks.append(" ".join(lines[1:]))
        else:
            blocks.append(" ".join(lines))
    return blocks
