from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kernel.dates import add_months
from orgs.models import Organization
from rectification import figures
from rectification.models import ItemHead


class Command(BaseCommand):
    help = ("核对统计数字：每个事项的当前状态与流转记录一致；指定范围和月份的每个统计数字(看板、月报)与按流转记录重算的"
            "结果、与它链接的清单、与分单位和分类别的合计一致。有不一致时以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("--scope", nargs="*", default=[], help="组织编码(默认：每个顶层组织)")
        parser.add_argument("--month", help="统计月份 YYYY-MM(默认：本月)")
        parser.add_argument("--months", type=int, default=2, help="从该月往前核对的月数")

    def handle(self, *args, scope, month, months, **options):
        problems = [f"事项 {pk} 的当前状态与其最新流转记录不一致" for pk in ItemHead.stale()]
        problems += [f"事项 {pk} 的状态、时限、组织、类别或归档被改动而没有记入流转记录"
                     for pk in ItemHead.unlike_their_items()]
        try:
            last = figures.Period.parse(month) if month else figures.Period.current()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        scopes = self._scopes(scope)
        for org in scopes:
            for back in range(months):
                period = figures.Period(add_months(last.month, -back), timezone.localdate())
                found = figures.differences(org, period)
                problems += [f"{org.name} {period.key}：{text}" for text in found]
                self.stdout.write(f"{org.name} {period.key}：{'一致' if not found else f'{len(found)} 处不一致'}")
        for text in problems:
            self.stderr.write(text)
        if problems:
            raise CommandError(f"核对失败：{len(problems)} 处不一致。")
        self.stdout.write(f"核对通过：{len(scopes)} 个范围 × {months} 个月，事项当前状态与流转记录一致。")

    def _scopes(self, codes):
        if not codes:
            return list(Organization.objects.filter(depth=1).order_by("path"))
        found = list(Organization.objects.filter(code__in=codes).order_by("path"))
        missing = set(codes) - {org.code for org in found}
        if missing:
            raise CommandError(f"没有这些组织编码：{'、'.join(sorted(missing))}")
        return found
