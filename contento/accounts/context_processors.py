from contento.accounts.roles import PERMISSIONS


def workspace(request):
    """Give templates the current membership and the permissions it holds."""
    membership = getattr(request, "membership", None)
    if not membership:
        return {"membership": None, "perms_held": set()}
    return {
        "membership": membership,
        "perms_held": {name for name in PERMISSIONS if membership.can(name)},
    }
