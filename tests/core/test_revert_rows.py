"""Reverting an item to a version (History) writes back the item and the rows
of its inlines as they were. A row that has moved to another item since (a
photo or a delegation taken to another meeting, which may be public) stays
where it is: the revert of one item never changes another."""

import pytest
import reversion
from reversion.models import Version

from asean_portal.core.admin import revert_item
from asean_portal.core.publishing import Status
from events.models import Participation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("delete", [False, True])
def test_a_row_moved_to_another_item_stays_there(delete):
    draft = factories.meeting(status=Status.DRAFT, publish_at=None)
    kept = draft.participations.create(country=factories.country(), delegation_head="Ông A")
    moved = draft.participations.create(country=factories.country(), delegation_head="Bà B")
    with reversion.create_revision():
        reversion.add_to_revision(draft)
    version = Version.objects.get_for_object(draft).get()
    assert Version.objects.get_for_object(moved).exists()  # the inline's rows are followed
    live = factories.meeting()
    Participation.objects.filter(pk=moved.pk).update(meeting=live)
    Participation.objects.filter(pk=kept.pk).update(delegation_head="Ông A (sửa)")

    revert_item(version, delete=delete)

    moved.refresh_from_db()
    kept.refresh_from_db()
    assert moved.meeting_id == live.pk
    assert (kept.meeting_id, kept.delegation_head) == (draft.pk, "Ông A")
