import csv
import os
from pathlib import Path

import pytest

from contento.text.language import UNKNOWN, detect_language

SENTENCES = {
    "en": "My order arrived two days late and the box was damaged.",
    "es": "Mi pedido llegó dos días tarde y la caja estaba dañada.",
    "fr": "Ma commande est arrivée avec deux jours de retard.",
    "ru": "Мой заказ пришёл на два дня позже, коробка была повреждена.",
    "vi": "Đơn hàng của tôi đến trễ hai ngày và hộp bị hỏng.",
    "id": "Pesanan saya datang terlambat dua hari dan kotaknya rusak.",
}


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_detects_each_product_language(language):
    code, confidence = detect_language(SENTENCES[language])
    assert code == language
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize("text", ["", "ok", "👍👍", "10/10", "!!!", "@user http://x.y"])
def test_too_short_is_unknown(text):
    assert detect_language(text) == (UNKNOWN, 0.0)


def test_shouting_is_detected_like_lower_case():
    assert detect_language("THE DELIVERY WAS LATE AGAIN AND NOBODY CALLED ME")[0] == "en"


def _eval_file() -> Path:
    default = Path(__file__).resolve().parents[3].parent / "shared/data/text-eval"
    return Path(os.environ.get("CONTENTO_TEXT_EVAL_DIR", str(default))) / "language-id.tsv"


def test_accuracy_on_public_sentences_of_five_words():
    path = _eval_file()
    if not path.exists():
        pytest.skip(f"no evaluation data at {path} (set CONTENTO_TEXT_EVAL_DIR)")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    rows = [r for r in rows if r["lang"] in SENTENCES and len(r["text"].split()) >= 5]
    correct = sum(detect_language(r["text"])[0] == r["lang"] for r in rows)
    # bench/text_eval.py prints the figure per language; this pins the floor.
    assert correct / len(rows) >= 0.95
