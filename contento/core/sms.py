"""Text messages (SMS, or WhatsApp through the same provider) through a pluggable backend,
the way Django sends mail.

`settings.SMS_BACKEND` names the backend class:

- `contento.core.sms.ConsoleBackend` (the default) writes each message to standard output, so
  a workspace without a provider sees what would have been sent;
- `contento.core.sms.LocmemBackend` keeps them in `contento.core.sms.outbox` (the tests);
- `contento.core.sms.TwilioBackend` sends them through Twilio's REST API with the `twilio`
  library, from `SMS_FROM` (a number in E.164, or a messaging service's `MG…` id), with
  `TWILIO_ACCOUNT_SID` and `TWILIO_AUTH_TOKEN`; with `SMS_WHATSAPP` the same number sends
  WhatsApp messages.

A backend raises `SMSRefused` when the provider refuses a message; `permanent` says whether
trying again can help, `opted_out` that the recipient asked the provider to stop (they
answered STOP), which the caller records as a withdrawn consent.
"""

import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

# The GSM 03.38 alphabet: a message in it takes 160 characters a part, any other 70.
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€")  # each takes two characters


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str
    sender: str = ""


class SMSRefused(Exception):
    def __init__(self, message: str, *, permanent: bool = True, opted_out: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.opted_out = opted_out


def parts(body: str) -> int:
    """How many SMS parts `body` is sent as (a long message is split and joined again on the
    phone; each part is paid for): 160 characters in the GSM alphabet, 153 a part when split;
    70 and 67 with any other character (Vietnamese, Russian)."""
    if all(c in _GSM or c in _GSM_EXTENDED for c in body):
        length = sum(2 if c in _GSM_EXTENDED else 1 for c in body)
        single, split = 160, 153
    else:
        # UCS-2 counts UTF-16 code units: an emoji takes two.
        length = len(body.encode("utf-16-le")) // 2
        single, split = 70, 67
    if length <= single:
        return 1
    return -(-length // split)


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_text(to: str, body: str) -> str:
    """Send one message to `to` (E.164); return the provider's id for it."""
    return get_backend().send(TextMessage(to=to, body=body, sender=settings.SMS_FROM))


class ConsoleBackend:
    def send(self, message: TextMessage) -> str:
        sys.stdout.write(f"SMS to {message.to} from {message.sender or '-'}\n{message.body}\n\n")
        sys.stdout.flush()
        return ""


outbox: list[TextMessage] = []
_outbox_lock = threading.Lock()


class LocmemBackend:
    def send(self, message: TextMessage) -> str:
        with _outbox_lock:
            outbox.append(message)
            return f"locmem-{len(outbox)}"


# Twilio's error codes that mean the number will never take the message.
_TWILIO_OPTED_OUT = {21610}  # the recipient answered STOP


class TwilioBackend:
    def __init__(self, http_client=None):
        from twilio.rest import Client

        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.SMS_FROM):
            raise SMSRefused(
                "Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_FROM in the "
                "environment."
            )
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client
        )

    def send(self, message: TextMessage) -> str:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        to, sender = message.to, message.sender or settings.SMS_FROM
        options = {"to": to, "body": message.body}
        if settings.SMS_WHATSAPP:
            options["to"] = f"whatsapp:{to}"
            options["from_"] = f"whatsapp:{sender}"
        elif sender.startswith("MG"):
            options["messaging_service_sid"] = sender
        else:
            options["from_"] = sender
        try:
            sent = self.client.messages.create(**options)
        except TwilioRestException as error:
            raise SMSRefused(
                f"Twilio refused the message ({error.code}): {error.msg}",
                # A client error (a bad number, a blocked one) stays one; 429 and 5xx pass.
                permanent=400 <= error.status < 500 and error.status != 429,
                opted_out=error.code in _TWILIO_OPTED_OUT,
            ) from error
        except (TwilioException, requests.RequestException) as error:
            raise SMSRefused(f"Twilio could not be reached: {error}", permanent=False) from error
        return sent.sid or ""
