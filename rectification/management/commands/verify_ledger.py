from django.core.management.base import BaseCommand, CommandError

from rectification.chain import checkpoint_breaks, first_breaks
from rectification.models import ItemTransition, LedgerCheckpoint


class Command(BaseCommand):
    help = "核对整改台账流转记录的校验链和每月校验点，指出每条断链上第一条被改动的记录和不符的校验点。"

    def handle(self, *args, **options):
        breaks = [str(found) for found in first_breaks()] + checkpoint_breaks()
        if breaks:
            for found in breaks:
                self.stderr.write(found)
            raise CommandError(f"校验失败：{len(breaks)} 处流转记录或校验点不符，第一处：{breaks[0]}")
        total = ItemTransition.objects.count()
        self.stdout.write(f"校验通过：{total} 条流转记录，校验链完整，"
                          f"与 {LedgerCheckpoint.objects.count()} 个月末校验点相符。")
