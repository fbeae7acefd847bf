"""Survey definitions of the demo workspace, written in all six languages."""

from contento.demo.corpus import PRODUCTS

LANGS = ["en", "es", "fr", "ru", "vi", "id"]


def _t(en, es, fr, ru, vi, id_):
    return {"en": en, "es": es, "fr": fr, "ru": ru, "vi": vi, "id": id_}


RELATIONSHIP = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": LANGS,
    "title": _t(
        "How are we doing?",
        "¿Cómo lo estamos haciendo?",
        "Comment trouvez-vous notre service ?",
        "Как мы работаем?",
        "Chúng tôi phục vụ bạn thế nào?",
        "Bagaimana layanan kami?",
    ),
    "description": _t(
        "Two minutes about your experience with Nimbus Connect. Your answers help us improve.",
        "Dos minutos sobre su experiencia con Nimbus Connect. Sus respuestas nos ayudan a mejorar.",
        "Deux minutes sur votre expérience avec Nimbus Connect. Vos réponses nous aident à progresser.",
        "Две минуты о вашем опыте с Nimbus Connect. Ваши ответы помогают нам стать лучше.",
        "Hai phút về trải nghiệm của bạn với Nimbus Connect. Câu trả lời của bạn giúp chúng tôi cải thiện.",
        "Dua menit tentang pengalaman Anda dengan Nimbus Connect. Jawaban Anda membantu kami menjadi lebih baik.",
    ),
    "thank_you": _t(
        "Thank you! We read every answer.",
        "¡Gracias! Leemos todas las respuestas.",
        "Merci ! Nous lisons chaque réponse.",
        "Спасибо! Мы читаем каждый ответ.",
        "Cảm ơn bạn! Chúng tôi đọc từng câu trả lời.",
        "Terima kasih! Kami membaca setiap jawaban.",
    ),
    "questions": [
        {
            "key": "nps",
            "type": "nps",
            "required": True,
            "page": 1,
            "text": _t(
                "How likely are you to recommend Nimbus Connect to a friend or colleague?",
                "¿Qué probabilidad hay de que recomiende Nimbus Connect a un amigo o colega?",
                "Quelle est la probabilité que vous recommandiez Nimbus Connect à un ami ou un collègue ?",
                "Насколько вероятно, что вы порекомендуете Nimbus Connect другу или коллеге?",
                "Bạn có sẵn lòng giới thiệu Nimbus Connect cho bạn bè hoặc đồng nghiệp không?",
                "Seberapa besar kemungkinan Anda merekomendasikan Nimbus Connect kepada teman atau rekan?",
            ),
        },
        {
            "key": "reason",
            "type": "text",
            "page": 1,
            "text": _t(
                "What is the main reason for your score?",
                "¿Cuál es el motivo principal de su puntuación?",
                "Quelle est la raison principale de votre note ?",
                "Какова главная причина вашей оценки?",
                "Lý do chính cho điểm số của bạn là gì?",
                "Apa alasan utama nilai Anda?",
            ),
        },
        {
            "key": "service",
            "type": "single",
            "page": 2,
            "text": _t(
                "Which service do you use most?",
                "¿Qué servicio usa más?",
                "Quel service utilisez-vous le plus ?",
                "Какой услугой вы пользуетесь чаще всего?",
                "Bạn dùng dịch vụ nào nhiều nhất?",
                "Layanan mana yang paling sering Anda gunakan?",
            ),
            "choices": [
                {"key": p["key"], "label": p["name"]} for p in PRODUCTS if p["kind"] == "service"
            ],
        },
        {
            "key": "drivers",
            "type": "matrix",
            "page": 2,
            "min": 1,
            "max": 5,
            "text": _t(
                "How satisfied are you with…",
                "¿Qué tan satisfecho está con…",
                "Quelle est votre satisfaction concernant…",
                "Насколько вы довольны…",
                "Bạn hài lòng thế nào với…",
                "Seberapa puas Anda dengan…",
            ),
            "min_label": _t(
                "Very unsatisfied",
                "Muy insatisfecho",
                "Très insatisfait",
                "Совсем не доволен",
                "Rất không hài lòng",
                "Sangat tidak puas",
            ),
            "max_label": _t(
                "Very satisfied",
                "Muy satisfecho",
                "Très satisfait",
                "Очень доволен",
                "Rất hài lòng",
                "Sangat puas",
            ),
            "items": [
                {
                    "key": "speed",
                    "label": _t(
                        "Connection speed",
                        "Velocidad de conexión",
                        "Débit de la connexion",
                        "Скорость соединения",
                        "Tốc độ kết nối",
                        "Kecepatan koneksi",
                    ),
                },
                {
                    "key": "reliability",
                    "label": _t(
                        "Reliability",
                        "Fiabilidad",
                        "Fiabilité",
                        "Надёжность",
                        "Độ ổn định",
                        "Keandalan",
                    ),
                },
                {"key": "price", "label": _t("Price", "Precio", "Prix", "Цена", "Giá cả", "Harga")},
                {
                    "key": "support",
                    "label": _t(
                        "Customer support",
                        "Atención al cliente",
                        "Service client",
                        "Служба поддержки",
                        "Chăm sóc khách hàng",
                        "Layanan pelanggan",
                    ),
                },
                {
                    "key": "billing",
                    "label": _t(
                        "Clear billing",
                        "Facturación clara",
                        "Clarté de la facturation",
                        "Понятные счета",
                        "Hóa đơn rõ ràng",
                        "Tagihan yang jelas",
                    ),
                },
            ],
        },
        {
            "key": "speed-gap",
            "type": "expectation",
            "page": 2,
            "min": 1,
            "max": 7,
            "text": _t(
                "Internet speed: what did you expect, and what do you get?",
                "Velocidad de internet: ¿qué esperaba y qué recibe?",
                "Débit internet : qu'attendiez-vous, et qu'obtenez-vous ?",
                "Скорость интернета: чего вы ожидали и что получаете?",
                "Tốc độ internet: bạn đã kỳ vọng gì và thực tế nhận được gì?",
                "Kecepatan internet: apa yang Anda harapkan, dan apa yang Anda dapatkan?",
            ),
            "min_label": _t(
                "Very poor", "Muy mala", "Très mauvais", "Очень плохо", "Rất kém", "Sangat buruk"
            ),
            "max_label": _t(
                "Excellent", "Excelente", "Excellent", "Отлично", "Xuất sắc", "Sangat baik"
            ),
        },
        {
            "key": "contact",
            "type": "multiple",
            "page": 3,
            "text": _t(
                "How have you contacted us this year?",
                "¿Cómo nos ha contactado este año?",
                "Comment nous avez-vous contactés cette année ?",
                "Как вы связывались с нами в этом году?",
                "Năm nay bạn đã liên hệ với chúng tôi bằng cách nào?",
                "Bagaimana Anda menghubungi kami tahun ini?",
            ),
            "choices": [
                {
                    "key": "phone",
                    "label": _t(
                        "Phone", "Teléfono", "Téléphone", "Телефон", "Điện thoại", "Telepon"
                    ),
                },
                {
                    "key": "email",
                    "label": _t(
                        "Email", "Correo electrónico", "E-mail", "Эл. почта", "Email", "Email"
                    ),
                },
                {
                    "key": "chat",
                    "label": _t("Chat", "Chat", "Chat", "Чат", "Trò chuyện trực tuyến", "Obrolan"),
                },
                {
                    "key": "store",
                    "label": _t(
                        "In a store",
                        "En una tienda",
                        "En boutique",
                        "В офисе продаж",
                        "Tại cửa hàng",
                        "Di gerai",
                    ),
                },
            ],
        },
        {
            "key": "ces",
            "type": "ces",
            "page": 3,
            "text": _t(
                "Nimbus Connect made it easy to handle my requests.",
                "Nimbus Connect me facilitó gestionar mis solicitudes.",
                "Nimbus Connect m'a facilité le traitement de mes demandes.",
                "С Nimbus Connect было легко решать мои вопросы.",
                "Nimbus Connect giúp tôi xử lý yêu cầu dễ dàng.",
                "Nimbus Connect memudahkan saya mengurus permintaan saya.",
            ),
        },
        {
            "key": "router-swap",
            "type": "kano",
            "page": 3,
            "text": _t(
                "Free router replacement every three years",
                "Cambio gratuito del router cada tres años",
                "Remplacement gratuit de la box tous les trois ans",
                "Бесплатная замена роутера раз в три года",
                "Đổi bộ định tuyến miễn phí mỗi ba năm",
                "Penggantian router gratis setiap tiga tahun",
            ),
        },
        {
            "key": "night-boost",
            "type": "kano",
            "page": 3,
            "text": _t(
                "Double speed at night at no extra cost",
                "Doble velocidad por la noche sin coste adicional",
                "Débit doublé la nuit sans surcoût",
                "Двойная скорость ночью без доплаты",
                "Tốc độ gấp đôi vào ban đêm không tính thêm phí",
                "Kecepatan dua kali lipat di malam hari tanpa biaya tambahan",
            ),
        },
        {
            "key": "technician",
            "type": "kano",
            "page": 3,
            "text": _t(
                "The same named technician for every visit",
                "El mismo técnico asignado en cada visita",
                "Le même technicien attitré à chaque intervention",
                "Один и тот же закреплённый мастер при каждом визите",
                "Cùng một kỹ thuật viên phụ trách cho mọi lần đến",
                "Teknisi tetap yang sama di setiap kunjungan",
            ),
        },
        {
            "key": "improve",
            "type": "text",
            "page": 3,
            "show_if": {"question": "nps", "op": "lte", "value": 6},
            "text": _t(
                "What should we fix first?",
                "¿Qué deberíamos arreglar primero?",
                "Que devrions-nous corriger en premier ?",
                "Что нам стоит исправить в первую очередь?",
                "Chúng tôi nên khắc phục điều gì trước tiên?",
                "Apa yang harus kami perbaiki terlebih dahulu?",
            ),
        },
    ],
}

SUPPORT = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": LANGS,
    "title": _t(
        "Your recent support request",
        "Su solicitud de soporte reciente",
        "Votre récente demande d'assistance",
        "Ваше недавнее обращение в поддержку",
        "Yêu cầu hỗ trợ gần đây của bạn",
        "Permintaan dukungan Anda baru-baru ini",
    ),
    "questions": [
        {
            "key": "treated",
            "type": "csat",
            "required": True,
            "text": _t(
                "How were you treated?",
                "¿Cómo le atendimos?",
                "Comment avez-vous été traité ?",
                "Как к вам отнеслись?",
                "Bạn được đối xử thế nào?",
                "Bagaimana Anda dilayani?",
            ),
        },
        {
            "key": "comment",
            "type": "text",
            "text": _t(
                "Anything you want to tell us?",
                "¿Algo que quiera contarnos?",
                "Voulez-vous nous dire quelque chose ?",
                "Хотите что-нибудь нам сказать?",
                "Bạn có muốn nhắn gì cho chúng tôi không?",
                "Ada yang ingin Anda sampaikan?",
            ),
        },
    ],
}

INSTALLATION = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": LANGS,
    "title": _t(
        "Your installation",
        "Su instalación",
        "Votre installation",
        "Ваше подключение",
        "Việc lắp đặt của bạn",
        "Pemasangan Anda",
    ),
    "questions": [
        {
            "key": "csat",
            "type": "csat",
            "required": True,
            "text": _t(
                "How satisfied are you with the installation?",
                "¿Qué tan satisfecho está con la instalación?",
                "Êtes-vous satisfait de l'installation ?",
                "Насколько вы довольны подключением?",
                "Bạn hài lòng thế nào với việc lắp đặt?",
                "Seberapa puas Anda dengan pemasangannya?",
            ),
        },
        {
            "key": "effort",
            "type": "ces",
            "text": _t(
                "Getting connected was easy.",
                "Conectarme fue fácil.",
                "Me connecter a été facile.",
                "Подключиться было легко.",
                "Việc kết nối rất dễ dàng.",
                "Proses penyambungan mudah.",
            ),
        },
        {
            "key": "comment",
            "type": "text",
            "text": _t(
                "How could the installation have been better?",
                "¿Cómo podría haber sido mejor la instalación?",
                "Comment l'installation aurait-elle pu être meilleure ?",
                "Что можно было сделать лучше при подключении?",
                "Việc lắp đặt có thể tốt hơn như thế nào?",
                "Bagaimana pemasangan bisa lebih baik?",
            ),
        },
    ],
}
