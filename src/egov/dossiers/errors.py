"""Dossier errors: stable codes an integrator can rely on, each with a Vietnamese and English message."""

from __future__ import annotations

from egov.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    vi = "Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ."
    en = "This action is not allowed in the dossier's current status."


class DossierPermissionDenied(PermissionDenied):
    """Same code as the core error; a subclass so tests and logs can tell where it came from."""


class DossierNotFound(NotFound):
    code = "dossier_not_found"
    vi = "Không tìm thấy hồ sơ."
    en = "The dossier was not found."


class AgencyNotCompetent(DomainError):
    code = "agency_not_competent"
    vi = "Cơ quan này không giải quyết thủ tục hành chính đã chọn."
    en = "This agency does not handle the chosen procedure."


class ChannelNotOffered(DomainError):
    code = "channel_not_offered"
    vi = "Thủ tục không được cung cấp qua kênh đã chọn."
    en = "The procedure is not offered through the chosen channel."


class DeclarationInvalid(ValidationFailed):
    code = "declaration_invalid"
    vi = "Tờ khai chưa đúng mẫu; vui lòng kiểm tra các trường được nêu."
    en = "The declaration does not match the form; check the listed fields."


class ApplicantInvalid(ValidationFailed):
    code = "applicant_invalid"
    vi = "Thông tin người nộp hồ sơ không hợp lệ."
    en = "The applicant details are not valid."


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    vi = "Khoá chống gửi trùng (Idempotency-Key) đã được dùng cho một yêu cầu khác."
    en = "The idempotency key was already used for a different request."


class AssigneeNotEligible(DomainError):
    code = "assignee_not_eligible"
    vi = "Cán bộ được chọn không giữ vai trò của bước xử lý này tại đơn vị."
    en = "The chosen officer does not hold the role of this step in the unit."


class ProcessNotDefined(Conflict):
    code = "process_not_defined"
    vi = "Thủ tục chưa có quy trình nội bộ; không thể tiếp nhận hồ sơ."
    en = "The procedure has no internal process; the dossier cannot be received."


class CodeFormatMissing(Conflict):
    code = "code_format_missing"
    vi = "Chưa có quy tắc đánh mã hồ sơ áp dụng cho ngày này."
    en = "No dossier code rule is in force on this date."


class CodeFormatInvalid(Conflict):
    code = "code_format_invalid"
    vi = "Quy tắc đánh mã hồ sơ đang áp dụng không hợp lệ; hãy báo quản trị viên."
    en = "The dossier code rule in force is not valid; tell the administrator."


class ApologyNotDue(Conflict):
    code = "apology_not_due"
    vi = "Chỉ xin lỗi và hẹn lại khi hồ sơ đã hoặc sắp quá hạn."
    en = "An apology is only for dossiers that are overdue or about to be."


class ApologyDateInvalid(ValidationFailed):
    code = "apology_date_invalid"
    vi = "Ngày hẹn mới phải sau ngày hẹn trả hiện tại."
    en = "The new appointment must be later than the current one."


class AmountInvalid(ValidationFailed):
    code = "amount_invalid"
    vi = "Số tiền nghĩa vụ tài chính phải là số nguyên dương (đồng)."
    en = "The financial obligation must be a positive whole number of VND."


class TextRequired(ValidationFailed):
    code = "text_required"
    vi = "Vui lòng nhập nội dung (lý do, nội dung yêu cầu)."
    en = "Please give the text (reason or content)."


class UnknownWorklist(NotFound):
    code = "worklist_not_found"
    vi = "Không có danh sách này."
    en = "No such worklist."


class LookupLocked(DomainError):
    """Too many failed lookups of one code: its public lookup is locked for a while."""

    code = "lookup_locked"
    vi = "Tra cứu mã hồ sơ này tạm khoá do nhập sai nhiều lần. Vui lòng thử lại sau."
    en = "Lookups of this code are locked after repeated failures. Try again later."


class LookupFailed(NotFound):
    """One error for a wrong PIN and an unknown code, so codes cannot be enumerated."""

    code = "lookup_failed"
    vi = "Mã hồ sơ hoặc mã tra cứu (PIN) không đúng."
    en = "The dossier code or the PIN is not correct."
