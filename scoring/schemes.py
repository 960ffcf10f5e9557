"""The two seeded schemes (data migration): seed 002's five dimensions, and one shaped like seed 004."""

VILLAGE_SCHEME = ("村(社区)党组织年度考核细则", "four_grades", 5, [
    ("党建基础", 20, ["组织设置规范、按期换届", "党员花名册等基础台账齐全", "活动阵地达到“十有”标准"]),
    ("组织建设", 20, ["支部班子团结、分工明确", "书记履行第一责任人职责", "后备干部培养有计划"]),
    ("党员管理", 20, ["按规定发展党员", "党费按月足额收缴", "流动党员管理到位"]),
    ("活动开展", 20, ["“三会一课”规范开展", "每月开展主题党日", "组织生活会和民主评议党员"]),
    ("工作保障", 20, ["工作经费落实", "党务干部培训", "信息化平台使用"]),
], [("创新工作获国家级表彰", "bonus", 5), ("创新工作获省级表彰", "bonus", 3),
    ("发生严重违纪违法问题", "veto", 1)])

BLOCKS_004 = [
    ("基础工作", ["组织覆盖", "按期换届", "班子建设", "书记队伍", "党员发展", "党员教育", "党费收缴", "流动党员",
                  "三会一课", "主题党日", "组织生活会", "民主评议", "阵地建设", "台账资料", "经费保障",
                  "党务公开", "信息报送", "党建指导员", "后备干部", "制度上墙"]),
    ("重点工作", ["集体经济", "产业带动", "为民服务", "矛盾调解", "乡村治理", "双带党员", "结对帮扶", "党员积分",
                  "设岗定责", "志愿服务", "村务监督", "四议两公开", "人居环境", "平安建设", "移风易俗",
                  "人才回引", "网格管理", "教育培训", "作风建设", "问题整改"]),
    ("特色工作", ["特色品牌", "示范点创建", "经验推广", "宣传报道", "群众满意度", "创新举措", "典型培树",
                  "交流发言", "观摩评比", "调研成果"]),
]
SCHEME_004 = ("基层党建工作量化考核办法", "two_tiers", 5,
              [(block, 2 * len(items), items) for block, items in BLOCKS_004],
              [("创新工作获国家级表彰", "bonus", 5), ("创新工作获省级表彰", "bonus", 3),
               ("创新工作获市级表彰", "bonus", 1),
               ("党组织软弱涣散被整顿", "veto", 1), ("发生群体性事件造成严重影响", "veto", 1),
               ("班子成员严重违纪违法", "veto", 1)])


def create(apps, year, spec, overdue_deduction=1):
    Scheme = apps.get_model("scoring", "Scheme")
    Indicator = apps.get_model("scoring", "Indicator")
    name, grading, bonus_cap, dimensions, extras = spec
    scheme, created = Scheme.objects.get_or_create(
        name=name, year=year, version=1,
        defaults={"grading": grading, "bonus_cap": bonus_cap, "overdue_deduction": overdue_deduction})
    if not created:
        return scheme
    order = 0
    for d_index, (dimension, points, items) in enumerate(dimensions, start=1):
        order += 1
        parent = Indicator.objects.create(scheme=scheme, code=str(d_index), name=dimension, kind="group",
                                          max_points=points, order=order)
        each = round(points / len(items), 1)
        for i_index, item in enumerate(items, start=1):
            order += 1
            share = each if i_index < len(items) else round(points - each * (len(items) - 1), 1)
            Indicator.objects.create(scheme=scheme, parent=parent, code=f"{d_index}.{i_index}", name=item,
                                     kind="score", max_points=share, order=order,
                                     guidance=f"对照“{item}”的要求检查台账和现场，完全达到得满分，部分达到酌情扣分。")
    for e_index, (item, kind, points) in enumerate(extras, start=1):
        order += 1
        Indicator.objects.create(scheme=scheme, code=f"E{e_index}", name=item, kind=kind, max_points=points,
                                 order=order)
    return scheme


def load(apps, schema_editor, year=2026):
    for spec in (VILLAGE_SCHEME, SCHEME_004):
        create(apps, year - 1, spec)
        create(apps, year, spec)
