"""Multilingual text analytics for customer comments: language, sentiment, anger, emotions,
themes and keywords.

A Django-free library that runs offline on CPU: every model and word list comes from an
installed package, nothing is downloaded at run time. Models load lazily, once per process.
``analyze("Great service!")`` returns a frozen :class:`Analysis`; ``analyze_many`` does the
same for a batch; ``themes`` groups comments into labelled themes; ``keywords`` finds the terms
that set one group of comments apart. API, models and measured quality: docs/text.md.
"""

from contento.text.analysis import (
    EMOTIONS,
    PIPELINE_VERSION,
    SENTIMENTS,
    UNCERTAIN_BELOW,
    Analysis,
    analyze,
    analyze_many,
    clear_cache,
    embed,
    model_version,
)
from contento.text.backends import ENV_VAR, Backend, E5Backend, get_backend, set_backend
from contento.text.cleaning import clean
from contento.text.keywords import Keyword, keywords
from contento.text.language import OTHER, PRODUCT_LANGUAGES, UNKNOWN, detect_language
from contento.text.taxonomy import (
    Assignment,
    TaxonomyTheme,
    assign,
    load_taxonomy,
    starter_taxonomies,
)
from contento.text.themes import Theme, discover, themes
from contento.text.tokens import stop_words, tokenize

__all__ = [
    "EMOTIONS",
    "ENV_VAR",
    "OTHER",
    "PIPELINE_VERSION",
    "PRODUCT_LANGUAGES",
    "SENTIMENTS",
    "UNCERTAIN_BELOW",
    "UNKNOWN",
    "Analysis",
    "Assignment",
    "Backend",
    "E5Backend",
    "Keyword",
    "TaxonomyTheme",
    "Theme",
    "analyze",
    "analyze_many",
    "assign",
    "clean",
    "clear_cache",
    "detect_language",
    "discover",
    "embed",
    "get_backend",
    "keywords",
    "load_taxonomy",
    "model_version",
    "set_backend",
    "starter_taxonomies",
    "stop_words",
    "themes",
    "tokenize",
]
