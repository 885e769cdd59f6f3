"""`{% load workspace %}`: times and days written one way on every workspace page."""

from django import template

from workspace import labels

register = template.Library()


@register.filter
def when(value) -> str:
    return labels.when(value)


@register.filter
def day(value) -> str:
    return labels.day(value)
