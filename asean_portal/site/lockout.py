"""Staff sign-in throttling (django-axes) by the reader's real address.

Two limits, both per address so that no one can lock a named staff member out
for everyone: AXES_FAILURE_LIMIT wrong passwords for one user name from one
address lock that pair out, and AXES_ADDRESS_FAILURE_LIMIT wrong passwords
from one address over any user names (one password tried against many
accounts) lock the address out. Both last AXES_COOLOFF_TIME from the last
failure.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """Reads AXES_LOCKOUT_PARAMETERS as [(user name, address), address]."""

    def get_failures(self, request, credentials=None):
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes compares one count with AXES_FAILURE_LIMIT: an address past its
        # own limit counts as a pair at the limit.
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair

    def reset_user_attempts(self, request, credentials=None):
        # A success clears its own user name's failures only: an attacker's own
        # account must not wipe out the failures sprayed over other names.
        pair, _address = self.filter_user_attempts(request, credentials)
        count, _ = pair.delete()
        return count
