"""Deterministic bilingual demo content for benchmarks, made with bulk inserts.

Every demo row has a Vietnamese slug starting with ``demo-`` so that it can be
told apart from real content and removed again.
"""

import hashlib
import io
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageDraw

from asean_portal.core import display
from asean_portal.core.content import EnglishState, transliterate_slug
from asean_portal.core.images import rendition_files
from asean_portal.core.publishing import Status
from asean_portal.core.seeding import SeedLoader
from asean_portal.ops.seeding import read_seed
from asean_portal.site import search
from civil_service.models import Activity, WorkPlan
from events.models import Announcement, Category, Country, Meeting, MeetingSeries

DEMO_PREFIX = "demo-"
BATCH_SIZE = 2000

ACTIONS = [
    ("Thúc đẩy", "Promoting"),
    ("Tăng cường", "Strengthening"),
    ("Đổi mới", "Innovating"),
    ("Chia sẻ kinh nghiệm về", "Sharing experience of"),
    ("Nâng cao hiệu quả", "Improving"),
    ("Hợp tác trong", "Cooperation in"),
    ("Tập huấn về", "Training on"),
    ("Đánh giá", "Reviewing"),
]
TOPICS = [
    ("chuyển đổi số trong nền công vụ", "digital transformation in the civil service"),
    ("đào tạo, bồi dưỡng công chức", "the training of civil servants"),
    ("cải cách hành chính", "administrative reform"),
    ("quản trị đất nước tốt", "good governance"),
    ("chính phủ điện tử", "e-government"),
    ("quản lý nguồn nhân lực khu vực công", "public sector human resource management"),
    ("đạo đức công vụ", "civil service ethics"),
    ("cung cấp dịch vụ công", "public service delivery"),
    ("tuyển dụng công chức", "civil servant recruitment"),
    ("lãnh đạo thích ứng", "adaptive leadership"),
]
CONTEXTS = [
    ("giữa các nước ASEAN", "among ASEAN Member States"),
    ("trong khuôn khổ ACCSM+3", "under ACCSM+3"),
    ("với các đối tác đối thoại", "with the Dialogue Partners"),
    ("tại Việt Nam", "in Viet Nam"),
    ("giai đoạn 2021-2025", "in 2021–2025"),
    ("sau đại dịch COVID-19", "after the COVID-19 pandemic"),
]
SENTENCES = [
    (
        "Các đại biểu đã trao đổi, thảo luận cởi mở và thẳng thắn về phương hướng "
        "xây dựng nền công vụ.",
        "Delegates held open and frank discussions on the direction of the civil service.",
    ),
    (
        "Hội nghị thống nhất tăng cường chia sẻ thực tiễn và kiến thức tốt nhất vì lợi ích chung.",
        "The meeting agreed to share best practice and knowledge for the common good.",
    ),
    (
        "Bộ Nội vụ giới thiệu kết quả triển khai kế hoạch làm việc trong năm.",
        "The Ministry of Home Affairs presented the year's results under the work plan.",
    ),
    (
        "Các nước cam kết tiếp tục ủng hộ các sáng kiến hợp tác trong lĩnh vực công vụ.",
        "The countries committed to keep supporting cooperation initiatives on the civil service.",
    ),
    (
        "Nền công vụ lấy người dân làm trung tâm là mục tiêu chung của các nước ASEAN.",
        "A citizen-centric civil service is the common goal of the ASEAN Member States.",
    ),
    (
        "Ban Thư ký ASEAN đã cập nhật tình hình thực hiện các quyết định liên quan.",
        "The ASEAN Secretariat reported on the follow-up of the relevant decisions.",
    ),
    (
        "Các đại biểu đánh giá cao sự phối hợp của Trung Quốc, Nhật Bản và Hàn Quốc.",
        "Delegates praised the cooperation of China, Japan and the Republic of Korea.",
    ),
    (
        "Hoạt động góp phần nâng cao năng lực của đội ngũ cán bộ, công chức.",
        "The activity helps build the capacity of cadres and civil servants.",
    ),
]
COLOURS = ["#0b3a75", "#a50e1b", "#1f6f43", "#6b4c9a", "#8a5a00", "#22577a", "#5e548e", "#3d5a80"]


def _digest(text):
    return hashlib.sha1((text or "").encode("utf-8")).hexdigest()[:16]


DEMO_SIZE = (1200, 675)


def demo_images():
    """A few real JPEG files, stored once and shared by the demo rows."""
    names = []
    for index, colour in enumerate(COLOURS):
        name = f"demo/photo-{index}.jpg"
        if not default_storage.exists(name):
            image = Image.new("RGB", DEMO_SIZE, colour)
            draw = ImageDraw.Draw(image)
            draw.rectangle((60, 60, 1140, 615), outline="#ffffff", width=8)
            draw.text((100, 100), f"ASEAN {index + 1}", fill="#ffffff")
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=80)
            name = default_storage.save(name, ContentFile(buffer.getvalue()))
            # The rows are bulk inserted (no save, no signal): make the
            # renditions that every row showing this photo links to.
            holder = Announcement(image=name, image_width=DEMO_SIZE[0], image_height=DEMO_SIZE[1])
            for rendition in rendition_files(holder, "image"):
                rendition.generate()
        names.append(name)
    return names


class DemoGenerator:
    def __init__(self, seed=1):
        self.seed = seed
        self.random = random.Random(seed)
        # Times are spread backwards from a fixed instant so that a seed
        # always gives the same rows.
        self.anchor = datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

    def title(self):
        action = self.random.choice(ACTIONS)
        topic = self.random.choice(TOPICS)
        context = self.random.choice(CONTEXTS)
        return (
            f"{action[0]} {topic[0]} {context[0]}",
            f"{action[1]} {topic[1]} {context[1]}",
        )

    def sentences(self, count):
        chosen = [self.random.choice(SENTENCES) for _ in range(count)]
        return " ".join(vi for vi, _ in chosen), " ".join(en for _, en in chosen)

    def paragraphs(self, count):
        chosen = [self.random.choice(SENTENCES) for _ in range(count)]
        return (
            "".join(f"<p>{vi}</p>" for vi, _ in chosen),
            "".join(f"<p>{en}</p>" for _, en in chosen),
        )

    def common(self, title_vi, title_en, number):
        slug = transliterate_slug(title_vi, max_length=150)
        english = self.random.random() < 0.8
        return {
            "slug_vi": f"{DEMO_PREFIX}{slug}-{self.seed}-{number}",
            "slug_en": f"{transliterate_slug(title_en, max_length=150)}-{self.seed}-{number}"
            if english
            else None,
            "status": Status.PUBLISHED,
            "english_state": EnglishState.COMPLETE if english else EnglishState.MISSING,
        }

    def announcements(self, count, categories, images):
        rows = []
        for number in range(count):
            title_vi, title_en = self.title()
            lead_vi, lead_en = self.sentences(1)
            body_vi, body_en = self.paragraphs(self.random.randint(3, 6))
            common = self.common(title_vi, title_en, number)
            english = common["slug_en"] is not None
            published = self.anchor - timedelta(minutes=17 * number + self.random.randint(0, 15))
            fields = {
                "title": (title_vi, title_en),
                "lead": (lead_vi, lead_en),
                "body": (body_vi, body_en),
            }
            rows.append(
                Announcement(
                    **common,
                    **{
                        f"{name}_{lang}": value if lang == "vi" or english else ""
                        for name, (vi, en) in fields.items()
                        for lang, value in (("vi", vi), ("en", en))
                    },
                    english_basis={name: _digest(vi) for name, (vi, _) in fields.items()}
                    if english
                    else {},
                    category=self.random.choice(categories),
                    byline=self.random.choice(["Hoài Nga", "Minh Anh", "Thu Hà", ""]),
                    is_featured=number % 50 == 0,
                    image=images[number % len(images)],
                    image_width=DEMO_SIZE[0],
                    image_height=DEMO_SIZE[1],
                    image_caption_vi="Quang cảnh hội nghị",
                    image_caption_en="An overview of the meeting" if english else "",
                    image_alt_vi="Các đại biểu tại hội nghị",
                    image_alt_en="Delegates at the meeting" if english else "",
                    publish_at=published,
                    first_published_at=published,
                )
            )
        return rows

    def meetings(self, count, series, countries):
        rows = []
        for number in range(count):
            title_vi, title_en = self.title()
            summary_vi, summary_en = self.sentences(2)
            common = self.common(f"Hội nghị {title_vi}", f"Meeting on {title_en}", number)
            english = common["slug_en"] is not None
            start = date(2025, 12, 31) - timedelta(days=9 * number)
            host = self.random.choice(countries)
            rows.append(
                Meeting(
                    **common,
                    series=self.random.choice(series),
                    kind=self.random.choice([kind for kind, _ in Meeting.Kind.choices]),
                    title_vi=f"Hội nghị {title_vi}",
                    title_en=f"Meeting on {title_en}" if english else "",
                    summary_vi=summary_vi,
                    summary_en=summary_en if english else "",
                    theme_vi=title_vi,
                    theme_en=title_en if english else "",
                    start_date=start,
                    end_date=start + timedelta(days=self.random.randint(0, 2)),
                    host_country=host,
                    chair_country=host,
                    publish_at=self.anchor - timedelta(days=9 * number),
                    first_published_at=self.anchor - timedelta(days=9 * number),
                )
            )
        return rows

    def activities(self, count, plans, countries):
        rows = []
        progress = [value for value, _ in Activity.Progress.choices]
        participation = [value for value, _ in Activity._meta.get_field("participation").choices]
        for number in range(count):
            title_vi, title_en = self.title()
            description_vi, description_en = self.paragraphs(2)
            common = self.common(title_vi, title_en, number)
            english = common["slug_en"] is not None
            rows.append(
                Activity(
                    **common,
                    work_plan=self.random.choice(plans),
                    title_vi=title_vi,
                    title_en=title_en if english else "",
                    description_vi=description_vi,
                    description_en=description_en if english else "",
                    start_year=self.random.randint(2021, 2025),
                    participation=self.random.choice(participation),
                    registering_country=self.random.choice(countries),
                    progress=self.random.choice(progress),
                    publish_at=self.anchor,
                    first_published_at=self.anchor,
                )
            )
        return rows

    @transaction.atomic
    def generate(self, announcements=0, meetings=0, activities=0, replace=False):
        SeedLoader().load(read_seed())
        if replace:
            for model in (Announcement, Meeting, Activity):
                model.objects.filter(slug_vi__startswith=DEMO_PREFIX).delete()
        elif any(
            model.objects.filter(slug_vi__startswith=f"{DEMO_PREFIX}").exists()
            for model in (Announcement, Meeting, Activity)
        ):
            raise FileExistsError("demo content exists already")
        categories = list(Category.objects.all())
        countries = list(Country.objects.all())
        series = list(MeetingSeries.objects.all())
        plans = list(WorkPlan.objects.all())
        images = demo_images()
        made = {}
        for model, rows in (
            (Announcement, self.announcements(announcements, categories, images)),
            (Meeting, self.meetings(meetings, series, countries)),
            (Activity, self.activities(activities, plans, countries)),
        ):
            # bulk_create calls no save(): the display values are computed here.
            for row in rows:
                row.display = display.compute(row)
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            made[model._meta.model_name] = len(rows)
        # bulk_create sends no signals: index the new rows in one go.
        search.rebuild([Announcement, Meeting, Activity])
        return made
