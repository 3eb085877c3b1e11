"""Admin classes that show and change only what the user may see.

`ScopedAdmin` (a ModelAdmin), `ScopedAdminMixin` (the same for other bases
such as django-mptt's admins or the user admin) and `ScopedTabularInline` /
`ScopedStackedInline` (the `ScopedInline` mixin for inlines) apply the one
scope rule of `org.scope`, `Model.objects.visible_to(user)`, to everything an
admin page offers:

- the changelist, the change, delete and history views (an object outside
  the scope answers 404, as if it did not exist);
- autocomplete results (Django's autocomplete view asks the related model's
  admin for its queryset, which is scoped here);
- the choices of every foreign key and many-to-many field in forms and
  inline forms, so a user cannot attach a row outside their scope; the
  value a row already has stays selectable so unchanged rows still save;
- the choices of related-field list filters (the visible related objects,
  or those the user's own rows point to);
- the "Export CSV" action, which exports the scoped, filtered selection.

Model permissions still apply on top: the scope says which rows, the
permissions say which models and actions.
"""

import csv

from django.contrib import admin
from django.contrib.admin.utils import (
    display_for_field,
    display_for_value,
    get_fields_from_path,
    label_for_field,
    lookup_field,
)
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core import checks
from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db.models import Q
from django.forms.models import ModelChoiceField
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.spreadsheets import csv_text

from .downloads import ledger_response

# Columns of list_display that only make sense on screen.
SCREEN_ONLY_COLUMNS = {"action_checkbox", "tree_actions"}


def is_scoped(model) -> bool:
    """Whether the model's default queryset knows the scope rule."""
    return hasattr(model._default_manager.all(), "visible_to")


def visible_choices_q(field, request, extra: Q | None = None) -> Q:
    """The field's own limit_choices_to AND "visible to the user"."""
    limit = field.get_limit_choices_to()
    q = Q(**limit) if isinstance(limit, dict) else (limit or Q())
    related = field.related_model._default_manager.all()
    if hasattr(related, "visible_to"):
        q &= Q(pk__in=related.visible_to(request.user).values("pk"))
    if extra is not None:
        q &= extra
    return q


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """Offers only the related objects the user may see."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to=visible_choices_q(field, request),
        )


class ScopedRelatedOnlyFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """Offers the related objects that the user's own rows point to.

    The rows are already cut to the scope; the objects they point to are
    shown in the list anyway, even when they lie above the user (a grid
    user's compounds name their community).
    """

    def field_choices(self, field, request, model_admin):
        pk_qs = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        limit = field.get_limit_choices_to()
        q = Q(**limit) if isinstance(limit, dict) else (limit or Q())
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to=q & Q(pk__in=pk_qs),
        )


def scoped_list_filter(model, entry):
    """Swap Django's related-field filters for their scoped versions."""
    if isinstance(entry, (list, tuple)):
        name, filter_class = entry
        if filter_class is admin.RelatedOnlyFieldListFilter:
            return (name, ScopedRelatedOnlyFieldListFilter)
        if filter_class is admin.RelatedFieldListFilter:
            return (name, ScopedRelatedFieldListFilter)
        return entry
    if isinstance(entry, str):
        try:
            field = get_fields_from_path(model, entry)[-1]
        except (FieldDoesNotExist, AttributeError):
            return entry
        if field.is_relation:
            return (entry, ScopedRelatedFieldListFilter)
    return entry


def keep_current_choices(form_class):
    """A form class whose relation fields also offer the row's current values.

    Choices are cut to the user's scope; a row may still point outside it
    (a company filed with the street, seen by a grid). Keeping the current
    value lets such a row be saved unchanged without widening what can be
    newly chosen.
    """

    class ScopedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk is None:
                return
            opts = self.instance._meta
            for name, form_field in self.fields.items():
                if not isinstance(form_field, ModelChoiceField):
                    continue
                try:
                    model_field = opts.get_field(name)
                except FieldDoesNotExist:
                    continue
                if model_field.many_to_many:
                    current = list(
                        getattr(self.instance, name).values_list("pk", flat=True)
                    )
                    target = "pk"
                elif model_field.many_to_one or model_field.one_to_one:
                    value = getattr(self.instance, model_field.attname)
                    current = [] if value is None else [value]
                    target = model_field.target_field.attname
                else:
                    continue
                if not current:
                    continue
                queryset = form_field.queryset
                widened = queryset.model._default_manager.filter(
                    Q(pk__in=queryset.values("pk")) | Q(**{f"{target}__in": current})
                )
                if queryset.query.order_by:
                    widened = widened.order_by(*queryset.query.order_by)
                form_field.queryset = widened

    ScopedForm.__name__ = form_class.__name__
    ScopedForm.__qualname__ = form_class.__qualname__
    return ScopedForm


def csv_cell(name, obj, model_admin) -> str:
    """The text of one list_display column, as the changelist shows it."""
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, ObjectDoesNotExist):
        return ""
    if isinstance(value, bool):
        text = gettext("yes") if value else gettext("no")
    elif field is None:
        text = display_for_value(value, "")
    else:
        text = display_for_field(value, field, "")
    return csv_text(strip_tags(str(text)).strip())


@admin.action(description=_("Export CSV"), permissions=["view"])
def export_csv(model_admin, request, queryset):
    """The selected rows, already cut to the user's scope, as a CSV file."""
    columns = [
        name
        for name in model_admin.get_list_display(request)
        if name not in SCREEN_ONLY_COLUMNS
    ]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{model_admin.opts.model_name}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            strip_tags(str(label_for_field(name, model_admin.model, model_admin)))
            for name in columns
        ]
    )
    for obj in queryset:
        writer.writerow([csv_cell(name, obj, model_admin) for name in columns])
    return response


class KeysOnlyAutocompleteMixin:
    """Django's autocomplete widget looks the posted values up again to show
    them on a form with errors; a value that is no key (`²`, a NUL, a
    number past bigint) made that lookup raise, so the error page answered
    500. Such a value is dropped: the field's own error already says why."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        key = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        return super().optgroups(name, [v for v in value if _is_key(key, v)], attr)


def _is_key(field, value) -> bool:
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    return not isinstance(key, int) or abs(key) < 2**63


class KeysOnlyAutocompleteSelect(KeysOnlyAutocompleteMixin, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(
    KeysOnlyAutocompleteMixin, AutocompleteSelectMultiple
):
    pass


@admin.action(description=_("Export Excel"), permissions=["view"])
def export_xlsx(model_admin, request, queryset):
    """The selected rows, already cut to the user's scope, as the admin's
    ledger workbook (`ledger` on the admin class)."""
    return ledger_response(request, model_admin.ledger, queryset)


class ScopeRules:
    """The scope rule for ModelAdmin and InlineModelAdmin subclasses alike."""

    def check(self, *args, **kwargs):
        errors = super().check(*args, **kwargs)
        if not is_scoped(self.model):
            errors.append(
                checks.Error(
                    f"{type(self).__name__} is a scoped admin but "
                    f"{self.model._meta.label}'s queryset has no visible_to().",
                    hint="Give the model a QuerySet subclassing "
                    "org.scope.ScopedQuerySet.",
                    obj=type(self),
                    id="org.E001",
                )
            )
        return errors

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not hasattr(queryset, "visible_to"):
            raise ImproperlyConfigured(
                f"{self.model._meta.label} has no scope rule (visible_to)."
            )
        return queryset.visible_to(request.user)

    def scoped_field_queryset(self, db_field, request):
        queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = self.scoped_field_queryset(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = KeysOnlyAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = self.scoped_field_queryset(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = KeysOnlyAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        return [
            scoped_list_filter(self.model, entry)
            for entry in super().get_list_filter(request)
        ]


class ScopedAdminMixin(ScopeRules):
    """Mixin for any ModelAdmin (plain, django-mptt's, the user admin)."""

    actions = [export_csv]
    # The `org.exports.Ledger` behind the "导出 Excel" action, if any.
    ledger = None

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.ledger is not None and self.has_view_permission(request):
            actions["export_xlsx"] = self.get_action(export_xlsx)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return keep_current_choices(form)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "does not exist" for a missing
        # object; an object outside the user's scope must look exactly like
        # one that does not exist, so both answer 404.
        raise Http404(
            gettext("%(name)s with ID “%(key)s” doesn’t exist.")
            % {"name": opts.verbose_name, "key": object_id}
        )

    def assert_visible(self, request, objs) -> None:
        """Refuse to store a row that the user could not see afterwards.

        Scoped choices already prevent this; this is the last guard for
        fields whose values do not come from a choice (the transaction of
        the admin view rolls the write back).
        """
        if request.user.is_superuser:
            return
        by_model: dict = {}
        for obj in objs:
            by_model.setdefault(type(obj), []).append(obj.pk)
        for model, pks in by_model.items():
            queryset = model._default_manager.filter(pk__in=pks)
            if hasattr(queryset, "visible_to") and queryset.visible_to(
                request.user
            ).count() != len(set(pks)):
                raise PermissionDenied(
                    gettext("You may not store this outside your own area.")
                )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.assert_visible(request, [obj])

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        saved = list(getattr(formset, "new_objects", [])) + [
            obj for obj, _fields in getattr(formset, "changed_objects", [])
        ]
        self.assert_visible(request, saved)


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin that sees and changes only the user's rows."""


class ScopedInline(ScopeRules):
    """Mixin for inlines: scoped rows and scoped choices."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = keep_current_choices(formset.form)
        return formset


class ScopedTabularInline(ScopedInline, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInline, admin.StackedInline):
    pass
