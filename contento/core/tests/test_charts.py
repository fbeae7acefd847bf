"""Charts write their figures as the reader's language writes numbers."""

from django.utils import translation

from contento.core.charts import column_chart


def test_chart_figures_follow_the_language():
    bars = [("May", 7.5), ("June", 12)]
    with translation.override("fr"):
        french = str(column_chart(bars, title="Score"))
    with translation.override("en"):
        english = str(column_chart(bars, title="Score"))
    assert "May: 7,5" in french
    assert "May: 7.5" in english
