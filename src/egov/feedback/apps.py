from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "egov.feedback"
    verbose_name = "Đánh giá sự hài lòng"
