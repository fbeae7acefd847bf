import json

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Return mapping[key], or None for a missing key or a mapping that is not one."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def expectation_parts(expected_label, perceived_label):
    return [("expected", expected_label), ("perceived", perceived_label)]


@register.filter
def as_json(value):
    return json.dumps(value)


@register.filter
def kano_parts(functional_label, dysfunctional_label):
    return [("functional", functional_label), ("dysfunctional", dysfunctional_label)]
