"""Where uploads are kept, and the address each one is read at.

Uploads are files under MEDIA_ROOT (LocalMediaStorage, the default) or, with
MEDIA_STORAGE=s3, objects in an S3-compatible store that every web node and
worker shares (MediaStorage: django-storages and boto3). Both keep them the
same way:

- the original of every upload is private: staff, and the readers of an
  embargoed preview, get a signed address that expires
  (MEDIA_SIGNED_SECONDS), so nothing unpublished has a guessable address;
- while the item that owns it is published, a copy under ``public/`` is
  readable by anyone, with a long cache lifetime, and public pages link to
  it; it is removed when the item is withdrawn or unpublished. A photo's
  renditions (core/images.py) follow the same rule: their field names them
  (``derived_names``), and pages link them through ``address``.

``sync_public_copies`` makes the copies match the owner's state; the site
calls it (through a task with retries) whenever an item changes, is
published or is withdrawn. An upload that the store refuses, or a store that
cannot be reached, raises ``StorageUnavailable``, an OSError: the admin then
shows the form again with everything typed kept (core/admin.py).
"""

import contextlib
import logging
import math
import mimetypes
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from urllib.parse import urlencode

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.utils.crypto import constant_time_compare
from storages.backends.s3 import S3Storage

from .publishing import Status

logger = logging.getLogger(__name__)

PUBLIC_PREFIX = "public/"
# Types that browsers show as such; every other upload is downloaded.
SHOWN_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif"}
STORE_ERRORS = (BotoCoreError, ClientError)


class StorageUnavailable(OSError):
    """The object store could not be reached or refused the request."""


class PublicCopies:
    """A storage of private originals, read through signed addresses, with a
    public copy of each upload of a published item under ``public/``."""

    def public_name(self, name):
        return PUBLIC_PREFIX + name

    def public_url(self, name):
        """The unsigned, cacheable address of ``name``'s public copy."""
        raise NotImplementedError

    def publish(self, name, missing_ok=False):
        """Make ``name``'s public copy. With ``missing_ok``, a ``name`` the
        store does not hold is only logged."""
        raise NotImplementedError

    def withdraw(self, name):
        """Remove ``name``'s public copy, if there is one."""
        raise NotImplementedError

    def public_copies(self):
        """The names of the uploads that have a public copy."""
        raise NotImplementedError


# The private originals' addresses (LocalMediaStorage), below MEDIA_URL.
PRIVATE_PREFIX = "private/"
# A signed address stays the same for this long, so that browsers keep what
# they loaded from it.
SIGNED_STEP_SECONDS = 300
# How a signed address writes its expiry, the one spelling accepted.
SIGNED_NUMBER = re.compile(r"[1-9][0-9]{0,11}")
_signer = signing.Signer(salt="asean_portal.core.storage.private")


def signature(name, until):
    return _signer.signature(f"{name}\n{until}")


def signed_until(name, until, given):
    """Whether ``given`` is the signature of ``name`` until the timestamp
    ``until`` (a string from an address, written as ``url`` writes it: ASCII
    digits, no sign, space or leading zero), and that time has not passed."""
    if not isinstance(until, str) or not SIGNED_NUMBER.fullmatch(until):
        return False
    moment = int(until)
    return moment > time.time() and constant_time_compare(signature(name, moment), given or "")


class LocalMediaStorage(PublicCopies, FileSystemStorage):
    """Uploads in MEDIA_ROOT. An original is read only at a signed address
    that the portal checks (site/media.py); a public copy is a hard link
    under MEDIA_ROOT/public/, which the portal (SERVE_MEDIA) or the proxy
    serves as it is."""

    def url(self, name):
        until = time.time() + settings.MEDIA_SIGNED_SECONDS
        until = math.ceil(until / SIGNED_STEP_SECONDS) * SIGNED_STEP_SECONDS
        query = urlencode({"until": until, "signature": signature(name, until)})
        return f"{super().url(PRIVATE_PREFIX + name)}?{query}"

    def public_url(self, name):
        return super().url(self.public_name(name))

    def publish(self, name, missing_ok=False):
        source = Path(self.path(name))
        target = Path(self.path(self.public_name(name)))
        if not source.is_file():
            # Unlike a store's, a folder's answer is final: nothing to retry.
            logger.warning("no public copy of %s: MEDIA_ROOT does not hold it", name)
            return
        if target.is_file() and os.path.samefile(source, target):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Made beside it, then renamed over it: a reader never finds half a file.
        partial = target.with_name(f".{target.name}.{secrets.token_hex(6)}")
        try:
            try:
                os.link(source, partial)
            except OSError:
                shutil.copyfile(source, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def withdraw(self, name):
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(self.public_name(name)))

    def public_copies(self):
        folder = Path(self.path(PUBLIC_PREFIX))
        for path in folder.rglob("*") if folder.is_dir() else ():
            # A copy being written is a hidden file beside its target.
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(folder).as_posix()


class MediaStorage(PublicCopies, S3Storage):
    """Private originals with signed addresses, public copies of what is published."""

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # A store that is down fails an upload in seconds, not minutes.
            "client_config": Config(
                connect_timeout=2, read_timeout=20, retries={"max_attempts": 2}
            ),
            "public_base_url": "",
            "public_acl": "public-read",
            "public_cache_seconds": 7 * 24 * 3600,
        }

    def save(self, name, content, max_length=None):
        try:
            return super().save(name, content, max_length)
        except STORE_ERRORS as exc:
            raise StorageUnavailable(f"the object store refused the upload: {exc!r}") from exc

    def public_url(self, name):
        if self.public_base_url:
            return self.public_base_url.rstrip("/") + "/" + self.public_name(name)
        return self.unsigned_connection.meta.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket_name, "Key": self.public_name(name)},
            ExpiresIn=0,
        )

    def publish(self, name, missing_ok=False):
        # A server-side copy.
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        extra = {
            "ContentType": content_type,
            "CacheControl": f"public, max-age={self.public_cache_seconds}",
            "MetadataDirective": "REPLACE",
        }
        if content_type not in SHOWN_TYPES:
            extra["ContentDisposition"] = "attachment"
        if self.public_acl:
            extra["ACL"] = self.public_acl
        try:
            self.connection.meta.client.copy_object(
                Bucket=self.bucket_name,
                Key=self.public_name(name),
                CopySource={"Bucket": self.bucket_name, "Key": name},
                **extra,
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if missing_ok and code in ("NoSuchKey", "404"):
                logger.warning("no public copy of %s: the store does not hold it", name)
                return
            raise StorageUnavailable(f"could not publish {name}: {exc!r}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"could not publish {name}: {exc!r}") from exc

    def withdraw(self, name):
        try:
            self.connection.meta.client.delete_object(
                Bucket=self.bucket_name, Key=self.public_name(name)
            )
        except STORE_ERRORS as exc:
            raise StorageUnavailable(f"could not withdraw {name}: {exc!r}") from exc

    def public_copies(self):
        pages = self.connection.meta.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=PUBLIC_PREFIX
        )
        try:
            for page in pages:
                for found in page.get("Contents", ()):
                    yield found["Key"][len(PUBLIC_PREFIX) :]
        except STORE_ERRORS as exc:
            raise StorageUnavailable(f"could not list the public copies: {exc!r}") from exc


def keeps_public_copies():
    """Whether uploads are private with public copies of what is published
    (both storages of the portal; not a plain storage a test may set)."""
    return isinstance(default_storage, PublicCopies)


def media_owner(instance):
    """The item whose publication decides who may read ``instance``'s uploads."""
    return getattr(instance, "media_owner", None) or instance


def is_public(instance):
    """Whether ``instance``'s uploads are public: its owner is published and
    live, and it is not shown with changes still waiting for review (a staff
    preview: a pending upload has no public copy)."""
    if getattr(instance, "pending_change", False) or getattr(instance, "pending_revision", None):
        return False
    owner = media_owner(instance)
    status = getattr(owner, "status", None)
    if status is None:
        return True
    return status == Status.PUBLISHED and owner.is_live()


def address(storage, name, instance):
    """The address of ``name`` (an upload of ``instance``, or a file made from
    one): its public copy while ``instance`` is public, else ``storage.url``."""
    if isinstance(storage, PublicCopies) and is_public(instance):
        return storage.public_url(name)
    return storage.url(name)


def _url(field_file):
    return address(field_file.storage, field_file.name, field_file.instance)


class PublicationFieldFile(FieldFile):
    @property
    def url(self):
        self._require_file()
        return _url(self)


class PublicationImageFieldFile(ImageFieldFile):
    @property
    def url(self):
        self._require_file()
        return _url(self)


def uploads_of(owner):
    """Every upload (a FieldFile) whose readers ``owner`` decides: its own
    files and those of the related items it lists in ``media_children``."""
    items = [owner]
    for relation in getattr(owner, "media_children", ()):
        items.extend(getattr(owner, relation).all())
    return [
        file
        for item in items
        for field in item._meta.get_fields()
        if isinstance(field, models.FileField) and (file := getattr(item, field.attname))
    ]


def derived_names(file):
    """The files made from the upload ``file`` (a photo's renditions), named by
    its field's ``derived_names``."""
    derive = getattr(file.field, "derived_names", None)
    return list(derive(file.instance)) if derive else []


def own_public_names(item):
    """The names whose public copies follow ``item``'s own file fields: its
    uploads and the files made from them (not its children's)."""
    files = [
        file
        for field in item._meta.get_fields()
        if isinstance(field, models.FileField) and (file := getattr(item, field.attname))
    ]
    return {name for file in files for name in (file.name, *derived_names(file))}


def public_names(owner):
    """Every name whose public copy follows ``owner``: its uploads and the
    files made from them."""
    return [name for file in uploads_of(owner) for name in (file.name, *derived_names(file))]


def sync_public_copies(instance):
    """Make the public copies of ``instance``'s owner's uploads match its state:
    present while it is published, absent otherwise. Returns the number of
    uploads handled."""
    owner = media_owner(instance)
    public = is_public(owner)
    files = [file for file in uploads_of(owner) if isinstance(file.storage, PublicCopies)]
    for file in files:
        if public:
            file.storage.publish(file.name)
            for name in derived_names(file):
                # A rendition that could not be made is left out, not retried.
                file.storage.publish(name, missing_ok=True)
        else:
            for name in (file.name, *derived_names(file)):
                file.storage.withdraw(name)
    if files:
        logger.info(
            "%s the public copies of %d upload(s) of %s #%s",
            "made" if public else "removed",
            len(files),
            owner._meta.label,
            owner.pk,
        )
    return len(files)


def withdraw_all(names):
    """Remove the public copies of ``names`` (the uploads of a deleted item)."""
    for name in names:
        default_storage.withdraw(name)
