"""Flashed messages read as plain sentences in GOV.UK notification banners."""

from html.parser import HTMLParser

from tests.conftest import post_form


class Banners(HTMLParser):
    """Each notification banner on a page: its role, title and content as a person reads it."""

    def __init__(self):
        super().__init__()
        self.banners: list[dict] = []
        self._depth = 0
        self._part = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "govuk-notification-banner" in classes:
            self.banners.append(
                {"role": attrs.get("role"), "title": "", "text": "", "classes": classes}
            )
            self._depth = 0
        if self.banners and self._part is None:
            if "govuk-notification-banner__title" in classes:
                self._part, self._depth = "title", 0
            elif "govuk-notification-banner__content" in classes:
                self._part, self._depth = "text", 0
        if self._part:
            self._depth += 1

    def handle_endtag(self, tag):
        if self._part:
            self._depth -= 1
            if self._depth == 0:
                self._part = None

    def handle_data(self, data):
        if self._part:
            self.banners[-1][self._part] += data


def banners(html: str) -> list[dict]:
    parser = Banners()
    parser.feed(html)
    return [
        {**b, "title": " ".join(b["title"].split()), "text": " ".join(b["text"].split())}
        for b in parser.banners
    ]


def test_a_success_banner_reads_as_the_message_itself(client, sign_in_as):
    sign_in_as("team_leader")
    page = post_form(client, "/logout", {}, token_from="/queue", follow_redirects=True)
    html = page.get_data(as_text=True)
    [banner] = banners(html)
    assert banner["text"] == "You have signed out."
    assert banner["title"] == "Success"
    assert banner["role"] == "alert"
    assert "govuk-notification-banner--success" in banner["classes"]
    assert "&lt;p" not in html
    assert "<p" not in banner["text"]


def test_a_name_with_markup_is_shown_as_typed(client, sign_in_as):
    sign_in_as("admin")
    page = post_form(
        client,
        "/admin/teams",
        {"name": "<i>North</i> & East", "service": "victim"},
        follow_redirects=True,
    )
    [banner] = banners(page.get_data(as_text=True))
    assert banner["text"] == "Team <i>North</i> & East added."


def test_an_information_message_is_an_important_region(client):
    page = client.get("/login/code", follow_redirects=True)
    html = page.get_data(as_text=True)
    [banner] = banners(html)
    assert banner["text"] == "Sign in again: the time to enter the security code ran out."
    assert (banner["role"], banner["title"]) == ("region", "Important")
    assert "&lt;p" not in html
