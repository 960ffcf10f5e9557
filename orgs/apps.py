from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "组织体系"

    def ready(self):
        from kernel import audit
        from kernel.policy import set_grant_loader

        from .models import RoleAssignment
        from .scoping import load_grants

        set_grant_loader(load_grants, lambda user, action: RoleAssignment.objects.for_action(user, action)
                         .values("user"))
        audit.track(RoleAssignment, "role", fields=["user", "role", "org", "recursive"])
