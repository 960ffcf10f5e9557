import datetime

from inspections import services
from inspections.models import ChecklistTemplate, Finding, Round, RoundTarget, Team, Tour, TourStop, Visit
from tests.rectification.helpers import photo


def _ours(world, org):
    return org.path.startswith(world.county.path)


def round_for(world, root=None):
    """A round with one team; in the world's county the team holds the world's inspector, elsewhere a stranger."""
    root = root or world.county
    staff = world.users["staff"] if _ours(world, root) else world.users["admin"]
    inspection_round = Round.objects.create(name="2026年专项考核", kind=Round.Kind.ASSESSMENT, root=root,
                                            starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
                                            status=Round.Status.ACTIVE, created_by=staff)
    team = Team.objects.create(round=inspection_round, name="第一考核组")
    team.members.add(world.users["inspector"] if _ours(world, root) else world.user_with("inspector", root))
    return inspection_round, team


def target_of(world, org):
    inspection_round, team = round_for(world, world.county if _ours(world, org) else world.foreign_county)
    return RoundTarget.objects.create(round=inspection_round, org=org, team=team)


def visit_of(world, org):
    target = target_of(world, org)
    return Visit.objects.create(target=target, visited_on=datetime.date(2026, 11, 20), methods=["hearing"],
                                summary="听取汇报", recorded_by=world.users["admin"])


def finding_of(world, org):
    return Finding.objects.create(visit=visit_of(world, org), kind=Finding.Kind.PROBLEM, text="三会一课记录不全")


def evidence_of(world, org):
    return services.attach(visit_of(world, org), photo())


def answer_of(world, org):
    visit = visit_of(world, org)
    item = ChecklistTemplate.objects.get(name="十有六册一划一本").items.first()
    answer = visit.answers.create(item=item, verdict="fail", note="缺少")
    answer.photo = photo()
    answer.save()
    return answer


def tour_of(world, org, participants=("staff",)):
    root = world.county if _ours(world, org) else world.foreign_county
    tour = Tour.objects.create(name="逐村观摩", kind=Tour.Kind.CIRCUIT, root=root, held_on=datetime.date(2026, 11, 1),
                               created_by=world.users["admin"])
    tour.participants.set([world.users[p] for p in participants] if _ours(world, org) else [])
    TourStop.objects.create(tour=tour, org=org, order=1)
    return tour
