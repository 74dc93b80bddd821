"""The README's screenshots: the home page, a meeting with its photos and a news
item, in Vietnamese and English, at desktop (1366 px) and phone (390 px) width.

    make screenshots

The portal is run on a fresh SQLite database filled by load_seed_content. The
seed holds the captions of the real meetings' photos but not the photos
themselves (the source portal's files are not ours to copy), so each caption
gets an illustration drawn here, marked "ILLUSTRATION" on the picture, and
uploaded as an editor would: through the photo field, which makes the
renditions. The pages are then opened in Debian's Chromium, as the browser
tests do, and each is captured down to at most MAX_HEIGHT pixels.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MAX_HEIGHT = 2600
WIDTHS = {"desktop": (1366, 768, False), "phone": (390, 844, True)}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PALETTE = ["#0b3a75", "#1f6f43", "#a50e1b", "#22577a", "#6b4c9a", "#8a5a00", "#3d5a80"]


def illustration(number, size=(1600, 1067)):
    """A JPEG that cannot be taken for a real photo: a gradient, shapes for
    a meeting table and people, and the word ILLUSTRATION."""
    from PIL import Image, ImageDraw, ImageFont

    colour = PALETTE[number % len(PALETTE)]
    base = Image.new("RGB", size, colour)
    shade = Image.linear_gradient("L").resize(size).point(lambda v: v // 2)
    image = Image.composite(Image.new("RGB", size, "#ffffff"), base, shade)
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rounded_rectangle(
        (width * 0.1, height * 0.62, width * 0.9, height * 0.8), 30, fill="#f4f1ea"
    )
    for seat in range(5):
        x = width * (0.18 + seat * 0.16)
        draw.ellipse((x - 45, height * 0.36, x + 45, height * 0.36 + 90), fill="#2b2b2b")
        draw.rounded_rectangle((x - 75, height * 0.46, x + 75, height * 0.64), 40, fill="#2b2b2b")
    try:
        font = ImageFont.truetype(FONT, 64)
    except OSError:
        font = ImageFont.load_default()
    draw.text((60, 50), f"ILLUSTRATION {number}", fill="#ffffff", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def prepare(media_root):
    """Migrate, seed, give every caption of the seeded meetings its
    illustration; returns the addresses to capture."""
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import translation

    from events.models import Announcement, Meeting, MeetingPhoto

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_seed_content", verbosity=0)
    for number, photo in enumerate(MeetingPhoto.objects.filter(image="").order_by("pk"), 1):
        photo.alt_text_vi = photo.alt_text_vi or f"Ảnh minh hoạ: {photo.caption_vi}"[:200]
        photo.alt_text_en = photo.alt_text_en or f"Illustration: {photo.caption_en}"[:200]
        # As the admin's form does: an upload assigned, cleaned on save.
        photo.image = SimpleUploadedFile(
            f"illustration-{number}.jpg", illustration(number), content_type="image/jpeg"
        )
        photo.save()
    # The articles whose seeded caption waits for its photo.
    waiting = Announcement.objects.filter(image="").exclude(image_caption_vi="").order_by("pk")
    for number, article in enumerate(waiting, 20):
        article.image_alt_vi = article.image_alt_vi or f"Ảnh minh hoạ: {article.image_caption_vi}"
        article.image_alt_en = article.image_alt_en or f"Illustration: {article.image_caption_en}"
        article.image = SimpleUploadedFile(
            f"illustration-{number}.jpg", illustration(number), content_type="image/jpeg"
        )
        article.save()
    meeting = (
        Meeting.objects.live().filter(photos__isnull=False).order_by("-start_date", "pk").first()
    )
    article = Announcement.objects.live().filter(meeting=meeting).first() or (
        Announcement.objects.live().order_by("-publish_at").first()
    )
    pages = {}
    for language in ("vi", "en"):
        with translation.override(language):
            pages[f"home-{language}"] = f"/{language}/"
            pages[f"meeting-{language}"] = meeting.get_absolute_url()
            pages[f"news-detail-{language}"] = article.get_absolute_url()
    return pages


def capture(driver, url, path, width, height, mobile):
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.get(url)
    # Lazy photos load as they come into view: scroll through the page once.
    total = driver.execute_script("return document.documentElement.scrollHeight")
    for top in range(0, total, height):
        driver.execute_script("window.scrollTo(0, arguments[0])", top)
        time.sleep(0.15)
    driver.execute_script("window.scrollTo(0, 0)")
    driver.execute_script(
        "return Promise.all([...document.images].map(i => i.decode().catch(() => null)))"
    )
    full = min(driver.execute_script("return document.documentElement.scrollHeight"), MAX_HEIGHT)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": full, "deviceScaleFactor": 1, "mobile": mobile},
    )
    time.sleep(0.3)
    driver.save_screenshot(str(path))


def main():
    from PIL import Image
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    work = Path(tempfile.mkdtemp(prefix="portal-screenshots-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="asean_portal.settings",
        DATABASE_URL=f"sqlite:///{work / 'portal.sqlite3'}",
        REDIS_URL="",
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        SERVE_MEDIA="1",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "screenshots-only-" + os.urandom(8).hex(),
        ADMIN_REQUIRE_2FA="0",
    )
    sys.path.insert(0, str(BASE_DIR))
    from bench.common import free_port

    pages = prepare(work / "media")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=(work / "server.log").open("w"),
    )
    driver = None
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={work / 'chromium'}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(60)
        for name, path in pages.items():
            for form, (width, height, mobile) in WIDTHS.items():
                target = OUT / (f"{name}.png" if form == "desktop" else f"{name}-{form}.png")
                url = f"http://127.0.0.1:{port}{path}"
                status = urllib.request.urlopen(url, timeout=30).status
                if status != 200:
                    raise RuntimeError(f"{url} answered {status}")
                capture(driver, url, target, width, height, mobile)
                # Fewer colours keep the repository small; text stays sharp.
                Image.open(target).convert("RGB").quantize(256).save(target, optimize=True)
                print(target.relative_to(BASE_DIR), f"{target.stat().st_size // 1024} KiB")
    except BaseException:
        print((work / "server.log").read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
