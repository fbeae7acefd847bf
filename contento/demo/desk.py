"""Demo data of the desk: products and what customers bought, a team, an SLA, tickets."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from contento.customers.models import Product, Purchase, Subscription
from contento.demo import corpus
from contento.support.actions.messages import do_reply_to_ticket
from contento.support.actions.ratings import do_rate_ticket
from contento.support.actions.tickets import do_create_ticket
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
    team.members.set([owner_membership])
    # A second team whose customers are less happy, so the overview's team slice compares two.
    billing = Team.objects.create(organization=org, name="Billing", manager=owner_membership)
    billing.members.set([owner_membership])
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
        opened = now - dt.timedelta(hours=rng.randint(2, 24 * 60))
        ticket = do_create_ticket(
            org,
            customer=customer,
            subject=" ".join(body.split()[:7]).rstrip(".,!"),
            body=body,
            channel=rng.choice(channels),
            team=rng.choice([team, team, billing]),
            at=opened,
        )
        if rng.random() < 0.75:
            replied = opened + dt.timedelta(hours=rng.uniform(0.3, 30))
            if replied >= now:
                continue
            solve = rng.random() < 0.8
            do_reply_to_ticket(
                ticket,
                owner_membership,
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
