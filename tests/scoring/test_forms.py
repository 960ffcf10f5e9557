from scoring.forms import AssessmentForm


def form(world, raters):
    return AssessmentForm({"scheme": 1, "name": "考核", "period": "2026年度", "root": world.county.code,
                           "raters": raters, "closes_on": "2026-12-31"}, user=world.users["staff"])


def test_rater_lines_name_a_panel_a_trimmed_mean_and_a_one_score_form(world):
    panel = [world.user_with("inspector", world.county, username=f"daibiao{i}") for i in (1, 2, 3)]
    checked = form(world, "述职评议 4 " + world.users["staff"].username + " 简表:党组织书记抓党建述职评议表\n"
                   "评议 3 daibiao1,daibiao2,daibiao3 去高低")
    checked.is_valid()
    (report, _w, _m, options), (_n, _w2, members, panel_options) = checked.cleaned_data["raters"]
    assert report == "述职评议" and options["form"].name == "党组织书记抓党建述职评议表"
    assert members == panel and panel_options == {"trimmed": True}


def test_bad_rater_lines_are_refused_in_chinese(world):
    staff = world.users["staff"].username
    for line, message in ((f"评议 3 {staff} 简表:没有这张表", "找不到评分表“没有这张表”"),
                          (f"评议 3 {staff} 随便", "看不懂“随便”"),
                          (f"评议 3 {world.users['leader'].username}", "找不到用户"),  # a leader never rates
                          ("评议 x staff", "权重为正整数")):
        checked = form(world, line)
        assert not checked.is_valid() and message in str(checked.errors["raters"]), line
