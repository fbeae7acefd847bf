import pytest

from contento.text import Assignment, TaxonomyTheme, assign, load_taxonomy, starter_taxonomies

TAXONOMY = {
    "themes": [
        {
            "key": "delivery",
            "names": {"en": "Delivery"},
            "examples": ["My parcel arrived late", "The courier lost my package"],
            "keywords": {"en": ["delivery", "shipping", "courier", "parcel"]},
        },
        {
            "key": "billing",
            "names": {"en": "Billing and charges"},
            "examples": ["I was charged twice", "The invoice has a fee I never agreed to"],
            "keywords": {"en": ["invoice", "charge", "fee", "bill"]},
        },
        {
            "key": "staff",
            "names": {"en": "Staff and support"},
            "examples": ["The agent was rude", "The staff were friendly and helpful"],
            "keywords": {"en": ["staff", "agent", "support"]},
        },
    ]
}


def test_load_taxonomy_reads_dicts_lists_and_rejects_duplicate_keys():
    themes = load_taxonomy(TAXONOMY)
    assert [t.key for t in themes] == ["delivery", "billing", "staff"]
    assert themes[0].keywords["en"][0] == "delivery"
    assert load_taxonomy(TAXONOMY["themes"]) == themes
    assert load_taxonomy([t.to_dict() for t in themes]) == themes
    with pytest.raises(ValueError):
        load_taxonomy([{"key": "a", "names": {"en": "A"}}, {"key": "a", "names": {"en": "B"}}])


def test_assign_with_an_english_taxonomy_in_two_languages(default_backend):
    texts = [
        "Great shop. The courier delivered my parcel a week late.",
        "Me cobraron dos veces en la factura de este mes.",
        "I was charged twice on my invoice.",
    ]
    result = assign(texts, load_taxonomy(TAXONOMY))
    assert result[0] and result[0][0].key == "delivery"
    assert result[0][0].sentence == "The courier delivered my parcel a week late."
    assert result[1] and result[1][0].key == "billing"
    assert result[2] and result[2][0].key == "billing"
    for found in result:
        assert all(isinstance(a, Assignment) and 0 <= a.confidence <= 1 for a in found)


def test_assign_gives_nothing_to_a_comment_about_nothing_in_the_taxonomy(default_backend):
    result = assign(["My cat likes to sleep in the sun.", "", None, "👍"], load_taxonomy(TAXONOMY))
    assert result == [[], [], [], []]


def test_assign_with_no_themes():
    assert assign(["anything"], []) == [[]]
    assert TaxonomyTheme("a", {"en": "A"}).to_dict()["keywords"] == {}


def test_starter_taxonomies_load_with_six_languages():
    starters = starter_taxonomies()
    if not starters:
        pytest.skip("no starter taxonomies shipped yet")
    for name, data in starters.items():
        themes = load_taxonomy(data)
        assert themes, name
        for theme in themes:
            assert len(theme.names) >= 6, (name, theme.key)
            assert len(theme.keywords) >= 6, (name, theme.key)
