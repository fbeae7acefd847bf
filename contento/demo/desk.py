"""Demo data of the desk: products and what customers bought, teams of agents, an SLA, canned
replies in six languages, and tickets answered the way a real desk answers them (mostly
within the SLA, a few late, the newest still waiting)."""

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from contento.accounts.actions import do_add_member
from contento.accounts.models import User
from contento.accounts.roles import Role
from contento.customers.models import Product, Purchase, Subscription
from contento.demo import corpus
from contento.support.actions.configuration import do_save_canned_reply
from contento.support.actions.messages import do_reply_to_ticket
from contento.support.actions.ratings import do_rate_ticket
from contento.support.actions.tickets import do_assign_ticket, do_create_ticket
from contento.support.models import SlaPolicy, Team, Ticket, TicketRating

REPLIES = {
    "en": "Thank you for writing. We checked your line and fixed the fault; please tell us if "
    "anything is still wrong.",
    "es": "Gracias por escribirnos. Revisamos su línea y corregimos la avería; díganos si algo "
    "sigue fallando.",
    "fr": "Merci de nous avoir écrit. Nous avons vérifié votre ligne et réparé la panne ; "
    "dites-nous si quelque chose ne va toujours pas.",
    "ru": "Спасибо за обращение. Мы проверили вашу линию и устранили неисправность; сообщите, "
    "если что-то всё ещё не работает.",
    "vi": "Cảm ơn bạn đã liên hệ. Chúng tôi đã kiểm tra đường truyền và khắc phục sự cố; hãy "
    "cho chúng tôi biết nếu vẫn còn vấn đề.",
    "id": "Terima kasih telah menghubungi kami. Kami sudah memeriksa jaringan Anda dan "
    "memperbaiki gangguannya; kabari kami jika masih ada masalah.",
}


# The demo's agents (they cannot sign in: their passwords are unusable). The owner manages the
# teams; the agents answer the tickets.
AGENTS = {
    "Support": [("Priya Natarajan", "priya"), ("Diego Ramos", "diego")],
    "Billing": [("Linh Trần", "linh")],
}
AGENT_DOMAIN = "agents.nimbus.example"  # a reserved name (RFC 2606): never a real mailbox

CANNED = {
    "We are on it": {
        "en": "Hello {customer_name}, thank you for telling us. {agent_name} is looking into it "
        "and will write again today.",
        "es": "Hola, {customer_name}: gracias por avisarnos. {agent_name} lo está revisando y le "
        "escribirá de nuevo hoy.",
        "fr": "Bonjour {customer_name}, merci de nous avoir prévenus. {agent_name} s’en occupe "
        "et vous écrira de nouveau aujourd’hui.",
        "ru": "Здравствуйте, {customer_name}! Спасибо, что сообщили. {agent_name} уже "
        "разбирается и напишет вам сегодня.",
        "vi": "Chào {customer_name}, cảm ơn bạn đã báo cho chúng tôi. {agent_name} đang kiểm "
        "tra và sẽ phản hồi lại trong hôm nay.",
        "id": "Halo {customer_name}, terima kasih sudah memberi tahu kami. {agent_name} sedang "
        "memeriksanya dan akan menghubungi Anda lagi hari ini.",
    },
    "Fault fixed": REPLIES,
    "Refund on the next bill": {
        "en": "Hello {customer_name}, we are sorry for the wrong charge. It will be refunded "
        "on your next bill.",
        "es": "Hola, {customer_name}: sentimos el cargo erróneo. Se le devolverá en su próxima "
        "factura.",
        "fr": "Bonjour {customer_name}, nous sommes désolés pour ce prélèvement erroné. Il vous "
        "sera remboursé sur votre prochaine facture.",
        "ru": "Здравствуйте, {customer_name}! Приносим извинения за ошибочное списание. Деньги "
        "вернутся в следующем счёте.",
        "vi": "Chào {customer_name}, chúng tôi xin lỗi vì khoản phí bị tính sai. Khoản này sẽ "
        "được hoàn lại trong hóa đơn tới.",
        "id": "Halo {customer_name}, mohon maaf atas tagihan yang keliru. Dananya akan "
        "dikembalikan pada tagihan berikutnya.",
    },
}


def subject_of(body: str, limit: int = 70) -> str:
    """A subject as a customer writes one: the first sentence, cut at a word with an ellipsis
    only when it is longer than `limit`."""
    sentence = re.split(r"(?<=[.!?…])\s", body.strip(), maxsplit=1)[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _agents(org, names) -> list:
    """The demo's agents of one team, as members of the workspace."""
    members = []
    for name, key in names:
        email = f"{key}@{AGENT_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, name=name)
        members.append(do_add_member(organization=org, user=user, role=Role.AGENT))
    return members


# How a customer's mood in the relationship survey shows in what they do next, so that the
# loyalty page has something to find: the chance they cancel their subscription, the chance
# they buy again in the three months after answering, and how many units they then buy.
CANCEL = {"positive": 0.04, "neutral": 0.2, "negative": 0.6, None: 0.15}
REPURCHASE = {"positive": 0.55, "neutral": 0.3, "negative": 0.12, None: 0.2}
UNITS = {"positive": 3, "neutral": 2, "negative": 1, None: 1}


def load(org, owner_membership, people, rng, tickets=80, moods=None) -> int:
    """Fill the desk side of a demo workspace; return the number of tickets.

    `moods` maps a customer's id to (sentiment, time) of their relationship-survey answer;
    their subscription and purchases follow it.
    """
    now = timezone.now()
    moods = moods or {}
    products = [
        Product.objects.create(
            organization=org,
            name=str(p["name"]["en"]),
            kind=str(p["kind"]),
            sku=str(p["key"]),
            price=Decimal(rng.choice([29, 39, 49, 99, 149])),
        )
        for p in corpus.PRODUCTS
    ]
    services = [p for p in products if p.kind == Product.Kind.SERVICE] or products
    goods = [p for p in products if p.kind == Product.Kind.PRODUCT] or products
    for index, customer in enumerate(people):
        mood, answered = moods.get(customer.pk, (None, None))
        started = (now - dt.timedelta(days=rng.randint(30, 720))).date()
        if answered is not None:  # a subscriber already when they answered
            started = min(started, (answered - dt.timedelta(days=30)).date())
        cancelled = rng.random() < CANCEL[mood]
        ended = now - dt.timedelta(days=rng.randint(1, 25))
        if answered is not None and ended < answered:
            ended = answered + (now - answered) / 2  # they left after saying how they felt
        Subscription.objects.create(
            organization=org,
            customer=customer,
            product=rng.choice(services),
            started_on=started,
            status=Subscription.Status.CANCELLED if cancelled else Subscription.Status.ACTIVE,
            ends_on=ended.date() if cancelled else None,
            renews_on=None if cancelled else (now + dt.timedelta(days=rng.randint(1, 30))).date(),
            monthly_amount=Decimal(rng.choice([29, 39, 49])),
            renewals=((ended.date() if cancelled else now.date()) - started).days // 30,
            external_id=f"SUB-{20000 + index}",
        )
        if rng.random() < 0.4:
            product = rng.choice(goods)
            Purchase.objects.create(
                organization=org,
                customer=customer,
                product=product,
                purchased_at=now - dt.timedelta(days=rng.randint(1, 360)),
                amount=product.price or Decimal(0),
                channel=rng.choice(Purchase.Channel.values),
                external_id=f"ORD-{30000 + index}",
            )
        if answered is not None and rng.random() < REPURCHASE[mood]:
            at = answered + dt.timedelta(days=rng.uniform(1, 90))
            product = rng.choice(goods)
            units = rng.randint(1, UNITS[mood])
            if at < now:
                Purchase.objects.create(
                    organization=org,
                    customer=customer,
                    product=product,
                    purchased_at=at,
                    amount=(product.price or Decimal(0)) * units,
                    channel=rng.choice(Purchase.Channel.values),
                    external_id=f"ORD-{40000 + index}",
                )
    team = Team.objects.create(
        organization=org,
        name="Support",
        email_address=settings.SUPPORT_EMAIL,
        manager=owner_membership,
    )
    team.members.set(_agents(org, AGENTS["Support"]))
    # A second team whose customers are less happy, so the overview's team slice compares two.
    billing = Team.objects.create(organization=org, name="Billing", manager=owner_membership)
    billing.members.set(_agents(org, AGENTS["Billing"]))
    for title, texts in CANNED.items():
        do_save_canned_reply(org, title=title, texts=texts)
    ratings = {team: [8, 7, 15, 35, 35], billing: [18, 14, 20, 28, 20]}
    SlaPolicy.objects.create(
        organization=org,
        name="Standard",
        first_response_minutes=4 * 60,
        update_minutes=8 * 60,
        resolution_minutes=5 * 8 * 60,
    )
    channels = ["email", "email", "web", "chat", "phone"]
    for _ in range(tickets):
        customer = rng.choice(people)
        lang = customer.language
        sentiment = rng.choice(["negative", "negative", "neutral"])
        body = rng.choice(corpus.COMMENTS[lang][sentiment])
        answered = rng.random() < 0.75
        # The tickets nobody has answered yet are the newest: a desk answers in hours.
        hours_ago = rng.randint(2, 24 * 60) if answered else rng.uniform(0.2, 3)
        opened = now - dt.timedelta(hours=hours_ago)
        ticket = do_create_ticket(
            org,
            customer=customer,
            subject=subject_of(body),
            body=body,
            channel=rng.choice(channels),
            team=rng.choice([team, team, billing]),
            at=opened,
        )
        if answered:
            # Most answers come within the SLA's four hours, one in ten a day late.
            late = rng.random() < 0.1
            replied = opened + dt.timedelta(
                hours=rng.uniform(5, 30) if late else rng.uniform(0.2, 3)
            )
            if replied >= now:
                continue
            solve = rng.random() < 0.8
            agent = rng.choice(list(ticket.team.members.all()))
            do_assign_ticket(ticket, agent, None, at=opened)
            do_reply_to_ticket(
                ticket,
                agent,
                body=REPLIES[lang],
                status=Ticket.Status.SOLVED if solve else None,
                at=replied,
            )
            rating = TicketRating.objects.filter(ticket=ticket).first()
            if solve and rating is not None and rng.random() < 0.6:
                rating.status = TicketRating.Status.SENT
                rating.sent_at = replied
                rating.save(update_fields=["status", "sent_at"])
                score = rng.choices([1, 2, 3, 4, 5], ratings[ticket.team])[0]
                do_rate_ticket(rating, score, at=replied + dt.timedelta(hours=2))
    return tickets
