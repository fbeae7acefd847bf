"""Demo data of the desk: products and what customers bought, a team, an SLA, tickets."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from contento.customers.models import Product, Purchase, Subscription
from contento.demo import corpus
from contento.support import actions
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


def load(org, owner_membership, people, rng, tickets=80) -> int:
    """Fill the desk side of a demo workspace; return the number of tickets."""
    now = timezone.now()
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
        started = (now - dt.timedelta(days=rng.randint(30, 720))).date()
        cancelled = rng.random() < 0.15
        Subscription.objects.create(
            organization=org,
            customer=customer,
            product=rng.choice(services),
            started_on=started,
            status=Subscription.Status.CANCELLED if cancelled else Subscription.Status.ACTIVE,
            ends_on=(now - dt.timedelta(days=rng.randint(1, 25))).date() if cancelled else None,
            renews_on=None if cancelled else (now + dt.timedelta(days=rng.randint(1, 30))).date(),
            monthly_amount=Decimal(rng.choice([29, 39, 49])),
            renewals=(now.date() - started).days // 30,
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
    team = Team.objects.create(
        organization=org,
        name="Support",
        email_address=settings.SUPPORT_EMAIL,
        manager=owner_membership,
    )
    team.members.set([owner_membership])
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
        ticket = actions.do_create_ticket(
            org,
            customer=customer,
            subject=" ".join(body.split()[:7]).rstrip(".,!"),
            body=body,
            channel=rng.choice(channels),
            team=team,
            at=opened,
        )
        if rng.random() < 0.75:
            replied = opened + dt.timedelta(hours=rng.uniform(0.3, 30))
            if replied >= now:
                continue
            solve = rng.random() < 0.8
            actions.do_reply_to_ticket(
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
                score = rng.choices([1, 2, 3, 4, 5], [8, 7, 15, 35, 35])[0]
                actions.do_rate_ticket(rating, score, at=replied + dt.timedelta(hours=2))
    return tickets
