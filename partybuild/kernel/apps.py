from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "partybuild.kernel"
    label = "kernel"
    verbose_name = "基础"
