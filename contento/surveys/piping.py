"""Piping: an earlier answer or something known of the customer, written into a question.

A question's text may hold ``{answer:<key>}`` (the answer to an earlier question: its
number, or the label of the options chosen, in the respondent's language) and
``{customer:first_name}``, ``{customer:name}`` or ``{customer:product}`` (the product or
service of their latest purchase or subscription). What is not known yet (an unanswered
question, an anonymous respondent) is left out, so the sentence still reads.
"""

import dataclasses
import re

PIPE = re.compile(r"\{(answer|customer):([a-z0-9_-]+)\}")


def _answer(lq, value) -> str:
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        return ", ".join(lq.choice_label(item) for item in value)
    if isinstance(value, str) and lq.choices:
        return lq.choice_label(value)
    if isinstance(value, dict):
        return ""
    return str(value)


def _customer(customer, field: str) -> str:
    if customer is None:
        return ""
    if field == "name":
        return customer.name
    if field == "first_name":
        return (customer.name or "").split(" ")[0]
    if field == "product":
        latest = customer.purchases.select_related("product").order_by("-purchased_at").first()
        if latest is None:
            latest = (
                customer.subscriptions.select_related("product").order_by("-started_on").first()
            )
        return latest.product.name if latest else ""
    return ""


def pipe(text: str, *, local, values: dict, customer=None) -> str:
    """`text` with its pipes filled in."""
    if "{" not in text:
        return text
    by_key = local.by_key()

    def fill(match) -> str:
        kind, name = match.groups()
        if kind == "answer":
            lq = by_key.get(name)
            return _answer(lq, values.get(name)) if lq else ""
        return _customer(customer, name)

    filled = re.sub(r"\s{2,}", " ", PIPE.sub(fill, text)).strip()
    # An empty pipe may leave a dangling comma: ", recommend us?" reads "Recommend us?".
    filled = re.sub(r"\s*,\s*([?.!])", r"\1", filled)
    trimmed = re.sub(r"^[\s,;:]+", "", filled)
    if trimmed != filled and trimmed:
        trimmed = trimmed[0].upper() + trimmed[1:]
    return trimmed


def piped(lq, *, local, values: dict, customer=None):
    """The question with its text piped (the same question when it has no pipe)."""
    text = pipe(lq.text, local=local, values=values, customer=customer)
    return lq if text == lq.text else dataclasses.replace(lq, text=text)
