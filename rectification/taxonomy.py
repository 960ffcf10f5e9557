"""The starting problem taxonomy (DOMAIN.md "Problem taxonomy"), loaded by a data migration."""

TAXONOMY = [
    ("领导责任", ["重业务轻党务", "说起来重要、干起来次要", "考核结果运用不到位", "党建与业务“两张皮”"]),
    ("组织设置", ["党组织未组建或覆盖有空白", "换届逾期", "联合党支部活动不经常", "项目党组织不稳定"]),
    ("书记和党务干部", ["无专职党务工作者", "党务干部年龄老化", "培训不足", "书记人选难产"]),
    ("党员队伍", ["党员老化、文化程度低", "发展党员不足(三年以上未发展)", "流动党员管理缺位", "组织关系未转接",
                  "党费未按规定缴纳"]),
    ("组织生活", ["“三会一课”不规范", "组织生活流于形式", "主题党日未开展"]),
    ("基础保障", ["经费不足", "活动阵地缺失或不达标", "信息化水平低"]),
    ("作用发挥", ["集体经济薄弱(空壳村)", "服务群众能力弱"]),
]


def load(apps, schema_editor):
    Dimension = apps.get_model("rectification", "ProblemDimension")
    Category = apps.get_model("rectification", "ProblemCategory")
    for order, (dimension_name, categories) in enumerate(TAXONOMY, start=1):
        dimension, _ = Dimension.objects.get_or_create(name=dimension_name, defaults={"order": order})
        for position, name in enumerate(categories, start=1):
            Category.objects.get_or_create(dimension=dimension, name=name, defaults={"order": position})
