"""Ledgers of the org app: the units of a street, and its staff and posts.

The machinery is `org.ledgers`; docs/ledgers.md is the clerk's guide.
"""

from __future__ import annotations

import copy

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.workbooks import cell_date

from .ledgers import (
    Column,
    Ledger,
    People,
    PersonRowLedger,
    RowProblems,
    bool_or_no,
    choice_column,
    choice_reader,
    labels,
    person_cells,
    person_columns,
    problem,
    register,
    unit_words,
    yes_no,
)
from .models import OrgUnit, Post

# The ledger's words for the four levels (the kinds' labels are long).
LEVELS = {
    "街道": OrgUnit.Kind.STREET,
    "社区": OrgUnit.Kind.COMMUNITY,
    "网格": OrgUnit.Kind.GRID,
    "党小组": OrgUnit.Kind.GROUP,
}
LEVEL_WORDS = {kind: word for word, kind in LEVELS.items()}


def _level(raw):
    return choice_reader([(kind, word) for word, kind in LEVELS.items()])(raw)


class UnitLedger(Ledger):
    """The street itself, its communities, grids and party groups.

    A unit is found by its level, its parent and its name; the code, when
    given, must be no other unit's. Rows list parents before their children
    (as the export does), so one file brings in a whole street. Only a
    superuser creates a street; a street office keeps its own.
    """

    slug = "units"
    rank = 10
    title = gettext_lazy("communities and grids")
    task = "org.edit_tree"
    looked_up_fields = ("parent",)
    field_headers = {"parent": "上级单位", "kind": "层级", "code": "代码"}

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            Column(
                "层级",
                f"必填。可填：{'、'.join(LEVELS)}。社区在街道下，网格在社区下，"
                "党小组在网格下；上级须写在下级之前。",
                "网格",
                required=True,
                read=_level,
            ),
            Column(
                "名称",
                "必填。同一上级单位内按名称找到已有单位：相同则更新，不同则新建。",
                "第一网格党支部",
                required=True,
                field="name",
            ),
            Column(
                "上级单位",
                "街道留空；其余必填：上级单位的全称或代码（须在您的街道内）。",
                "济阳社区",
            ),
            Column(
                "代码",
                "统计用区划代码：街道9位、社区12位、网格15位；党小组留空。"
                "不得与其他单位重复。",
                "370811012001001",
                field="code",
            ),
            Column(
                "自编代码",
                "是 或 否；留空为否。代码由本街道自行编排（非统计部门下发）时填“是”。",
                "否",
                field="code_is_synthetic",
                read=bool_or_no,
            ),
            Column("地址", "可留空。", "济阳大道18号", field="address"),
            Column("电话", "可留空。", "0537-2345678", field="phone"),
            Column(
                "成立日期",
                "可留空。如 2021-03-01、2021.3.1 或 2021年3月1日。",
                "2021-03-01",
                field="established",
                read=cell_date,
            ),
            Column("备注", "可留空。", "", field="notes"),
        )

    def prepare(self, user) -> None:
        visible = list(OrgUnit.objects.visible_to(user))
        self._superuser = bool(user.is_superuser)
        self._visible = {unit.pk for unit in visible}
        self._units = {(u.kind, u.parent_id, u.name): u for u in visible}
        self._words = unit_words(visible)
        # Codes are unique over every street, not only the visible ones.
        self._codes = dict(OrgUnit.objects.exclude(code="").values_list("code", "pk"))

    def _parent(self, row, values, kind):
        expected = OrgUnit.PARENT_KIND[kind]
        named = values["上级单位"]
        if expected is None:
            if named:
                raise RowProblems(
                    [problem(row, "上级单位", _("A street has no parent unit."))]
                )
            return None
        if not named:
            raise RowProblems([problem(row, "上级单位", _("Required."))])
        found = [u for u in self._words.get(named, []) if u.kind == expected]
        if not found:
            raise RowProblems(
                [
                    problem(
                        row,
                        "上级单位",
                        _("No %(kind)s of this name or code within your posts.")
                        % {"kind": LEVEL_WORDS[expected]},
                    )
                ]
            )
        if len(found) > 1:
            raise RowProblems(
                [
                    problem(
                        row,
                        "上级单位",
                        _("Several units have this name; use the code."),
                    )
                ]
            )
        return found[0]

    def build(self, row, values, user):
        kind = values["层级"]
        parent = self._parent(row, values, kind)
        key = (kind, parent.pk if parent else None, values["名称"])
        old = self._units.get(key)
        if old is None and kind == OrgUnit.Kind.STREET and not self._superuser:
            raise RowProblems(
                [problem(row, "层级", _("Outside your posts: you keep your street."))]
            )
        code = values["代码"] or ""
        holder = self._codes.get(code)
        if code and holder is not None and (old is None or holder != old.pk):
            raise RowProblems(
                [problem(row, "代码", _("Another unit already has this code."))]
            )
        # An update starts from the stored unit, so that the tree library
        # sees a saved node (a fresh instance would be inserted anew and
        # shift its neighbours).
        unit = copy.copy(old) if old is not None else OrgUnit(kind=kind, parent=parent)
        unit.name = values["名称"]
        unit.code = code
        unit.code_is_synthetic = values["自编代码"] or False
        unit.address = values["地址"] or ""
        unit.phone = values["电话"] or ""
        unit.established = values["成立日期"]
        unit.notes = values["备注"] or ""
        return key, unit

    def existing(self, key):
        return self._units.get(key)

    def remember(self, key, instance) -> None:
        self._units[key] = instance
        if instance.code:
            self._codes[instance.code] = instance.pk
        for word in {instance.name, instance.code}:
            if word:
                same = self._words.setdefault(word, [])
                same[:] = [u for u in same if u.pk != instance.pk] + [instance]

    def export_rows(self, user):
        units = OrgUnit.objects.visible_to(user).select_related("parent")
        for unit in units.order_by("tree_id", "lft").iterator(chunk_size=500):
            parent = unit.parent
            yield [
                LEVEL_WORDS[unit.kind],
                unit.name,
                (parent.code or parent.name) if parent else "",
                unit.code,
                yes_no(unit.code_is_synthetic),
                unit.address,
                unit.phone,
                unit.established,
                unit.notes,
            ]


class StaffLedger(PersonRowLedger):
    """Staff and their posts: one row per post held by a person in a unit.

    Importing never makes a login: a login is given to a person in the
    admin (登录账号, `org.edit_logins`), and its rights follow from the
    person's posts.
    """

    slug = "staff"
    rank = 20
    title = gettext_lazy("staff and their posts")
    task = "org.edit_people"
    # A post's end before its start is a constraint only (no clean()).
    check_constraints = True
    looked_up_fields = ("person", "unit")
    field_headers = {"end": "任职止", "start": "任职起", "__all__": "任职止"}

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            Column(
                "任职单位",
                "必填。街道、社区、网格或党小组的全称或代码，须在您的管辖范围内。",
                "济阳社区",
                required=True,
            ),
            choice_column(
                "职务",
                Post.Role.choices,
                labels(Post.Role.choices)[Post.Role.SECRETARY],
                field="role",
            ),
            *person_columns(),
            Column(
                "工作单位",
                "可留空。人员来自的单位，如某物业公司。",
                "济阳街道办事处",
            ),
            Column(
                "登记单位",
                "可留空（即任职单位）。保管此人档案的单位的全称或代码。",
                "",
            ),
            Column(
                "任职起",
                "可留空。如 2024-03-01、2024.3.1 或 2024年3月1日。"
                "同一人、单位、职务与任职起视为同一任职。",
                "2024-03-01",
                field="start",
                read=cell_date,
            ),
            Column(
                "任职止",
                "可留空（现任）；不得早于任职起。",
                "",
                field="end",
                read=cell_date,
            ),
        )

    def compared_fields(self):
        return ("end",)

    def prepare(self, user) -> None:
        visible = list(OrgUnit.objects.visible_to(user))
        self._words = unit_words(visible)
        self._people = People(user)
        self._posts = {
            (post.person_id, post.unit_id, post.role, post.start): post
            for post in Post.objects.visible_to(user)
        }

    def _unit(self, row, header, named):
        found = self._words.get(named, [])
        if len(found) != 1:
            message = (
                _("No unit of this name or code within your posts.")
                if not found
                else _("Several units have this name; use the code.")
            )
            raise RowProblems([problem(row, header, message)])
        return found[0]

    def build(self, row, values, user):
        unit = self._unit(row, "任职单位", values["任职单位"])
        keeper = (
            self._unit(row, "登记单位", values["登记单位"])
            if values["登记单位"]
            else unit
        )
        person, person_changes = self._people.find(row, values, keeper)
        if values["工作单位"] is not None or person.pk is None:
            work_unit = values["工作单位"] or ""
            if person.work_unit != work_unit:
                old_work_unit = person.work_unit
                person.work_unit = work_unit
                if person.pk is not None:
                    person_changes += (
                        f"{person.name} {person._meta.get_field('work_unit').verbose_name}"
                        f": {old_work_unit or '（空）'} → {work_unit or '（空）'}",
                    )
        post = Post(
            person=person,
            unit=unit,
            role=values["职务"],
            start=values["任职起"],
            end=values["任职止"],
        )
        post._person_changes = person_changes
        key = (person.pk or ("new", id(person)), unit.pk, post.role, post.start)
        return key, post

    def existing(self, key):
        return self._posts.get(key)

    def remember(self, key, instance) -> None:
        key = (instance.person_id, instance.unit_id, instance.role, instance.start)
        self._posts[key] = instance

    def export_rows(self, user):
        roles = labels(Post.Role.choices)
        posts = (
            Post.objects.visible_to(user)
            .select_related("person__unit", "unit")
            .order_by("unit__tree_id", "unit__lft", "role", "person__name", "pk")
        )
        cells = person_cells(user)
        for post in posts.iterator(chunk_size=500):
            person = post.person
            keeper = person.unit
            yield [
                post.unit.code or post.unit.name,
                roles[post.role],
                *cells(person),
                person.work_unit,
                "" if keeper.pk == post.unit_id else (keeper.code or keeper.name),
                post.start,
                post.end,
            ]


def register_ledgers() -> None:
    register(UnitLedger(), StaffLedger())
