"""Catalogue errors: stable codes an integrator can rely on, each with a Vietnamese and English message."""

from __future__ import annotations

from egov.core.errors import Conflict, NotFound, ValidationFailed


class ProcedureNotFound(NotFound):
    code = "procedure_not_found"
    vi = "Không tìm thấy thủ tục hành chính."
    en = "The administrative procedure was not found."


class VersionNotInForce(NotFound):
    code = "procedure_version_not_found"
    vi = "Thủ tục không có phiên bản có hiệu lực vào ngày này."
    en = "The procedure has no version in force on this date."


class AgencyNotFound(NotFound):
    code = "agency_not_found"
    vi = "Không tìm thấy cơ quan, đơn vị."
    en = "The agency was not found."


class SectorNotFound(NotFound):
    code = "sector_not_found"
    vi = "Không tìm thấy lĩnh vực."
    en = "The sector was not found."


class ProcedureExists(Conflict):
    code = "procedure_exists"
    vi = "Mã thủ tục đã tồn tại."
    en = "A procedure with this code already exists."


class InvalidProcedure(ValidationFailed):
    code = "invalid_procedure"
    vi = "Thông tin thủ tục không hợp lệ."
    en = "The procedure data is not valid."


class InvalidEffectiveDates(ValidationFailed):
    code = "invalid_effective_dates"
    vi = "Ngày hết hiệu lực phải sau ngày có hiệu lực."
    en = "The end date must be after the start date."


class VersionOverlap(Conflict):
    code = "version_overlap"
    vi = "Thời gian hiệu lực trùng với một phiên bản đã công bố khác của thủ tục."
    en = "The effective period overlaps another published version of the procedure."


class VersionAlreadyPublished(Conflict):
    code = "version_already_published"
    vi = "Phiên bản đã được công bố, không thể sửa."
    en = "The version is already published and cannot be edited."


class PublishedVersionFrozen(Conflict):
    code = "published_version_frozen"
    vi = (
        "Phiên bản đã công bố không thể thay đổi nội dung (chỉ được đặt ngày hết hiệu lực); "
        "hãy công bố phiên bản mới."
    )
    en = "A published version cannot change (only its end date may be set); publish a new version instead."


class VersionInUse(Conflict):
    code = "version_in_use"
    vi = "Phiên bản đã được dùng cho hồ sơ, không thể thay đổi nội dung."
    en = "The version is used by dossiers; its content cannot change."


class ProcessBudgetMismatch(ValidationFailed):
    code = "process_budget_mismatch"
    vi = "Tổng thời gian các bước quy trình nội bộ không bằng thời hạn giải quyết."
    en = "The internal process budgets do not add up to the time limit."


class InvalidProcess(ValidationFailed):
    code = "invalid_process"
    vi = "Quy trình nội bộ không hợp lệ."
    en = "The internal process is not valid."


class InvalidDeclarationSchema(ValidationFailed):
    code = "invalid_declaration_schema"
    vi = "Mẫu tờ khai (JSON Schema) không hợp lệ."
    en = "The declaration form (JSON Schema) is not valid."


class BundleInvalid(ValidationFailed):
    code = "bundle_invalid"
    vi = "Tệp gói danh mục không hợp lệ."
    en = "The catalogue bundle is not valid."


class AgencyNotInForce(Conflict):
    """A closed (or not yet opened) agency takes no new dossier; the message names its successor."""

    code = "agency_not_in_force"
    vi = "Cơ quan, đơn vị không còn hoạt động."
    en = "The agency is no longer in force."


class PlanInvalid(ValidationFailed):
    code = "reorganisation_plan_invalid"
    vi = "Phương án sắp xếp cơ quan, đơn vị không hợp lệ."
    en = "The reorganisation plan is not valid."
