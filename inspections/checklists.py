"""The standard checklists (seeds 003 and 004), loaded by a data migration and again by the demo."""

CHECKLISTS = [
    ("十有六册一划一本", "村党支部活动室规范化建设标准(督查样本 004)。", [
        ("十有", ["有公房", "有活动室标牌", "有桌凳", "有档案柜", "有党旗", "有《入党誓词》", "有《党员权利》",
                  "有《党员义务》", "有《党支部职责》", "有《党支部议事规则》"]),
        ("六册", ["党员花名册", "入党积极分子花名册", "村组干部花名册", "党员参会考勤登记册", "党费收缴花名册",
                  "双带党员花名册"]),
        ("一划", ["村3至5年经济发展规划"]),
        ("一本", ["党支部活动记录本"]),
    ]),
    ("八有", "非公企业党组织规范化建设“八有”标准(样本 003)。", [
        ("", ["有坚强的党组织领导班子", "有优良的党员队伍", "有清晰的工作思路", "有规范的活动场所",
              "有健全的规章制度", "有鲜明的活动载体", "有稳定的经费保障", "有完备的档案资料"]),
    ]),
    ("六有", "农村党员“五带头”活动“六有”管理办法(样本 004)。", [
        ("", ["有目标规划", "有责任书", "有登记册", "有实施行动", "有评价标准", "有考核"]),
    ]),
]


def load(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    for name, description, groups in CHECKLISTS:
        template, created = Template.objects.get_or_create(name=name, defaults={"description": description})
        if not created:
            continue
        texts = [(group, text) for group, texts in groups for text in texts]
        Item.objects.bulk_create([Item(template=template, group=group, text=text, order=i)
                                  for i, (group, text) in enumerate(texts, start=1)])
