"""Where uploads are kept, and the address each one is read at.

By default uploads are files under MEDIA_ROOT. With MEDIA_STORAGE=s3 they go to
an S3-compatible object store that every web node and worker shares
(django-storages and boto3), as follows:

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

import logging
import mimetypes

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from storages.backends.s3 import S3Storage

from .publishing import Status

logger = logging.getLogger(__name__)

PUBLIC_PREFIX = "public/"
# Types that browsers show as such; every other upload is downloaded.
SHOWN_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif"}
STORE_ERRORS = (BotoCoreError, ClientError)


class StorageUnavailable(OSError):
    """The object store could not be reached or refused the request."""


class MediaStorage(S3Storage):
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

    def public_name(self, name):
        return PUBLIC_PREFIX + name

    def public_url(self, name):
        """The unsigned, cacheable address of ``name``'s public copy."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/") + "/" + self.public_name(name)
        return self.unsigned_connection.meta.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket_name, "Key": self.public_name(name)},
            ExpiresIn=0,
        )

    def publish(self, name, missing_ok=False):
        """Copy ``name`` to its public address (a server-side copy). With
        ``missing_ok``, a ``name`` the store does not hold is only logged."""
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
        """Remove ``name``'s public copy, if there is one."""
        try:
            self.connection.meta.client.delete_object(
                Bucket=self.bucket_name, Key=self.public_name(name)
            )
        except STORE_ERRORS as exc:
            raise StorageUnavailable(f"could not withdraw {name}: {exc!r}") from exc


def in_object_store():
    """Whether uploads go to the object store (MEDIA_STORAGE=s3)."""
    return isinstance(default_storage, MediaStorage)


def media_owner(instance):
    """The item whose publication decides who may read ``instance``'s uploads."""
    return getattr(instance, "media_owner", None) or instance


def is_public(instance):
    """Whether ``instance``'s uploads are public: its owner is published and live."""
    owner = media_owner(instance)
    status = getattr(owner, "status", None)
    if status is None:
        return True
    return status == Status.PUBLISHED and owner.is_live()


def address(storage, name, instance):
    """The address of ``name`` (an upload of ``instance``, or a file made from
    one): its public copy while ``instance`` is public, else ``storage.url``."""
    if isinstance(storage, MediaStorage) and is_public(instance):
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


def public_names(owner):
    """Every name whose public copy follows ``owner``: its uploads and the
    files made from them."""
    return [name for file in uploads_of(owner) for name in (file.name, *derived_names(file))]


def sync_public_copies(instance):
    """Make the public copies of ``instance``'s owner's uploads match its state:
    present while it is published, absent otherwise. Returns the number of
    uploads handled; nothing to do with local storage."""
    owner = media_owner(instance)
    public = is_public(owner)
    files = [file for file in uploads_of(owner) if isinstance(file.storage, MediaStorage)]
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
