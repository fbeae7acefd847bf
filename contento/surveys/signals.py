"""What the surveys announce to the apps above them (distribution), which they do not know.

Both are sent inside the transaction that made the change; a receiver that queues work does
it on commit.
"""

from django.dispatch import Signal

# A response was completed: keyword argument `response`.
response_completed = Signal()
# Comments were read (language, sentiment, anger): keyword argument `response_ids`, the
# responses with an angry comment among them.
angry_comments = Signal()
