from django.core.management.base import BaseCommand, CommandError

from rectification.chain import first_breaks
from rectification.models import ItemTransition


class Command(BaseCommand):
    help = "核对整改台账流转记录的校验链，指出每条断链上第一条被改动的记录。"

    def handle(self, *args, **options):
        breaks = first_breaks()
        if breaks:
            for found in breaks:
                self.stderr.write(str(found))
            raise CommandError(f"校验失败：{len(breaks)} 个事项的流转记录被改动，第一处：{breaks[0]}")
        total = ItemTransition.objects.count()
        self.stdout.write(f"校验通过：{total} 条流转记录，校验链完整。")
