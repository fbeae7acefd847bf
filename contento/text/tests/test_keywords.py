from collections import Counter

from contento.text import keywords, stop_words, tokenize
from contento.text.keywords import log_odds


def test_vietnamese_is_segmented_into_words():
    words = tokenize("Dịch vụ khách hàng rất tệ", "vi")
    assert "dịch_vụ" in words
    assert "khách_hàng" in words
    assert "rất" not in words  # a stop word


def test_stop_words_exist_for_every_product_language():
    for language in ("en", "es", "fr", "ru", "vi", "id"):
        assert len(stop_words(language)) > 100
    assert "the" in stop_words("en")
    assert "и" in stop_words("ru")


def test_log_odds_matches_a_hand_computation():
    # One word each side, prior 10 pseudo-counts split evenly: y=3/1, n=4 each, a=5.
    z = log_odds(Counter({"late": 3, "fast": 1}), Counter({"late": 1, "fast": 3}), prior_size=10)
    import math

    delta = math.log(8 / 6) - math.log(6 / 8)
    assert abs(z["late"] - delta / math.sqrt(1 / 8 + 1 / 6)) < 1e-9
    assert abs(z["late"] + z["fast"]) < 1e-9


def test_keywords_find_what_sets_a_group_apart():
    complaints = ["delivery was late again", "late delivery and broken box", "very late delivery"]
    praise = ["friendly staff and fast delivery", "staff were friendly", "fast and friendly"]
    terms = [k.term for k in keywords(complaints, "en", background=praise, top=3)]
    assert terms[0] == "late"
    assert "friendly" not in terms


def test_keywords_in_vietnamese_use_whole_words():
    group = ["giao hàng chậm quá", "giao hàng chậm, hộp bị hỏng", "giao hàng rất chậm"]
    other = ["nhân viên thân thiện", "nhân viên hỗ trợ nhanh", "giá cả hợp lý"]
    terms = [k.term for k in keywords(group, "vi", background=other)]
    assert "giao hàng" in terms


def test_keywords_without_background_are_frequent_terms():
    out = keywords(["slow app", "slow app crashes", "app"], "en")
    assert out[0].term == "app"
    assert out[0].count == 3


def test_keywords_on_empty_input():
    assert keywords([], "en", background=["x"]) == []
    assert keywords([None, ""], "vi") == []
