"""The "Give feedback" form on both portals: stored with its context, refused when bad."""

import html
import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest

from accounts.models import DirectoryRole
from settings_ui.models import Feedback
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE_FROM = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "evil.example/page",
]


@pytest.fixture(params=["defender", "legacy"])
def portal_client(request, defender_client, legacy_client):
    return {"defender": defender_client, "legacy": legacy_client}[request.param], request.param


def send(client, **fields):
    data = {"category": "redirection", "message": "The alerts page opened empty.", "from": ""}
    data.update(fields)
    return client.post("/feedback", data)


def test_valid_feedback_is_stored_with_its_context_and_thanked(portal_client, contoso_analyst):
    client, portal = portal_client
    sign_in(client, contoso_analyst)
    page = client.get("/feedback?from=/timeline%3Fstatus%3Dnew")
    assert page.status_code == HTTPStatus.OK
    assert 'value="/timeline?status=new"' in page.content.decode()

    response = send(
        client,
        category="missing",
        message="I cannot find the sensor health page.",
        may_contact="on",
        **{"from": "/timeline?status=new"},
    )

    assert response.status_code == HTTPStatus.FOUND
    feedback = Feedback.objects.get()
    assert feedback.user == contoso_analyst
    assert feedback.tenant == contoso_analyst.tenant
    assert feedback.portal == portal
    assert feedback.category == Feedback.Category.MISSING
    assert feedback.message == "I cannot find the sensor health page."
    assert feedback.from_path == "/timeline?status=new"
    assert feedback.may_contact is True
    assert feedback.status == Feedback.Status.NEW
    thanks = client.get(response.url)
    assert thanks.status_code == HTTPStatus.OK
    text = thanks.content.decode()
    assert "Thank you for your feedback" in text
    assert 'href="/timeline?status=new"' in text


def test_contact_permission_is_off_unless_ticked(defender_client, contoso_analyst):
    sign_in(defender_client, contoso_analyst)
    send(defender_client)
    assert Feedback.objects.get().may_contact is False


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"message": ""}, "Write your feedback before sending it."),
        ({"message": "   \r\n  "}, "Write your feedback before sending it."),
        ({"category": ""}, "Choose what your feedback is about."),
        ({"category": "praise"}, "Select a valid choice."),
    ],
)
def test_empty_or_unknown_input_is_refused(portal_client, contoso_analyst, fields, error):
    client, _ = portal_client
    sign_in(client, contoso_analyst)
    response = send(client, **fields)
    assert response.status_code == HTTPStatus.OK
    assert error in response.content.decode()
    assert not Feedback.objects.exists()


def test_over_long_message_is_refused_and_the_text_kept(portal_client, contoso_analyst):
    client, _ = portal_client
    sign_in(client, contoso_analyst)
    text = ("The routing sent me to the wrong page. " * 60).strip()
    assert len(text) == 2339
    response = send(client, category="other", message=text, **{"from": "/timeline"})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Keep your feedback to 2000 characters; it has 2339." in page
    assert f">{text}</textarea>" in page
    assert re.search(r'<input type="radio"[^>]*value="other"[^>]*checked', page)
    assert 'name="from" value="/timeline"' in page  # the way back survives the redisplay
    assert not Feedback.objects.exists()


def test_a_message_of_exactly_the_limit_with_line_breaks_is_accepted(
    defender_client, contoso_analyst
):
    sign_in(defender_client, contoso_analyst)
    line = "x" * 99
    message = "\r\n".join([line] * 20)  # 20 lines of 99 + 19 line breaks = 1,999 typed characters
    assert send(defender_client, message=message + "!").status_code == HTTPStatus.FOUND
    assert len(Feedback.objects.get().message) == Feedback.MAX_MESSAGE_LENGTH


def links_off_site(page: str) -> list[str]:
    """Every link on the page that a browser would follow to evil.example or run as script."""
    found = []
    for href in re.findall(r'href="([^"]*)"', page):
        # Read the link as a browser does: backslash is a slash, tabs and newlines vanish.
        url = html.unescape(href).replace("\\", "/").replace("\t", "").replace("\n", "")
        parts = urlsplit(url)
        if parts.netloc == "evil.example" or parts.scheme == "javascript":
            found.append(href)
    return found


@pytest.mark.parametrize("hostile", HOSTILE_FROM)
def test_a_hostile_from_is_never_stored_or_linked(portal_client, contoso_analyst, hostile):
    client, _ = portal_client
    sign_in(client, contoso_analyst)
    form = client.get("/feedback", {"from": hostile}).content.decode()
    assert 'name="from" value=""' in form
    assert links_off_site(form) == []

    response = send(client, **{"from": hostile})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/feedback/thanks"
    assert Feedback.objects.get().from_path == ""
    thanks = client.get(response.url, {"from": hostile}).content.decode()
    assert links_off_site(thanks) == []
    assert ">Back to the home page</a>" in thanks


def test_any_signed_in_account_may_send_feedback_even_without_a_role(defender_client, contoso):
    reader = UserFactory(tenant=contoso, roles=[DirectoryRole.SECURITY_READER])
    sign_in(defender_client, reader)
    assert send(defender_client).status_code == HTTPStatus.FOUND
    assert Feedback.objects.get().user == reader


def test_anonymous_visitors_are_sent_to_sign_in(portal_client):
    client, _ = portal_client
    response = client.get("/feedback")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/signin")
    assert client.post("/feedback", {"message": "hi", "category": "other"}).status_code == (
        HTTPStatus.FOUND
    )
    assert not Feedback.objects.exists()


def test_the_form_renders_in_each_portals_own_layout(portal_client, contoso_analyst):
    client, portal = portal_client
    sign_in(client, contoso_analyst)
    page = client.get("/feedback").content.decode()
    assert f'<body class="{portal}">' in page
    assert "<legend>What is your feedback about?</legend>" in page
    assert ">Your feedback</label>" in page
    assert ">Send feedback</button>" in page


def test_the_category_most_feedback_is_about_is_chosen_already(portal_client, contoso_analyst):
    client, _ = portal_client
    sign_in(client, contoso_analyst)
    page = client.get("/feedback?from=/").content.decode()
    checked = re.findall(r'<input type="radio"[^>]*value="(\w+)"[^>]*checked', page)
    assert checked == [Feedback.Category.REDIRECTION]


def test_the_feedback_page_never_links_to_itself_nor_nests_from(portal_client, contoso_analyst):
    client, _ = portal_client
    sign_in(client, contoso_analyst)
    page = client.get("/feedback?from=/feedback%3Ffrom%3D/feedback%3Ffrom%3D/").content.decode()
    assert 'href="/feedback' not in page
    assert 'name="from" value=""' in page
    # Elsewhere, "Give feedback" names the page it was given from, once.
    page = client.get("/search?q=x").content.decode()
    links = re.findall(r'href="(/feedback[^"]*)">Give feedback', page)
    assert links and all(
        html.unescape(link) == "/feedback?from=%2Fsearch%3Fq%3Dx" for link in links
    )


@pytest.mark.parametrize(
    "from_path, item, href",
    [
        ("/alerts?status=new", "Alerts", "/alerts"),
        ("/identities", "Identities", "/identities"),
        ("/preferences2/portal_redirection", "Settings", "/settings"),
    ],
)
def test_the_defender_form_is_placed_where_it_was_opened(
    defender_client, contoso_admin, from_path, item, href
):
    sign_in(defender_client, contoso_admin)
    for page in (f"/feedback?from={from_path}", f"/feedback/thanks?from={from_path}"):
        body = defender_client.get(page.replace("?status=new", "%3Fstatus%3Dnew")).content.decode()
        crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', body, re.S).group(0)
        assert re.findall(r"<li[^>]*>(?:<a[^>]*>)?([^<]+)", crumbs) == [item, "Give feedback"]
        assert f'<a href="{html.escape(from_path)}">{item}</a>' in crumbs
        rail = re.search(r'<nav id="portal-nav".*?</nav>', body, re.S).group(0)
        assert re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', rail) == [href]


def test_an_account_without_settings_is_not_led_to_them_from_the_form(
    defender_client, contoso_analyst
):
    sign_in(defender_client, contoso_analyst)
    body = defender_client.get("/feedback?from=/settings/identities/about").content.decode()
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', body, re.S).group(0)
    assert "<a " not in crumbs and "Settings" in crumbs
