from asean_portal.core.declarations import ContentAppConfig


class NoticesConfig(ContentAppConfig):
    """A content type that exists only in the tests: it proves that a new
    type declared in its own app is searched, in the sitemap, never shown
    before it is live and never served stale from the page cache, without
    any change to the core or the site."""

    default = True  # chosen over the imported ContentAppConfig
    name = "tests.testapp"
    label = "testapp"
