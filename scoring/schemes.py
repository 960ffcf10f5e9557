"""The seeded schemes (data migration): seed 002's five dimensions for villages and communities; seed 004's
“五个好”村党支部 scheme (three blocks split into 50 quantified items, three one-vote vetoes, 两档制 with plaques);
and a one-score form for 述职评议 (seed 003: 上级党委对述职情况点评打分)."""

# (name, guidance)
VILLAGE_BLOCKS = [
    ("党建基础", 20, [
        ("组织设置规范、按期换届", "组织设置符合规定、按期换届得满分；换届逾期不得分。"),
        ("党员花名册等基础台账齐全", "党员、积极分子、党费等台账齐全得满分，缺一本扣 2 分。"),
        ("活动阵地达到“十有”标准", "对照“十有”逐项查看，缺一项扣 0.7 分，扣完为止。")]),
    ("组织建设", 20, [
        ("支部班子团结、分工明确", "班子分工有文件、无内耗得满分；分工不明扣 3 分。"),
        ("书记履行第一责任人职责", "书记每年专题研究党建不少于 4 次，少一次扣 1.5 分。"),
        ("后备干部培养有计划", "有后备干部不少于 2 名且有培养计划得满分，每少 1 名扣 3 分。")]),
    ("党员管理", 20, [
        ("按规定发展党员", "程序规范、材料齐全得满分；三年未发展党员不得分。"),
        ("党费按月足额收缴", "查党费收缴登记，每缺一月扣 0.5 分。"),
        ("流动党员管理到位", "有流动党员台账并定期联系得满分，无台账不得分。")]),
    ("活动开展", 20, [
        ("“三会一课”规范开展", "查会议记录，每缺一次扣 0.5 分，扣完为止。"),
        ("每月开展主题党日", "每缺一个月扣 0.6 分。"),
        ("组织生活会和民主评议党员", "每年召开并有记录得满分，未召开不得分。")]),
    ("工作保障", 20, [
        ("工作经费落实", "经费足额到位得满分，不足酌情扣分。"),
        ("党务干部培训", "书记和党务干部年内参训不少于 32 学时得满分。"),
        ("信息化平台使用", "按时在平台录入党员和组织生活信息得满分，未使用不得分。")]),
]
VILLAGE_EXTRAS = [("创新工作获国家级表彰", "bonus", 5, "", ""), ("创新工作获省级表彰", "bonus", 3, "", ""),
                  ("发生严重违纪违法问题", "veto", 1, "not_top", "填 1 表示否决，并写明事实。")]
VILLAGE_SCHEME = {"name": "村(社区)党组织年度考核细则", "grading": "four_grades", "bonus_cap": 5,
                  "sectors": ["rural", "community", "village_to_community"], "plaque_title": "先进村(社区)党组织",
                  "blocks": VILLAGE_BLOCKS, "extras": VILLAGE_EXTRAS}

# Seed 004: “考核内容按黨組織履行職責方面的措施要求，農村基層組織和黨員隊伍建設方面的目標要求，
# 兩個文明建設方面成效的綜合要求三大塊分解細化為50條進行量化賦分”.
BLOCKS_004 = [
    ("党组织履行职责方面的措施要求", 30, [
        ("书记履行“第一责任人”职责", "书记每年专题研究党建不少于 4 次，有记录；少一次扣 0.5 分。"),
        ("签订目标责任状", "与乡镇党委签订责任状并分解到班子成员；缺一项扣 1 分。"),
        ("每半年向乡镇党委报告党建工作", "每半年报告一次，缺一次扣 1 分。"),
        ("“三会一课”按规定开展", "查会议记录，缺一次扣 0.5 分，扣完为止。"),
        ("每月开展主题党日", "缺一个月扣 0.5 分。"),
        ("组织生活会和民主评议党员", "每年召开并有记录得满分，未开展不得分。"),
        ("党员参会考勤登记", "考勤登记册完整得满分，不完整酌情扣分。"),
        ("党费按月足额收缴", "按月收缴、登记造册，缺一项扣 1 分。"),
        ("村务公开和“四议两公开”", "按季公开，缺一季扣 0.5 分。"),
        ("两委联席会议", "每月召开并有记录，缺一次扣 0.5 分。"),
        ("后备干部培养", "后备干部不少于 2 名，每少 1 名扣 1 分。"),
        ("党员教育培训", "党员年培训不少于 32 学时、参训率 90% 以上得满分。"),
        ("发展党员程序规范", "程序规范、材料齐全，一处不规范扣 0.5 分。"),
        ("流动党员管理", "建立台账并定期联系得满分，无台账不得分。"),
        ("创建自查申报", "按要求自查申报“五个好”，资料完整得满分。"),
    ]),
    ("农村基层组织和党员队伍建设方面的目标要求", 40, [
        ("支部班子团结", "班子团结、分工明确得满分；有明显矛盾不得分。"),
        ("书记带头致富、带领致富", "书记本人致富并带动群众，群众测评认可率 80% 以上得满分。"),
        ("班子年龄结构", "班子中有 35 岁以下成员得满分。"),
        ("书记文化程度", "书记初中以上文化程度得满分。"),
        ("三年内发展党员", "三年内发展党员不少于 1 名；三年以上未发展党员的空白村不得分。"),
        ("入党积极分子队伍", "入党积极分子不少于 2 名得满分，每少 1 名扣 1 分。"),
        ("35 岁以下党员比例提高", "35 岁以下党员占比较上年提高得满分，持平得 1 分，下降不得分。"),
        ("女党员比例提高", "女党员占比较上年提高得满分，持平得 1 分，下降不得分。"),
        ("党员“五带头”活动", "开展“五带头”活动并有标兵得满分。"),
        ("无职党员设岗定责", "设岗定责比例 80% 以上得满分，每低 10 个百分点扣 0.5 分。"),
        ("“双带”党员", "建立双带党员花名册并有实绩得满分。"),
        ("党员结对帮扶贫困户", "有能力的党员每人帮扶一户，达不到酌情扣分。"),
        ("党员活动室达到“十有”", "对照“十有”逐项查看，缺一项扣 0.2 分。"),
        ("“六册”齐全", "六个花名册齐全得满分，缺一册扣 0.3 分。"),
        ("“一划一本”", "有 3 或 5 年经济发展规划和支部活动记录本，缺一项扣 1 分。"),
        ("档案资料归档规范", "分类归档、查阅方便得满分。"),
        ("党员电教播放", "村级电教播放网点按计划播放并有记录得满分。"),
        ("村组干部队伍", "村组干部花名册齐全、职责明确得满分。"),
        ("支部领导村级其他组织", "村委会等组织在支部领导下开展工作得满分。"),
        ("不合格党员处置", "按规定教育处置不合格党员得满分。"),
    ]),
    ("两个文明建设方面成效的综合要求", 30, [
        ("村级集体经济收入", "有稳定集体收入得满分；集体经济“空壳村”不得分。"),
        ("主导产业", "形成一项以上主导产业(姜、烟、桑、畜牧、林特等)得满分。"),
        ("农民人均纯收入增长", "增幅高于全乡平均得满分，低于平均酌情扣分。"),
        ("产业结构调整", "完成乡镇下达的结构调整任务得满分。"),
        ("农村实用技术推广", "每户有一名掌握实用技术的劳动力得满分。"),
        ("基础设施建设", "完成年度道路、水利等建设任务得满分。"),
        ("社会治安综合治理", "无刑事案件和重大治安事件得满分。"),
        ("矛盾纠纷调处", "矛盾纠纷及时调处、无越级上访得满分。"),
        ("计划生育工作", "完成计划生育目标任务得满分。"),
        ("精神文明建设", "开展文明户评选等活动并有实效得满分。"),
        ("村容村貌", "村庄整洁、环境卫生有人管得满分。"),
        ("群众满意度", "群众测评满意率 80% 以上得满分，每低 5 个百分点扣 0.5 分。"),
        ("为民服务", "有便民服务点并正常运转得满分。"),
        ("村规民约", "村规民约健全并得到执行得满分。"),
        ("帮扶脱贫成效", "结对帮扶户年内脱贫或基本脱贫得满分。"),
    ]),
]
BLOCK_DEDUCTIONS_004 = {2: [("党员队伍出现违纪违法问题", 5, "每发生一起扣 2.5 分，在本大块内扣完为止。")]}
EXTRAS_004 = [
    ("创新工作获国家级表彰", "bonus", 5, "", ""), ("创新工作获省级表彰", "bonus", 3, "", ""),
    ("创新工作获市级表彰", "bonus", 1, "", ""),
    ("经济建设一票否决", "veto", 1, "not_passing", "年度经济建设目标任务未完成的，填 1 否决，当年不得评为达标。"),
    ("计划生育一票否决", "veto", 1, "not_passing", "计划生育目标任务未完成的，填 1 否决，当年不得评为达标。"),
    ("社会治安一票否决", "veto", 1, "not_passing", "发生重大刑事案件或群体性事件的，填 1 否决，当年不得评为达标。"),
]
SCHEME_004 = {"name": "“五个好”村党支部考核管理办法", "grading": "two_tiers", "bonus_cap": 5, "sectors": ["rural"],
              "thresholds": [90, 70], "advanced_needs_pass": True, "deductions_in_block": True,
              "plaque_title": "“五个好”村党支部", "plaque_grades": ["先进", "达标"],
              "blocks": BLOCKS_004, "block_deductions": BLOCK_DEDUCTIONS_004, "extras": EXTRAS_004}

REPORT_FORM = {"name": "党组织书记抓党建述职评议表", "grading": "four_grades", "bonus_cap": None, "sectors": [],
               "blocks": [], "extras": [("述职评议综合评分", "score", 100, "",
                                         "听取述职、现场点评后按 0–100 分打分(好 90 以上，较好 80–89，一般 60–79)。")]}

SPECS = (VILLAGE_SCHEME, SCHEME_004, REPORT_FORM)
SETTINGS = ("grading", "bonus_cap", "sectors", "thresholds", "advanced_needs_pass", "deductions_in_block",
            "plaque_title", "plaque_grades")


def create(apps, year, spec, overdue_deduction=1):
    Scheme = apps.get_model("scoring", "Scheme")
    Indicator = apps.get_model("scoring", "Indicator")
    settings = {key: spec[key] for key in SETTINGS if key in spec}
    scheme, created = Scheme.objects.get_or_create(
        name=spec["name"], year=year, version=1, defaults={**settings, "overdue_deduction": overdue_deduction})
    if not created:
        return scheme
    order = 0
    for d_index, (block, points, items) in enumerate(spec["blocks"], start=1):
        order += 1
        parent = Indicator.objects.create(scheme=scheme, code=str(d_index), name=block, kind="group",
                                          max_points=points, order=order)
        each = round(points / len(items), 1)
        for i_index, (item, guidance) in enumerate(items, start=1):
            order += 1
            share = each if i_index < len(items) else round(points - each * (len(items) - 1), 1)
            Indicator.objects.create(scheme=scheme, parent=parent, code=f"{d_index}.{i_index}", name=item,
                                     kind="score", max_points=share, order=order, guidance=guidance)
        for k_index, (item, points_off, guidance) in enumerate(spec.get("block_deductions", {}).get(d_index, []),
                                                               start=1):
            order += 1
            Indicator.objects.create(scheme=scheme, parent=parent, code=f"{d_index}.K{k_index}", name=item,
                                     kind="deduction", max_points=points_off, order=order, guidance=guidance)
    for e_index, (item, kind, points, consequence, guidance) in enumerate(spec["extras"], start=1):
        order += 1
        Indicator.objects.create(scheme=scheme, code=f"E{e_index}", name=item, kind=kind, max_points=points,
                                 order=order, guidance=guidance, consequence=consequence or "not_top")
    return scheme


def load(apps, schema_editor, year=2026):
    for spec in SPECS:
        create(apps, year - 1, spec)
        create(apps, year, spec)


def load_low_grade_category(apps, schema_editor):
    """The category of problems raised for a low grade when no indicator names one."""
    Dimension = apps.get_model("rectification", "ProblemDimension")
    Category = apps.get_model("rectification", "ProblemCategory")
    dimension, _created = Dimension.objects.get_or_create(name="领导责任", defaults={"order": 1})
    Category.objects.get_or_create(dimension=dimension, name="考核等次偏低", defaults={"order": 99})
