"""Word segmentation and stop words for keyword and theme labels.

Vietnamese writes a space between syllables, not words ("dịch vụ" is one word), so it is
segmented with pyvi's CRF word segmenter (``ViTokenizer``, trained on VLSP data, MIT); the
other languages split on letters. Stop words come from ``stopwordsiso`` (MIT), which has
lists for 50+ ISO 639-1 languages.
"""

import functools
import re
import threading
from typing import Any

from contento.text.cleaning import clean, strip_placeholders

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)
_VI_WORD = re.compile(r"[^\W\d]+", re.UNICODE)  # pyvi joins syllables with "_"
_vi_lock = threading.Lock()
_vi_tokenizer: Any = None
# Words of chat and anonymised exports that no list holds but that label nothing.
_EXTRA_STOP = frozenset({"http", "https", "www", "com", "user", "username", "url", "rt", "amp"})


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """Return the stop words of ``language`` (ISO 639-1), lower case; empty if none known."""
    import stopwordsiso  # imported here for start-up cost: its lists load on import

    words = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else set()
    if language == "vi":
        words = {w.replace(" ", "_") for w in words}
    return frozenset(w.lower() for w in words) | _EXTRA_STOP


def _segment_vietnamese(text: str) -> str:
    global _vi_tokenizer
    if _vi_tokenizer is None:
        with _vi_lock:
            if _vi_tokenizer is None:
                # Imported here for start-up cost: pyvi loads its model on import.
                from pyvi import ViTokenizer

                _vi_tokenizer = ViTokenizer
    return str(_vi_tokenizer.tokenize(text))


def tokenize(text: object, language: str | None = None, keep_stop_words: bool = False) -> list[str]:
    """Return the lower-case words of ``text``; Vietnamese words joined by ``_``.

    Stop words of ``language`` and one-letter words are dropped unless ``keep_stop_words``.
    """
    cleaned = strip_placeholders(clean(text)).lower()
    if not cleaned:
        return []
    if language == "vi":
        words = _VI_WORD.findall(_segment_vietnamese(cleaned))
        words = [w.strip("_") for w in words if w.strip("_")]
    else:
        words = _WORD.findall(cleaned)
    if keep_stop_words:
        return words
    stop = stop_words(language) if language else _EXTRA_STOP
    return [w for w in words if len(w) > 1 and w not in stop]


def display(term: str) -> str:
    """Return a token as a person would write it ("dịch_vụ" becomes "dịch vụ")."""
    return term.replace("_", " ")


# Words of dates, times and numbers: frequent in comments ("charged twice this month") but
# they label no theme. stopwordsiso has few of them. Lower case; Vietnamese joined by "_".
_DATE_NUMBER_WORDS: dict[str, str] = {
    "en": "day days daily week weeks weekly weekend month months monthly year years yearly "
    "today yesterday tomorrow tonight morning afternoon evening night hour hours minute "
    "minutes second seconds time times date monday tuesday wednesday thursday friday "
    "saturday sunday january february march april may june july august september october "
    "november december jan feb mar apr jun jul aug sep sept oct nov dec one two three four "
    "five six seven eight nine ten eleven twelve twenty thirty hundred thousand first "
    "second third once twice ago",
    "es": "día días diario semana semanas semanal mes meses mensual año años anual hoy ayer "
    "mañana noche tarde hora horas minuto minutos segundo segundos vez veces fecha lunes "
    "martes miércoles jueves viernes sábado domingo enero febrero marzo abril mayo junio "
    "julio agosto septiembre setiembre octubre noviembre diciembre uno una dos tres cuatro "
    "cinco seis siete ocho nueve diez once doce veinte treinta cien mil primero primera "
    "segunda tercero",
    "fr": "jour jours journée quotidien semaine semaines hebdomadaire mois mensuel an ans "
    "année années annuel aujourd'hui hier demain matin soir soirée nuit heure heures "
    "minute minutes seconde secondes fois date lundi mardi mercredi jeudi vendredi samedi "
    "dimanche janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre un une deux trois quatre cinq six sept huit neuf dix onze douze vingt trente "
    "cent mille premier première deuxième",
    "de": "tag tage tagen täglich woche wochen wöchentlich monat monate monaten monatlich "
    "jahr jahre jahren jährlich heute gestern morgen abend nacht stunde stunden minute "
    "minuten sekunde sekunden mal datum montag dienstag mittwoch donnerstag freitag samstag "
    "sonntag januar februar märz april mai juni juli august september oktober november "
    "dezember eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig "
    "dreißig hundert tausend erste ersten zweite zweimal",
    "pt": "dia dias diário semana semanas semanal mês meses mensal ano anos anual hoje ontem "
    "amanhã manhã tarde noite hora horas minuto minutos segundo segundos vez vezes data "
    "segunda terça quarta quinta sexta sábado domingo feira janeiro fevereiro março abril "
    "maio junho julho agosto setembro outubro novembro dezembro um uma dois duas três "
    "quatro cinco seis sete oito nove dez onze doze vinte trinta cem mil primeiro primeira",
    "it": "giorno giorni settimana settimane mese mesi anno anni oggi ieri domani mattina "
    "sera notte ora ore minuto minuti volta volte data lunedì martedì mercoledì giovedì "
    "venerdì sabato domenica gennaio febbraio marzo aprile maggio giugno luglio agosto "
    "settembre ottobre novembre dicembre uno una due tre quattro cinque sei sette otto "
    "nove dieci venti cento mille primo prima",
    "nl": "dag dagen week weken maand maanden jaar jaren vandaag gisteren morgen avond nacht "
    "uur uren minuut minuten keer datum maandag dinsdag woensdag donderdag vrijdag zaterdag "
    "zondag januari februari maart april mei juni juli augustus september oktober november "
    "december een twee drie vier vijf zes zeven acht negen tien twintig honderd duizend",
    "vi": "ngày hôm_nay hôm_qua ngày_mai tuần tháng năm sáng chiều tối đêm giờ phút giây "
    "lần hôm thứ thứ_hai thứ_ba thứ_tư thứ_năm thứ_sáu thứ_bảy chủ_nhật một hai ba bốn "
    "sáu bảy tám chín mười trăm nghìn ngàn triệu hàng_tháng hàng_ngày hàng_tuần hàng_năm "
    "mấy vài",
    "ru": "день дня дней дни неделя недели неделю недель месяц месяца месяцев год года "
    "лет году сегодня вчера завтра утро утром вечер вечером ночь ночью час часа часов "
    "минута минуты минут секунда раз дата понедельник вторник среда среду четверг пятница "
    "пятницу суббота субботу воскресенье январь января февраль февраля март марта апрель "
    "апреля май мая июнь июня июль июля август августа сентябрь сентября октябрь октября "
    "ноябрь ноября декабрь декабря один одна два две три четыре пять шесть семь восемь "
    "девять десять двадцать тридцать сто тысяча первый второй",
    "id": "hari minggu bulan tahun hari_ini kemarin besok pagi siang sore malam jam menit "
    "detik kali tanggal senin selasa rabu kamis jumat sabtu januari februari maret april "
    "mei juni juli agustus september oktober november desember satu dua tiga empat lima "
    "enam tujuh delapan sembilan sepuluh puluh ratus ribu pertama kedua",
}


@functools.cache
def date_number_words(language: str | None = None) -> frozenset[str]:
    """Return words of dates, times and numbers in ``language`` (all languages when None).

    They are never used as theme labels: "month" or "martes" say when, not what.
    """
    if language is None or language not in _DATE_NUMBER_WORDS:
        return frozenset(w for words in _DATE_NUMBER_WORDS.values() for w in words.split())
    return frozenset(_DATE_NUMBER_WORDS[language].split()) | frozenset(
        _DATE_NUMBER_WORDS["en"].split()
    )
