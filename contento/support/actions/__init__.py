"""State changes of the support desk, one module per noun.

- `tickets`: open a ticket; change its status, priority, assignee, team, tags; revoke links;
- `messages`: the customer's messages, agents' answers and notes, calls and visits;
- `ratings`: "How were you treated?" and the follow-up a bad answer opens;
- `mail`: inbound mail held for an agent (open a ticket from it, set it aside);
- `configuration`: teams, SLA policies, canned replies, the desk's settings;
- `steps`: what those are made of (history, status, assignment, messages), for them only.

Views, API endpoints, channels, tasks and tests change the desk only through the `do_*`
functions, so every path gets the same checks, SLA clock, assignment and history.
"""
