"""Keyword search: the index's two-character pieces never hide a row that contains the keyword."""

import pytest

from kernel.search import containing
from rectification.models import Problem
from tests.rectification.helpers import item_of


@pytest.mark.parametrize("keyword, found", [
    ("会议", {"未按时召开支部委员会议", "组织生活会议记录不全"}),
    ("会", {"未按时召开支部委员会议", "组织生活会议记录不全", "三会一课"}),
    ("会议记录", {"组织生活会议记录不全"}),
    ("ppt", {"学习材料只有PPT"}),
    ("记录不全无", set()),
])
def test_a_keyword_finds_exactly_the_texts_that_contain_it(world, keyword, found):
    for text in ("未按时召开支部委员会议", "组织生活会议记录不全", "三会一课", "学习材料只有PPT", "党费收缴不规范"):
        item_of(world.branch, description=text)
    assert set(containing(Problem.objects.all(), "description", keyword).values_list("description", flat=True)) == found


def test_the_ledger_keyword_searches_descriptions_and_measures(world, login):
    item_of(world.branch, description="支部会议记录缺失")
    with_measures = item_of(world.branch, description="党员发展程序不规范")
    with_measures.measures = "补开支部会议，完善发展程序"
    with_measures.save()
    item_of(world.branch, description="党费收缴不规范")
    page = login(world.users["staff"]).get("/rectification/?q=支部会议").content.decode()
    assert 'data-count="2"' in page and "支部会议记录缺失" in page and "党员发展程序不规范" in page
