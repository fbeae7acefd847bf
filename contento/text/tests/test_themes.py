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


def test_themes_keep_unicode_labels_per_language(default_backend):
    texts = DELIVERY + SUPPORT + PRICE
    result = themes(texts, max_themes=3)
    assert all(t.labels for t in result)


BALANCED = {
    "delivery": [
        "My parcel arrived a week late this month.",
        "The courier delivered the package on Monday, two days late.",
        "Delivery took ten days, the parcel was late again.",
        "The courier left my package at the wrong door.",
        "Shipping was slow, the parcel came a month late.",
        "Late delivery again today, the courier never called.",
        "Mi paquete llegó una semana tarde este mes.",
        "El repartidor entregó el paquete el lunes, dos días tarde.",
        "El envío tardó diez días, el paquete llegó tarde otra vez.",
        "El repartidor dejó mi paquete en la puerta equivocada.",
        "El envío fue lento, el paquete llegó un mes tarde.",
        "Otra vez entrega tardía hoy, el repartidor no llamó.",
    ],
    "billing": [
        "I was charged twice on my invoice this month.",
        "The bill shows a fee I never agreed to.",
        "They charged my card again on Monday after I cancelled.",
        "My invoice has a hidden fee every month.",
        "Double charge on the bill, please refund the fee.",
        "The monthly invoice is wrong, too many charges.",
        "Me cobraron dos veces en la factura este mes.",
        "La factura tiene una comisión que nunca acepté.",
        "Volvieron a cobrar mi tarjeta el lunes después de cancelar.",
        "Mi factura tiene una comisión oculta cada mes.",
        "Cobro doble en la factura, devuelvan la comisión.",
        "La factura mensual está mal, demasiados cobros.",
    ],
    "staff": [
        "The agent on the phone was rude to me today.",
        "Friendly staff, the agent solved my problem on Monday.",
        "The support agent was patient and very kind.",
        "Rude staff at the counter, nobody helped.",
        "The agent was helpful and polite, great support.",
        "Support staff were friendly and quick to help.",
        "El agente al teléfono fue grosero conmigo hoy.",
        "Personal amable, el agente resolvió mi problema el lunes.",
        "El agente de soporte fue paciente y muy amable.",
        "Personal grosero en el mostrador, nadie ayudó.",
        "El agente fue servicial y educado, gran soporte.",
        "El personal de soporte fue amable y rápido.",
    ],
}


def test_discover_splits_balanced_topics_with_clean_labels(default_backend):
    from contento.text import discover
    from contento.text.tokens import date_number_words, stop_words

    texts = [t for topic in BALANCED.values() for t in topic]
    languages = [("en" if (i % 12) < 6 else "es") for i in range(len(texts))]
    found = discover(texts, languages=languages, max_themes=6, exclude=["great"])
    assert 2 <= len(found) <= 6
    assert sum(t.size for t in found) == len(texts)
    assert max(t.share for t in found) <= 0.6
    for theme in found:
        assert theme.examples and all(len(e) <= 201 for e in theme.examples)
        assert set(theme.labels) <= {"en", "es"}
        for lang, label in theme.labels.items():
            for word in label.split(", "):
                token = word.lower().replace(" ", "_")
                assert token not in stop_words(lang), (lang, word)
                assert token not in date_number_words(lang), (lang, word)
                assert token != "great"
