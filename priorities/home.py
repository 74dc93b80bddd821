"""What the priorities app shows on the home page (declared in its AppConfig)."""

from django.db.models import Prefetch

from asean_portal.core.content import LINK_FIELDS

from .models import Chairmanship, Priority


def home_sections(now):
    chairmanship = (
        Chairmanship.objects.live(now)
        .select_related("chair_country")
        .prefetch_related(
            Prefetch(
                "priorities",
                queryset=Priority.objects.live(now)
                .only(*LINK_FIELDS, "number", "chairmanship_id")
                .order_by("number"),
                to_attr="live_priorities",
            )
        )
        .order_by("-year")
        .first()
    )
    return {"chairmanship": chairmanship}
