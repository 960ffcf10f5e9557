from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = "整改台账"

    def ready(self):
        from kernel.events import domain_event

        domain_event.connect(_follow_tree_moves, dispatch_uid="rectification-tree-moves")


def _follow_tree_moves(sender, kind, **payload):
    if kind == "org_moved":
        from .services import log_tree_move

        log_tree_move(payload["org"])
