import pytest

from contento.core.colours import contrast_ratio, relative_luminance


def test_black_on_white_is_the_largest_contrast():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_a_colour_on_itself_has_no_contrast():
    assert contrast_ratio("#0b5cad", "#0b5cad") == pytest.approx(1.0)


def test_the_order_of_the_colours_does_not_matter():
    assert contrast_ratio("#ffffff", "#767676") == contrast_ratio("#767676", "#ffffff")


def test_published_figures():
    # #767676 on white is the classic lightest grey that passes AA: 4.54:1 (WebAIM's checker).
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    # The old focus ring, #ffbf47 on white: 1.64:1, as the accessibility review measured.
    assert contrast_ratio("#ffbf47", "#ffffff") == pytest.approx(1.64, abs=0.01)


def test_luminance_of_pure_colours():
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert relative_luminance("#00FF00") == pytest.approx(0.7152)


@pytest.mark.parametrize("bad", ["0b5cad", "#0b5", "#0b5cag", "", "#0b5cad0"])
def test_only_six_digit_hex_colours_are_read(bad):
    with pytest.raises(ValueError, match="#rrggbb"):
        relative_luminance(bad)
