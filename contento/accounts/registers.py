"""The register a workspace speaks to its customers in, where a language has two that
businesses choose between: Vietnamese "bạn" or the more deferent "quý khách", Spanish
"usted" or the friendlier "tú".

The usual register is the language's own catalog; the other is a small catalog beside it
(``locale/vi_Formal``, ``locale/es_Informal``) that holds only the customer-facing messages
that change and falls back to the language's catalog for the rest (gettext looks up
``vi_Formal`` then ``vi``). Pages keep saying their language as ``vi`` or ``es``.
"""

from django.utils.translation import gettext_lazy as _

# Variant → (its language, what the owner chooses).
REGISTERS = {
    "vi-formal": ("vi", _("Vietnamese: “quý khách” instead of “bạn”")),
    "es-informal": ("es", _("Spanish: “tú” instead of “usted”")),
}


def speaking(organization, language: str) -> str:
    """The catalog to speak `language` in to this workspace's customers."""
    for variant in getattr(organization, "registers", None) or ():
        base = REGISTERS.get(variant, (None,))[0]
        if base == language:
            return variant
    return language
