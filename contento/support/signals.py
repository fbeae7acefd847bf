"""What the desk announces to the apps above it (distribution), which it does not know."""

from django.dispatch import Signal

# A delivery report came back to the desk's mail listener: keyword arguments organization
# (the workspace whose address received it), message_id (the failed message's Message-ID,
# or None), recipients (the failed addresses, lower case), permanent (bool) and at.
mail_bounced = Signal()
