from __future__ import annotations

import pytest

from fraudhub.indicators.types import InvalidIndicator
from fraudhub.indicators.types.social_account import SocialAccountType

SOCIAL = SocialAccountType()


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # Facebook profiles in all their spellings
        ("facebook.com/profile.php?id=1000123", "facebook:1000123"),
        ("https://m.facebook.com/profile.php?id=1000123&ref=x", "facebook:1000123"),
        ("https://mbasic.facebook.com/profile.php?id=1000123", "facebook:1000123"),
        ("https://web.facebook.com/profile.php?id=1000123", "facebook:1000123"),
        ("https://www.facebook.com/profile.php?id=1000123#about", "facebook:1000123"),
        ("https://vi-vn.facebook.com/SomeUser", "facebook:someuser"),
        ("fb.com/SomeUser", "facebook:someuser"),
        ("https://m.me/SomeUser", "facebook:someuser"),
        (
            "https://www.facebook.com/people/Nguyen-Van-A/100012345678901/",
            "facebook:100012345678901",
        ),
        ("facebook.com/SomeUser", "facebook:someuser"),
        ("https://facebook.com/Some.User.99/posts/123456", "facebook:some.user.99"),
        (
            "https://www.facebook.com/permalink.php?story_fbid=1&id=1000456789",
            "facebook:1000456789",
        ),
        ("hxxps://facebook[.]com/SomeUser", "facebook:someuser"),
        # groups and pages keep their kind
        ("facebook.com/groups/123456/", "facebook:group/123456"),
        ("facebook.com/groups/ScamGroupName/posts/98765/", "facebook:group/scamgroupname"),
        ("https://m.facebook.com/groups/ScamGroupName?ref=share", "facebook:group/scamgroupname"),
        ("https://facebook.com/pages/Shop-ABC/104123456789012", "facebook:page/104123456789012"),
        ("https://facebook.com/pg/ShopABC/about/", "facebook:page/shopabc"),
        ("https://facebook.com/p/Shop-ABC-100089876543210/", "facebook:page/100089876543210"),
        # already canonical
        ("facebook:1000123", "facebook:1000123"),
        ("facebook:group/123456", "facebook:group/123456"),
        ("facebook:page/ShopABC", "facebook:page/shopabc"),
        ("fb:SomeUser", "facebook:someuser"),
        # Telegram
        ("t.me/Abc", "telegram:abc"),
        ("https://telegram.me/Abc", "telegram:abc"),
        ("https://t.me/s/ChannelName", "telegram:channelname"),
        ("https://t.me/ChannelName/1234", "telegram:channelname"),
        ("https://scamchannel.t.me/", "telegram:scamchannel"),
        ("telegram:@Abc", "telegram:abc"),
        ("Telegram: @Scam_Admin", "telegram:scam_admin"),
        # TikTok, Zalo, YouTube, Instagram, X
        ("tiktok.com/@user", "tiktok:user"),
        ("https://www.tiktok.com/@Shop.Gia_Re/video/7300000000000000000", "tiktok:shop.gia_re"),
        ("zalo.me/0912345678", "zalo:+84912345678"),
        ("https://zalo.me/84912345678", "zalo:+84912345678"),
        ("zalo.me/g/KmvRpw245", "zalo:group/kmvrpw245"),
        ("zalo:0912 345 678", "zalo:+84912345678"),
        ("https://www.youtube.com/@SomeHandle", "youtube:somehandle"),
        (
            "https://youtube.com/channel/UCabcdefghijklmnopqrstuv",
            "youtube:UCabcdefghijklmnopqrstuv",
        ),
        ("https://m.youtube.com/c/SomeName/videos", "youtube:somename"),
        ("youtube:UCabcdefghijklmnopqrstuv", "youtube:UCabcdefghijklmnopqrstuv"),
        ("instagram.com/User.Name_1", "instagram:user.name_1"),
        ("https://www.instagram.com/stories/user.name/123/", "instagram:user.name"),
        ("x.com/User_1", "x:user_1"),
        ("https://twitter.com/User_1/status/123", "x:user_1"),
        ("twitter:@User_1", "x:user_1"),
    ],
)
def test_valid(raw: str, canonical: str) -> None:
    assert SOCIAL.normalize(raw) == canonical
    assert SOCIAL.normalize(canonical) == canonical


def test_handle_with_platform_given() -> None:
    assert SOCIAL.normalize("@Abc", platform="telegram") == "telegram:abc"
    assert SOCIAL.normalize("Abc", platform="tg") == "telegram:abc"
    assert SOCIAL.normalize("@user", platform="tiktok") == "tiktok:user"
    assert SOCIAL.normalize("1000123", platform="facebook") == "facebook:1000123"
    assert SOCIAL.normalize("@Nguyen.Van.A", platform="facebook") == "facebook:nguyen.van.a"
    assert SOCIAL.normalize("facebook:@nguyen.van.a") == "facebook:nguyen.van.a"
    with pytest.raises(InvalidIndicator, match="unknown platform"):
        SOCIAL.normalize("@abc", platform="myspace")
    with pytest.raises(InvalidIndicator, match="not a Telegram"):
        SOCIAL.normalize("facebook.com/someuser", platform="telegram")


@pytest.mark.parametrize(
    "raw",
    [
        "facebook.com/login",
        "https://www.facebook.com/help/123",
        "https://facebook.com/watch?v=123",
        "https://facebook.com/marketplace/item/1",
        "https://facebook.com/profile.php",
        "https://facebook.com/share/p/1AbCdEf/",
        "https://facebook.com/",
        "https://t.me/joinchat/AAAA",
        "https://t.me/+AbCdEfGh",
        "https://tiktok.com/foo",
        "https://vm.tiktok.com/ZSabc123/",
        "https://youtube.com/watch?v=abc",
        "https://instagram.com/p/Cabc123/",
        "https://x.com/home",
        "https://example.com/someuser",
        "@abc",
        "myspace:abc",
        "telegram:a",
        "",
    ],
)
def test_invalid(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        SOCIAL.normalize(raw)


def test_display() -> None:
    assert SOCIAL.display("facebook:1000123") == "Facebook 1000123"
    assert SOCIAL.display("facebook:group/123456") == "Facebook group 123456"
    assert SOCIAL.display("telegram:abc") == "Telegram @abc"
    assert SOCIAL.display("zalo:+84912345678") == "Zalo +84912345678"


def test_groups_and_pages_are_named_in_the_active_language() -> None:
    from django.utils import translation

    with translation.override("vi"):
        assert SOCIAL.display("facebook:group/123456") == "Nhóm Facebook 123456"
        assert SOCIAL.display("facebook:page/shopabc") == "Trang Facebook shopabc"
        assert SOCIAL.display("telegram:abc") == "Telegram @abc"
    with translation.override("en"):
        assert SOCIAL.display("facebook:page/shopabc") == "Facebook page shopabc"


def test_same_account() -> None:
    assert SOCIAL.same("facebook.com/profile.php?id=1000123", "https://m.facebook.com/1000123")
    assert SOCIAL.same("facebook:page/100089876543210", "facebook:100089876543210")
    # Facebook ignores periods in usernames.
    assert SOCIAL.same("facebook.com/john.smith", "facebook.com/johnsmith")
    assert not SOCIAL.same("facebook:group/abc", "facebook:abc")
    assert not SOCIAL.same("t.me/abc", "tiktok.com/@abc")


def test_looks_like() -> None:
    assert SOCIAL.looks_like("https://m.facebook.com/x")
    assert SOCIAL.looks_like("t.me/abc")
    assert SOCIAL.looks_like("facebook:1000123")
    assert SOCIAL.looks_like("telegram @abc")
    assert not SOCIAL.looks_like("https://example.com/x")
    assert not SOCIAL.looks_like("eth:0xabc")


@pytest.mark.parametrize(("raw", "canonical"), [
    ("https://www.facebook.com/profile.php?id=4", "facebook:4"),  # the first accounts
    ("fb.com/profile.php?id=100012345678", "facebook:100012345678"),
])
def test_numeric_facebook_ids_read_back_as_themselves(raw: str, canonical: str) -> None:
    assert SOCIAL.normalize(raw) == canonical
    assert SOCIAL.normalize(canonical) == canonical


@pytest.mark.parametrize("raw", ["fb.com/profile.php?id=" + "1" * 21,
                                 "https://www.facebook.com/pages/x/" + "1" * 81])
def test_a_facebook_id_longer_than_any_is_refused(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        SOCIAL.normalize(raw)


@pytest.mark.parametrize("raw", [
    "facebook:-1", "facebook:0", "facebook:" + "1" * 30, "facebook:ab",  # names are 5+ long
    "facebook:group/0123", "https://www.facebook.com/groups/" + "1" * 30,
])
def test_a_facebook_name_or_id_no_link_can_have_is_refused(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        SOCIAL.normalize(raw)
