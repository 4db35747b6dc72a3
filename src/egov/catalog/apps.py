from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "egov.catalog"
    label = "catalog"
    verbose_name = "Danh mục thủ tục hành chính (Catalogue)"
