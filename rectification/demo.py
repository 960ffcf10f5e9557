"""Demo ledger: problems in every state, with a consistent transition log and monthly progress.

Bulk inserts keep the city scale fast. Some items are overdue, some reopened after a failed 回头看
(回潮), some open items miss this month's report, and some closed ones are due for 回头看.
"""

import datetime

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db.models.functions import Mod
from django.utils import timezone

from kernel import bulk
from kernel.dates import add_months, month_start
from kernel.policy import Role
from orgs.models import BRANCH_KINDS, Organization, RoleAssignment

from . import lists, notices, services, taxonomy
from .models import (
    DeadlineExtension,
    FollowUpCheck,
    ItemTransition,
    Notice,
    Problem,
    ProblemCategory,
    ProgressUpdate,
    RectificationItem,
    ResponsibilityEntry,
    Task,
)

Status = RectificationItem.Status
#: (items per branch, days of history): the city carries three years at a city's real volume
VOLUME = {"county": (1.6, 240), "city": (8.7, 3 * 365)}
#: an item found longer ago than this is mostly closed by now
RECENT_DAYS = 240
DESCRIPTIONS = {
    "“三会一课”不规范": "2026年以来支部委员会会议记录不全，党课仅开展1次。",
    "主题党日未开展": "近三个月未按规定开展主题党日活动。",
    "发展党员不足(三年以上未发展)": "连续三年未发展党员，入党积极分子仅1名。",
    "活动阵地缺失或不达标": "活动室面积不足，“十有”中缺少档案柜和《党支部议事规则》上墙。",
    "党费未按规定缴纳": "部分党员党费未按月缴纳，党费收缴花名册登记不全。",
    "换届逾期": "支部委员会任期已满，未按期换届。",
    "流动党员管理缺位": "外出务工党员联系不畅，流动党员台账未建立。",
    "集体经济薄弱(空壳村)": "村集体经济年收入不足5万元，缺少稳定增收项目。",
}
MEASURES = "制定整改方案，明确责任人和完成时限；每月对照检查，按时上报整改进展并附佐证材料。"


def seed(scale, rng):
    taxonomy.load(django_apps, None)  # again after `seed_demo --reset`, whose flush empties it
    today = timezone.localdate()
    staff = get_user_model().objects.get(username="staff")
    secretaries = {a.org_id: a.user for a in RoleAssignment.objects.filter(role=Role.SECRETARY).select_related("user")}
    categories = list(ProblemCategory.objects.select_related("dimension"))
    branches = list(Organization.objects.filter(kind__in=BRANCH_KINDS).only("id", "name", "path", "code"))
    mean, days = VOLUME[scale]
    plans = []
    for branch in branches:
        demo_branch = branch.pk in secretaries
        count = len(_STATES) if demo_branch else int(mean) + (rng.random() < mean - int(mean))
        for index in range(count):
            found = today - datetime.timedelta(days=rng.randint(10, RECENT_DAYS if demo_branch else days))
            weights = _STATE_WEIGHTS if (today - found).days <= RECENT_DAYS else _OLD_STATE_WEIGHTS
            state = _STATES[index] if demo_branch else rng.choices(_STATES, weights)[0]
            plans.append(_plan(rng, branch, state, rng.choice(categories), found, today))
    _write(plans, staff, secretaries, today)
    _three_lists(rng, staff, secretaries, today)
    _documents(staff, secretaries, today)


_STATES = ["in_progress", "submitted", "pending", "closed", "reopened"]
_STATE_WEIGHTS = [40, 10, 15, 32, 3]
_OLD_STATE_WEIGHTS = [5, 1, 2, 89, 3]


def _plan(rng, branch, state, category, found, today):
    started = found + datetime.timedelta(days=rng.randint(1, 7))
    deadline = found + datetime.timedelta(days=rng.choice([30, 60, 90, 180, 240, 300]))
    submitted = min(today, started + datetime.timedelta(days=rng.randint(10, 90)))
    closed = min(today, submitted + datetime.timedelta(days=rng.randint(2, 15)))
    extended = state in ("in_progress", "reopened") and rng.random() < 0.12
    return {"branch": branch, "state": state, "category": category, "found": found, "started": started,
            "deadline": deadline, "submitted": submitted, "closed": closed,
            "extended_on": min(today, started + datetime.timedelta(days=rng.randint(5, 60))) if extended else None,
            "skip_this_month": rng.random() < 0.15, "source": rng.choice(list(Problem.Source.values)),
            "severity": rng.choices(list(Problem.Severity.values), [70, 25, 5])[0]}


def _write(plans, staff, secretaries, today):
    """Problems and items as objects (with their history); their log and monthly updates, a million values, as
    plain tuples made while the database stores the ones before (``bulk.insert_rows``)."""
    problems = bulk.insert_objects(Problem, [_problem(plan, staff) for plan in plans], history_user=staff)
    items = bulk.insert_objects(RectificationItem, [
        _item(problem, plan) for problem, plan in zip(problems, plans, strict=True)], history_user=staff)
    for item, plan in zip(items, plans, strict=True):
        plan["item_id"], plan["actor"] = item.pk, secretaries.get(plan["branch"].pk)
    del problems, items  # from here on, plain values
    ItemTransition.insert_chains((_transitions(plan, staff) for plan in plans),
                                 sum(len(_steps(plan, staff)) for plan in plans))
    _insert_updates(plans, staff, today)
    bulk.insert_objects(FollowUpCheck, [
        FollowUpCheck(item_id=plan["item_id"], cycle=1, passed=False, checker=staff, checked_on=plan["closed"],
                      note="回头看发现问题反弹，重新整改。") for plan in plans if plan["state"] == "reopened"])
    bulk.insert_objects(DeadlineExtension, [_extension(plan, staff) for plan in plans if plan["extended_on"]])


def _problem(plan, staff):
    category = plan["category"]
    return Problem(org=plan["branch"], source=plan["source"], category=category, severity=plan["severity"],
                   description=DESCRIPTIONS.get(category.name, f"{category.name}问题，需对照要求整改。"),
                   found_on=plan["found"], raised_by=staff)


def _item(problem, plan):
    state = plan["state"]
    status = {"reopened": Status.IN_PROGRESS}.get(state, state)
    return RectificationItem(
        problem=problem, measures=MEASURES if state != "pending" else "", deadline=plan["deadline"],
        responsible_unit=plan["branch"].name, responsible_person="支部书记" if state != "pending" else "",
        kind=RectificationItem.Kind.LONG_TERM if (plan["deadline"] - plan["found"]).days > 100
        else RectificationItem.Kind.DEADLINE,
        status=status, closed_on=plan["closed"] if state == "closed" else None,
        cycle=2 if state == "reopened" else 1, is_recurrence=state == "reopened")


def _at(day, step=0):
    """A moment on ``day`` (steps of one day keep their order), never in the future."""
    moment = datetime.datetime.combine(day, datetime.time(9, step), tzinfo=timezone.get_default_timezone())
    return min(moment, timezone.now() - datetime.timedelta(minutes=10 - step))


EXTENSION_DAYS = 45
STEP_COMMENTS = {"reopen": "回头看发现问题反弹，重新整改。",
                 "extend_approve": "同意延期：整改涉及换届后新班子，需延长时限。"}


def _steps(plan, staff):
    """(action, from, to, day, by whom, cycle) of the item's log, in order."""
    actor = plan["actor"]
    steps = [("raise", "", Status.PENDING, plan["found"], staff, 1)]
    if plan["state"] != "pending":
        steps.append(("start", Status.PENDING, Status.IN_PROGRESS, plan["started"], actor, 1))
    if plan["extended_on"]:
        steps.append(("extend_approve", Status.IN_PROGRESS, Status.IN_PROGRESS, plan["extended_on"], staff, 1))
    if plan["state"] in ("submitted", "closed", "reopened"):
        steps.append(("submit", Status.IN_PROGRESS, Status.SUBMITTED, plan["submitted"], actor, 1))
    if plan["state"] in ("closed", "reopened"):
        steps.append(("accept", Status.SUBMITTED, Status.CLOSED, plan["closed"], staff, 1))
    if plan["state"] == "reopened":
        steps.append(("reopen", Status.CLOSED, Status.IN_PROGRESS, plan["closed"], staff, 2))
    steps.sort(key=lambda step: step[3])
    return steps


def _transitions(plan, staff):
    """The item's log as tuples of ``ENTRY_FIELDS``; an extended item ran under a deadline 45 days earlier until
    the extension."""
    branch, category_id = plan["branch"], plan["category"].pk
    earlier = plan["deadline"] - datetime.timedelta(days=EXTENSION_DAYS)
    entries, extended = [], False
    for index, (action, source, target, day, who, cycle) in enumerate(_steps(plan, staff)):
        if action == "extend_approve":  # between whichever steps it fell: the status and cycle stay
            extended, source, target, cycle = True, entries[-1][3], entries[-1][3], entries[-1][4]
        entries.append((plan["item_id"], action, source, target, cycle, who.pk if who else None,
                        STEP_COMMENTS.get(action, ""),
                        branch.pk, branch.path, category_id,
                        plan["deadline"] if extended or not plan["extended_on"] else earlier, False,
                        _at(day, index)))
    return entries


def _extension(plan, staff):
    return DeadlineExtension(
        item_id=plan["item_id"], current_deadline=plan["deadline"] - datetime.timedelta(days=EXTENSION_DAYS),
        proposed_deadline=plan["deadline"], reason="整改涉及换届后新班子，需延长时限。",
        requested_by=plan["actor"] or staff, requested_at=_at(plan["extended_on"]),
        decision=DeadlineExtension.Decision.APPROVED, decided_by=staff, decided_at=_at(plan["extended_on"], 1),
        note="同意。")


def _update_months(plan, today):
    """The months an item was reported on: one progress update per month while it was being worked on."""
    if plan["state"] == "pending":
        return []
    last = plan["submitted"] if plan["state"] in ("submitted", "closed") else today
    months, month = [], month_start(plan["started"])
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    if plan["state"] in ("in_progress", "reopened") and plan["skip_this_month"] and months[-1] == month_start(today):
        months.pop()
    return months


UPDATE_FIELDS = ["id", "item_id", "month", "author_id", "percent", "text", "created_at"]


def _insert_updates(plans, staff, today):
    """The monthly updates as tuples, keys drawn first, then their history rows copied by the database."""
    keys = bulk.reserve_ids(ProgressUpdate, sum(len(_update_months(plan, today)) for plan in plans))

    def rows():
        key = iter(keys)
        for plan in plans:
            for i, month in enumerate(_update_months(plan, today)):
                percent = min(100, 25 * (i + 1))
                yield (next(key), plan["item_id"], month, (plan["actor"] or staff).pk, percent,
                       f"{month:%Y年%m月}：按整改方案推进，已完成{percent}%。",
                       _at(min(today, max(month, plan["started"]) + datetime.timedelta(days=2)), 8))

    bulk.insert_rows(ProgressUpdate, UPDATE_FIELDS, rows())
    bulk.copy_history(ProgressUpdate, keys)


YEARLY_TASKS = [(1, "制定年度党建工作计划"), (2, "开展“七一”主题党日活动"), (3, "完成党员发展和党费收缴检查"),
                (4, "召开年度组织生活会并开展民主评议党员")]


def _three_lists(rng, staff, secretaries, today):
    """A 举一反三 push to the first township with mixed answers, yearly tasks, and the demo branches'
    responsibility lists."""
    township = Organization.objects.filter(level="township").order_by("path").first()
    push = lists.push_self_check(staff, township, description="对照检查：党员活动室“十有”是否齐全、制度是否上墙",
                                 reply_by=today + datetime.timedelta(days=20), sector="rural")
    for request in push.requests.exclude(org_id__in=secretaries).select_related("org", "push"):
        roll = rng.random()
        if roll < 0.3:
            lists.answer_self_check(staff, request, claim=True)
        elif roll < 0.8:
            lists.answer_self_check(staff, request, claim=False, reason="经对照检查，活动室“十有”齐全，制度已上墙。")
    root = Organization.objects.get(depth=1)
    for quarter, title in YEARLY_TASKS:
        lists.assign_tasks(staff, root, title=title, year=today.year, quarter=quarter)
    finished_quarters = (today.month - 1) // 3
    finished = Task.objects.filter(year=today.year, quarter__lte=finished_quarters)
    finished.alias(lot=Mod("id", 7)).exclude(lot=0).update(done=True, done_on=today, note="已按要求完成。")
    for org_id, secretary in secretaries.items():
        ResponsibilityEntry.objects.bulk_create([
            ResponsibilityEntry(org_id=org_id, year=today.year, post=ResponsibilityEntry.Post.SECRETARY,
                                person=secretary.first_name, duties="履行抓党建第一责任人职责，带头落实“三会一课”。"),
            ResponsibilityEntry(org_id=org_id, year=today.year, post=ResponsibilityEntry.Post.MEMBER,
                                person="组织委员", duties="负责党员发展、教育管理和党费收缴，落实一岗双责。"),
        ])


def _documents(staff, secretaries, today):
    """Issued documents and their history: a pending 延期申请; a 督办 waiting for the secretary's reply and
    one answered; a 督办 to a township about a 突出问题 with items below it; one whose reply is overdue; a
    整改通知单 and a 目标责任书 for the first demo branch."""
    if not secretaries:
        return
    (first, secretary), *others = sorted(secretaries.items())
    open_items = list(RectificationItem.objects.open().filter(problem__org_id=first, deadline__isnull=False)
                      .select_related("problem__org").order_by("deadline", "id"))
    if open_items:
        services.request_extension(secretary, open_items[0], proposed_deadline=open_items[0].deadline
                                   + datetime.timedelta(days=30), reason="村“两委”换届，整改需顺延一个月。")
    branch = Organization.objects.get(pk=first)
    reply_by = today + datetime.timedelta(days=15)
    if len(open_items) > 1:
        notices.issue_supervision(staff, branch, open_items[1:3], reply_by=reply_by,
                                  requirement="请于限期内完成整改并书面反馈整改情况。")
    for org_id, other in others[:1]:
        items = list(RectificationItem.objects.open().filter(problem__org_id=org_id)[:2])
        if items:
            notice = notices.issue_supervision(staff, Organization.objects.get(pk=org_id), items, reply_by=reply_by,
                                               requirement="请逐项说明整改进展，附佐证材料。")
            notices.reply(other, notice, text="已召开支委会专题研究，逐项明确责任人，本月底前完成整改。")
    township = Organization.objects.filter(path=branch.path[:-Organization.steplen]).first()
    if township is not None:
        problem = services.raise_problem(
            org=township, description="所辖村党组织“三会一课”普遍不规范，多个支部连续三个月未开展主题党日。",
            source=Problem.Source.INSPECTION, raised_by=staff, deadline=today + datetime.timedelta(days=60))
        below = list(notices.supervisable_items(staff, township).filter(deadline__lt=today)[:5])
        notices.issue_supervision(staff, township, below, subject=problem, reply_by=reply_by,
                                  requirement="请镇党委牵头督促所属支部限期整改，并书面反馈整改情况。")
        _overdue_reply(staff, township, today)
    notices.issue_rectification_notice(staff, branch, reply_by=reply_by, requirement=(
        "请按下表明确的措施、责任人和时限抓好整改，每月上报整改进展，整改完成后申请验收销号。"))
    notices.issue_responsibility_letter(staff, branch, today.year, reply_by=reply_by, requirement=(
        "现将你单位年度基层党建工作目标责任书印发给你们，请对照责任清单抓好落实，签字盖章后按期报回。"))


def _overdue_reply(staff, org, today):
    """A 督办 issued six weeks ago whose reply is ten days late (it shows on the staff's pages)."""
    issued = today - datetime.timedelta(days=40)
    items = list(notices.supervisable_items(staff, org).filter(deadline__lt=issued)[:3])
    if not items:
        return
    notice = notices.numbered_document(
        notices.issuer_for(staff, org), Notice.Kind.SUPERVISION, issued, org=org, title="关于限期整改的督办通知",
        requirement="请于限期内完成整改并书面反馈整改情况。", reply_by=today - datetime.timedelta(days=10),
        issued_by=staff, issued_at=_at(issued), lines=[notices.item_line(item) for item in items])
    notice.items.set(items)
