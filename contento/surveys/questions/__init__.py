"""Question types, one module each (copy one to add a kind)."""

from contento.surveys.questions.base import AnswerError, LocalQuestion, QuestionType
from contento.surveys.questions.ces import CesType
from contento.surveys.questions.csat import CsatType
from contento.surveys.questions.expectation import ExpectationType
from contento.surveys.questions.kano import KanoType
from contento.surveys.questions.matrix import MatrixType
from contento.surveys.questions.multiple import MultipleType
from contento.surveys.questions.nps import NpsType
from contento.surveys.questions.rating import RatingType
from contento.surveys.questions.single import SingleType
from contento.surveys.questions.text import TextType

TYPES: dict[str, QuestionType] = {
    t.kind: t
    for t in (
        NpsType(),
        CsatType(),
        CesType(),
        RatingType(),
        SingleType(),
        MultipleType(),
        MatrixType(),
        TextType(),
        ExpectationType(),
        KanoType(),
    )
}


def get_type(kind: str) -> QuestionType:
    return TYPES[kind]


__all__ = ["TYPES", "AnswerError", "LocalQuestion", "QuestionType", "get_type"]
