"""Every write of the inspection app, each a transaction with its permission check."""

import io
import os

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from kernel.errors import ServiceError
from kernel.policy import can, require
from kernel.uploads import check_evidence, is_image
from orgs.models import Organization
from rectification.models import Problem
from rectification.services import raise_problem

from . import ranking
from .models import (
    ChecklistAnswer,
    Finding,
    Round,
    RoundTarget,
    Team,
    Tour,
    TourScore,
    TourStop,
    Visit,
    VisitEvidence,
)

THUMBNAIL_SIZE = (320, 320)




@transaction.atomic
def create_round(user, *, name, kind, root, starts_on, ends_on, levels=(), sectors=()) -> Round:
    """A round with its targets: the subtree's organisations, filtered by level and sector, stored explicitly."""
    require(user, "inspections.manage", root)
    if ends_on < starts_on:
        raise ServiceError("结束日期不能早于开始日期。")
    targets = Organization.objects.subtree_of(root).filter(is_active=True).exclude(pk=root.pk)
    if levels:
        targets = targets.filter(level__in=levels)
    if sectors:
        targets = targets.filter(sector__in=sectors)
    target_ids = list(targets.values_list("pk", flat=True))
    if not target_ids:
        raise ServiceError("所选范围和条件下没有检查对象。")
    new_round = Round.objects.create(name=name, kind=kind, root=root, starts_on=starts_on, ends_on=ends_on,
                                     created_by=user, status=Round.Status.ACTIVE)
    RoundTarget.objects.bulk_create([RoundTarget(round=new_round, org_id=pk) for pk in target_ids], batch_size=2000)
    return new_round


def finish_round(user, inspection_round) -> Round:
    """结束: no more visits are recorded in the round; what was found stays."""
    require(user, "inspections.manage", inspection_round.root)
    inspection_round.status = Round.Status.FINISHED
    inspection_round.save()
    return inspection_round


@transaction.atomic
def create_team(user, inspection_round, *, name, members, targets) -> Team:
    """A team (考核组) of users, given the round's targets it visits (moved from any earlier team)."""
    require(user, "inspections.manage", inspection_round.root)
    if not members:
        raise ServiceError("考核组至少要有一名成员。")
    team = Team.objects.create(round=inspection_round, name=name)
    team.members.set(members)
    inspection_round.targets.filter(pk__in=[t.pk for t in targets]).update(team=team)
    return team


def may_record_visit(user, target):
    """Staff of the scope, or a member of the team assigned to the target inside their own scope."""
    if can(user, "inspections.visit", target):
        return True
    return (can(user, "inspections.team", target) and target.team_id is not None
            and target.team.members.filter(pk=user.pk).exists())


def mark_visitable(user, targets):
    """Set ``may_visit`` on each target as ``may_record_visit`` would (one query for the user's teams)."""
    teams = set(user.inspection_teams.values_list("pk", flat=True))
    for target in targets:
        target.may_visit = target.round.status != Round.Status.FINISHED and (
            can(user, "inspections.visit", target)
            or (target.team_id in teams and can(user, "inspections.team", target)))
    return targets


@transaction.atomic
def record_visit(user, target, *, visited_on, methods, summary, files=()) -> Visit:
    if not may_record_visit(user, target):
        raise ServiceError("只有负责该对象的考核组成员可以记录走访。")
    if target.round.status == Round.Status.FINISHED:
        raise ServiceError("本轮督查考核已结束，不能再记录走访。")
    if not methods:
        raise ServiceError("请至少选择一种检查方式。")
    for upload in files:
        check_evidence(upload)
    visit = Visit.objects.create(target=target, visited_on=visited_on, methods=list(methods), summary=summary,
                                 recorded_by=user)
    for upload in files:
        attach(visit, upload)
    return visit


def attach(visit, upload, finding=None) -> VisitEvidence:
    """Store an evidence file (already checked) and, for images, a small thumbnail."""
    evidence = VisitEvidence(visit=visit, finding=finding, file=upload, original_name=upload.name[:200],
                             size=upload.size)
    if is_image(upload.name):
        upload.seek(0)
        image = Image.open(upload)
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=80)
        evidence.thumbnail.save(f"{os.path.splitext(upload.name)[0]}.jpg", ContentFile(buffer.getvalue()), save=False)
        upload.seek(0)
    evidence.save()
    return evidence


def _require_recorder(user, visit):
    if not may_record_visit(user, visit.target):
        raise ServiceError("只有负责该对象的考核组成员可以修改走访记录。")


@transaction.atomic
def add_finding(user, visit, *, kind, text, category=None, severity="", to_spread=False, files=()) -> Finding:
    _require_recorder(user, visit)
    if kind == Finding.Kind.PROBLEM and not severity:
        severity = Problem.Severity.GENERAL
    for upload in files:
        check_evidence(upload)
    finding = Finding.objects.create(visit=visit, kind=kind, text=text, category=category, severity=severity,
                                     to_spread=to_spread and kind == Finding.Kind.STRENGTH)
    for upload in files:
        attach(visit, upload, finding)
    return finding


def raise_from_finding(user, finding) -> Problem:
    """One click: the problem finding enters the organisation's problem list, linked back to the finding."""
    _require_recorder(user, finding.visit)
    if finding.kind != Finding.Kind.PROBLEM:
        raise ServiceError("只有“问题”类发现可以转为问题清单。")
    return raise_problem(org=finding.visit.target.org, description=finding.text, source=Problem.Source.INSPECTION,
                         raised_by=user, found_on=finding.visit.visited_on, category=finding.category,
                         severity=finding.severity or Problem.Severity.GENERAL, origin=finding)


@transaction.atomic
def fill_checklist(user, visit, answers) -> list[ChecklistAnswer]:
    """``answers``: (item, verdict, note, photo or None) for every item of the template; replaces earlier ones."""
    _require_recorder(user, visit)
    saved = []
    for item, verdict, note, photo in answers:
        if photo:
            check_evidence(photo)
        answer, _created = ChecklistAnswer.objects.update_or_create(
            visit=visit, item=item, defaults={"verdict": verdict, "note": note})
        if photo:
            answer.photo = photo
            answer.save()
        saved.append(answer)
    return saved


@transaction.atomic
def accept_failed_items(user, visit) -> list[Problem]:
    """Every 不合格 line of the visit's checklists becomes a problem (once; repeated calls add nothing)."""
    _require_recorder(user, visit)
    failed = visit.answers.filter(verdict=ChecklistAnswer.Verdict.FAIL).select_related("item__template")
    return [raise_problem(org=visit.target.org, source=Problem.Source.INSPECTION, raised_by=user,
                          found_on=visit.visited_on, origin=answer,
                          description=f"{answer.item.template.name}：“{answer.item.text}”不合格。{answer.note}")
            for answer in failed]


# Observation tours -----------------------------------------------------------------------------------

@transaction.atomic
def create_tour(user, *, name, kind, root, held_on, stops, participants, drop_extremes=False,
                top_share=33, bottom_share=33) -> Tour:
    require(user, "inspections.manage", root)
    inside = set(Organization.objects.subtree_of(root).filter(pk__in=[s.pk for s in stops]).values_list("pk",
                                                                                                         flat=True))
    if len(stops) < 2 or len(inside) != len(stops):
        raise ServiceError("观摩路线至少要有两个点，且都在所选范围内。")
    if not participants:
        raise ServiceError("请至少选择一名评分人。")
    if not all(can(person, "scoring.rate") for person in participants):
        raise ServiceError("评分人只能是有评分权限的人员(组织部干部或考核组成员)。")
    tour = Tour.objects.create(name=name, kind=kind, root=root, held_on=held_on, drop_extremes=drop_extremes,
                               top_share=top_share, bottom_share=bottom_share, created_by=user)
    tour.participants.set(participants)
    TourStop.objects.bulk_create([TourStop(tour=tour, org=org, order=i) for i, org in enumerate(stops, start=1)])
    return tour


@transaction.atomic
def score_stop(user, stop, points) -> TourScore:
    tour = Tour.objects.get(pk=stop.tour_id)  # fresh: the tour may have been filed since the page was loaded
    if tour.filed_at:
        raise ServiceError("观摩结果已归档，不能再改分。")
    if not tour.participants.filter(pk=user.pk).exists():
        raise ServiceError("您不是本次观摩的评分人。")
    if not can(user, "scoring.rate"):
        raise ServiceError("您的角色不能评分。")
    if not 0 <= points <= 100:
        raise ServiceError("得分应在 0 到 100 之间。")
    score, _created = TourScore.objects.update_or_create(stop=stop, participant=user, defaults={"points": points})
    return score


def live_ranking(tour) -> list[ranking.Standing]:
    scores = {stop.pk: [] for stop in tour.stops.all()}
    for stop_id, points in TourScore.objects.filter(stop__tour=tour).values_list("stop_id", "points"):
        scores[stop_id].append(points)
    return ranking.rank(scores, drop_extremes=tour.drop_extremes, top_share=tour.top_share,
                        bottom_share=tour.bottom_share)


@transaction.atomic
def file_tour(user, tour) -> Tour:
    """Freeze the ranking on the stops; after this nobody changes a score."""
    require(user, "inspections.manage", tour.root)
    tour = Tour.objects.select_for_update().get(pk=tour.pk)
    if tour.filed_at:
        raise ServiceError("观摩结果已经归档。")
    standings = {s.key: s for s in live_ranking(tour)}
    if not standings:
        raise ServiceError("还没有任何评分，不能归档。")
    for stop in tour.stops.all():
        result = standings.get(stop.pk)
        stop.mean, stop.rank = (result.mean, result.rank) if result else (None, None)
        stop.standing = result.standing if result else ""
        stop.save()
    tour.filed_at = timezone.now()
    tour.save()
    return tour


def raise_lagging(user, tour) -> list[Problem]:
    """The 后进 stops of a filed tour get a problem each (source 观摩评比), in one step."""
    require(user, "inspections.manage", tour.root)
    tour = Tour.objects.get(pk=tour.pk)
    if not tour.filed_at:
        raise ServiceError("请先归档观摩结果。")
    lagging = tour.stops.filter(standing=ranking.LAGGING).select_related("org")
    sentence = "在“%(t)s”中排名第%(r)s位(后进，平均%(m)s分)，需对照先进查找差距、整改提升。"
    return [raise_problem(org=stop.org, source=Problem.Source.OBSERVATION, raised_by=user, found_on=tour.held_on,
                          origin=stop, description=sentence % {"t": tour.name, "r": stop.rank, "m": stop.mean})
            for stop in lagging]
