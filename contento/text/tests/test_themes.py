import numpy as np

from contento.text import analyze_many, themes

DELIVERY = [
    "The delivery was late again",
    "My parcel arrived a week late",
    "Delivery took far too long",
    "El envío llegó con una semana de retraso",
    "La entrega tardó demasiado",
    "Le colis est arrivé en retard",
]
SUPPORT = [
    "The support agent was very friendly and helpful",
    "Customer service solved my problem quickly",
    "Great support team, thanks for the help",
    "El servicio al cliente fue muy amable",
    "Le service client a été très aimable",
    "Nhân viên hỗ trợ rất nhiệt tình",
]
PRICE = [
    "The price is too expensive for what you get",
    "Prices went up again, too expensive",
    "Too expensive compared with other shops",
    "El precio es demasiado caro",
    "Le prix est beaucoup trop cher",
    "Harganya terlalu mahal",
]


def test_themes_group_comments_by_meaning_across_languages(default_backend):
    texts = DELIVERY + SUPPORT + PRICE
    result = themes(texts, max_themes=3)
    assert sum(t.size for t in result) == len(texts)
    assert abs(sum(t.share for t in result) - 1.0) < 0.01
    # Each theme is mostly one of the three topics, whatever the language.
    for topic in (DELIVERY, SUPPORT, PRICE):
        best = max(result, key=lambda t: len({texts[i] for i in t.indices} & set(topic)))
        assert len({texts[i] for i in best.indices} & set(topic)) >= 4
    for t in result:
        assert t.label
        assert t.examples
        assert -1 <= (t.sentiment or 0) <= 1


def test_themes_reuse_analyses_for_sentiment(default_backend):
    texts = DELIVERY + SUPPORT + PRICE
    analyses = analyze_many(texts)
    result = themes(texts, analyses=analyses, max_themes=3)
    by_topic = {
        name: max(result, key=lambda t: len({texts[i] for i in t.indices} & set(topic)))
        for name, topic in (("delivery", DELIVERY), ("support", SUPPORT))
    }
    assert by_topic["support"].sentiment > by_topic["delivery"].sentiment


def test_themes_scale_by_sampling(fake_backend):
    words = ["late parcel delivery", "rude support agent", "expensive price plan"]
    texts = [f"{words[i % 3]} number {i}" for i in range(3000)]
    result = themes(texts, sample_size=300, max_themes=3)
    assert sum(t.size for t in result) == 3000
    assert fake_backend.texts < 300 + 300  # the sample and the anchors, not the rest


def test_themes_with_precomputed_embeddings(fake_backend):
    texts = [f"{w} {i}" for i in range(500) for w in ("late parcel", "rude agent")]
    vectors = np.asarray(fake_backend.embed(texts))
    result = themes(texts, embeddings=vectors, sample_size=100, max_themes=2)
    assert sum(t.size for t in result) == len(texts)


def test_themes_of_nothing():
    assert themes([]) == []
    assert themes(["", None, "👍"]) == []
