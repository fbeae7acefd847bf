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
from contento.text.language import UNKNOWN, detect_language
from contento.text.themes import Theme, themes
from contento.text.tokens import stop_words, tokenize

__all__ = [
    "EMOTIONS",
    "ENV_VAR",
    "PIPELINE_VERSION",
    "UNKNOWN",
    "Analysis",
    "Backend",
    "E5Backend",
    "Keyword",
    "Theme",
    "analyze",
    "analyze_many",
    "clean",
    "clear_cache",
    "detect_language",
    "embed",
    "get_backend",
    "keywords",
    "model_version",
    "set_backend",
    "stop_words",
    "themes",
    "tokenize",
]
