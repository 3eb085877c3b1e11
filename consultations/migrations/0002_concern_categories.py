"""Seed the concern categories so the public form and Open311 always have
them (domain research §3.3: 12345 property hot spots, Shandong limits)."""

from django.db import migrations

# code, name (zh), name (en), default handler, hours, working days, description
CATEGORIES = [
    (
        "sanitation",
        "环境卫生",
        "Sanitation",
        "company",
        None,
        2,
        "垃圾、楼道杂物、卫生死角",
    ),
    (
        "parking",
        "停车秩序与消防通道",
        "Parking and fire lanes",
        "company",
        None,
        2,
        "乱停车、占用消防通道",
    ),
    (
        "facility_repair",
        "设施维修",
        "Facility repair",
        "company",
        None,
        5,
        "路灯、下水、屋面漏水、道路",
    ),
    (
        "ev_charging",
        "电动车充电",
        "E-bike charging",
        "company",
        24,
        None,
        "飞线充电、充电桩、车棚",
    ),
    (
        "fire_gas_safety",
        "消防燃气安全",
        "Fire and gas safety",
        "company",
        24,
        None,
        "消防、燃气、液化气改管道",
    ),
    (
        "building_safety",
        "房屋安全",
        "Building safety",
        "community",
        24,
        None,
        "墙体倾斜、高空坠物",
    ),
    (
        "utilities",
        "水电气暖",
        "Water, power, gas, heating",
        "community",
        24,
        None,
        "停水停电、供暖供气",
    ),
    ("greening", "绿化", "Greening", "company", None, 5, "绿化养护、毁绿种菜"),
    ("noise", "噪音扰民", "Noise", "community", None, 5, "装修、商户、夜间噪音"),
    (
        "neighbour_dispute",
        "邻里纠纷",
        "Neighbour dispute",
        "grid",
        None,
        5,
        "邻里矛盾调解",
    ),
    (
        "illegal_construction",
        "违章搭建",
        "Illegal construction",
        "community",
        None,
        5,
        "私搭乱建",
    ),
    ("group_renting", "群租", "Group renting", "liaison", None, 5, "群租房"),
    ("pets", "宠物", "Pets", "community", None, 5, "犬只管理、宠物扰民"),
    (
        "property_service",
        "物业服务",
        "Property service",
        "community",
        None,
        5,
        "服务态度、收费、公示",
    ),
    (
        "owners_org",
        "业委会与业主大会",
        "Owners' organisations",
        "community",
        None,
        10,
        "业委会、自管会、业主大会",
    ),
    (
        "market_reg",
        "商户经营",
        "Shops and trading",
        "liaison",
        None,
        5,
        "商户经营、市场监管",
    ),
    ("suggestion", "意见建议", "Suggestion", "community", None, 10, "意见和建议"),
    ("other", "其他", "Other", "community", None, 10, "其他事项"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("consultations", "ConcernCategory")
    for order, (code, name, name_en, handler, hours, days, desc) in enumerate(
        CATEGORIES, start=1
    ):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "default_handler": handler,
                "sla_hours": hours,
                "sla_working_days": days,
                "description": desc,
                "order": order * 10,
                "is_active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
