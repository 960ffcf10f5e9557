from django.apps import AppConfig


class PartybuildConfig(AppConfig):
    name = "partybuild"
    verbose_name = "党建督考"

    def ready(self):
        from . import jobs, notifications, tokens

        notifications.connect()
        jobs.connect()
        tokens.connect()
