"""Accounts, pages and groups on social platforms: ``<platform>:<id or handle>``.

A profile is reached through many URL spellings (m., mbasic., web., fb.com, m.me, profile.php,
/people/…); all of them read back to one canonical value. Handles are lower-cased because every
platform here treats them case-insensitively; YouTube channel ids are case-sensitive and kept.
Groups and pages keep their kind (``facebook:group/123``, ``facebook:page/name``) because the
same name can be a profile, a page and a group at once.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from fraudhub.core.text import ascii_digits

from .base import IndicatorType, InvalidIndicator, has_space, refang
from .domain import split_url
from .phone import parse_phone

PLATFORMS = ("facebook", "telegram", "tiktok", "zalo", "youtube", "instagram", "x")
PLATFORM_LABELS = {
    "facebook": "Facebook",
    "telegram": "Telegram",
    "tiktok": "TikTok",
    "zalo": "Zalo",
    "youtube": "YouTube",
    "instagram": "Instagram",
    "x": "X",
}
# A group or a page named in the reader's language ("Facebook group X" is "Nhóm Facebook X").
_GROUP_OR_PAGE = {
    "group": gettext_lazy("%(platform)s group %(name)s"),
    "page": gettext_lazy("%(platform)s page %(name)s"),
}
PLATFORM_ALIASES = {
    **{p: p for p in PLATFORMS},
    "fb": "facebook",
    "face": "facebook",
    "tg": "telegram",
    "tele": "telegram",
    "twitter": "x",
    "ig": "instagram",
    "insta": "instagram",
    "yt": "youtube",
    "tik tok": "tiktok",
}

_HOSTS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "m.me": "messenger",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "tiktok.com": "tiktok",
    "zalo.me": "zalo",
    "youtube.com": "youtube",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "x.com": "x",
    "twitter.com": "x",
}
# Subdomains that serve the same profiles (mobile, basic, desktop web, language editions).
_SUBDOMAIN = re.compile(r"^(?:www|m|mbasic|web|touch|mobile|business|[a-z]{2}-[a-z]{2})\.")

# First path segments on facebook.com that are features, not accounts.
_FB_RESERVED = frozenset(
    """
    login login.php logout.php help watch marketplace gaming events settings privacy policies
    policy.php home.php search hashtag share sharer sharer.php dialog plugins photo.php photo
    photos video.php videos reel reels stories friends messages notifications bookmarks l.php
    business ads legal about terms recover r.php checkpoint tr fundraisers media live saved
    memories feeds me public directory places careers lite mobile messenger badges ajax
    campaign composer developers pages groups people profile.php permalink.php story.php
    watchparty notes games apps ad_campaign security support signup reg r index.php
    find-friends menu onthisday privacy_center allactivity latest business_help
""".split()
)
_TG_RESERVED = frozenset(
    """
    joinchat addstickers addemoji addtheme share proxy socks iv c login setlanguage
    confirmphone invoice boost contact m s
""".split()
)
_IG_RESERVED = frozenset(
    "p reel reels tv explore accounts direct about legal developer web".split()
)
_X_RESERVED = frozenset(
    """
    home i search explore settings intent share hashtag login signup messages notifications
    tos privacy compose logout jobs download
""".split()
)

_FB_NAME = re.compile(r"^[A-Za-z0-9.\-_]{2,80}$")
_FB_USERNAME = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9.]{5,50}$|^\d{5,20}$")


def _fb_id(text: str) -> bool:
    """A Facebook numeric id: ASCII digits, one (the first accounts) to twenty, no leading 0."""
    return len(text) <= 20 and ascii_digits(text) and text[0] != "0"


def _fb_slug(text: str) -> bool:
    """A page's or group's name in its links: an id, or letters, digits and . - _"""
    return _fb_id(text) if text.isdigit() else bool(_FB_NAME.match(text))


_TG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,31}$")
_TIKTOK_NAME = re.compile(r"^[A-Za-z0-9_.]{2,24}$")
_YT_HANDLE = re.compile(r"^[A-Za-z0-9_.\-]{3,30}$")
_YT_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_IG_NAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_X_NAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_ZALO_GROUP = re.compile(r"^[A-Za-z0-9_-]{4,40}$")
_PHONE_PUNCT = re.compile(r"[\s.\-()]")
_TRAILING_ID = re.compile(r"-(\d{6,20})$")
_CANONICAL = re.compile(r"^([a-z ]{1,10})\s*:\s*(?!//)(\S.*)$", re.IGNORECASE)
_SPOKEN = re.compile(r"^([a-z ]{2,10}?)[\s:]+@?([A-Za-z0-9_.]+)$", re.IGNORECASE)
_HOSTISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([^/?#\s]+)", re.IGNORECASE)


# What the host of a profile ends with: one of _HOSTS, which social_host only reaches by taking
# subdomains off the front. Most hosts asked about (every link that is guessed) end with none.
_HOST_ENDINGS = (*_HOSTS, ".t.me")


def social_host(host: str) -> str | None:
    """The platform serving ``host`` (lower-case), "messenger" for m.me, or None."""
    host = host.lower().rstrip(".")
    if not host.endswith(_HOST_ENDINGS):
        return None
    while True:
        if host in _HOSTS:
            return _HOSTS[host]
        if host.endswith(".t.me"):
            return "telegram"
        stripped = _SUBDOMAIN.sub("", host, count=1)
        if stripped == host:
            return None
        host = stripped


def _facebook(segments: list[str], query: dict[str, list[str]]) -> str | None:
    first = segments[0].lower()
    if first in ("profile.php", "permalink.php", "story.php"):
        ids = query.get("id", [])
        return ids[0] if ids and _fb_id(ids[0]) else None
    if first == "people" and len(segments) >= 3 and _fb_id(segments[2]):
        return segments[2]
    if first == "groups" and len(segments) >= 2:
        name = segments[1].lower()
        if name in ("feed", "discover", "joins", "create", "search") or not _fb_slug(name):
            return None
        return f"group/{name}"
    if first == "pages" and len(segments) >= 2:
        if len(segments) >= 3 and _fb_id(segments[2]):
            return f"page/{segments[2]}"
        name = segments[1].lower()
        if name in ("category", "create", "creation") or not _fb_slug(name):
            return None
        return f"page/{name}"
    if first in ("pg", "p") and len(segments) >= 2:
        trailing = _TRAILING_ID.search(segments[1])
        name = trailing.group(1) if trailing else segments[1].lower()
        return f"page/{name}" if _fb_slug(name) else None
    if first in _FB_RESERVED or not _FB_USERNAME.match(first):
        return None
    return first


def _account_from_parts(platform: str, host: str, segments: list[str], query: str) -> str | None:
    if host.endswith(".t.me") and host.count(".") == 2:
        segments = [host.split(".", 1)[0]]
    if not segments:
        return None
    first = segments[0]
    if platform == "facebook":
        found = _facebook(segments, parse_qs(query))
        return f"facebook:{found}" if found else None
    if platform == "messenger":
        ok = first.lower() not in ("j", "ch", "t") and _FB_USERNAME.match(first)
        return f"facebook:{first.lower()}" if ok else None
    if platform == "telegram":
        if first == "s" and len(segments) >= 2:
            first = segments[1]
        ok = first.lower() not in _TG_RESERVED and _TG_NAME.match(first)
        return f"telegram:{first.lower()}" if ok else None
    if platform == "tiktok":
        ok = first.startswith("@") and _TIKTOK_NAME.match(first[1:])
        return f"tiktok:{first[1:].lower()}" if ok else None
    if platform == "zalo":
        if first == "g" and len(segments) >= 2 and _ZALO_GROUP.match(segments[1]):
            return f"zalo:group/{segments[1].lower()}"
        return _zalo_number(first)
    if platform == "youtube":
        return _youtube(segments)
    if platform == "instagram":
        if first == "stories" and len(segments) >= 2:
            first = segments[1]
        ok = first.lower() not in _IG_RESERVED and _IG_NAME.match(first)
        return f"instagram:{first.lower()}" if ok else None
    if platform == "x":
        ok = first.lower() not in _X_RESERVED and _X_NAME.match(first)
        return f"x:{first.lower()}" if ok else None
    return None


def _zalo_number(text: str) -> str | None:
    text = _PHONE_PUNCT.sub("", text)
    if not ascii_digits(text.lstrip("+")):
        return None
    number = parse_phone(text)
    if number is not None:
        return f"zalo:+{number.country_code}{number.national_number}"
    # Official accounts are reached by their numeric id, which is no phone number.
    return f"zalo:{text}" if ascii_digits(text) and len(text) >= 12 else None


def _youtube(segments: list[str]) -> str | None:
    first = segments[0]
    if first.startswith("@") and _YT_HANDLE.match(first[1:]):
        return f"youtube:{first[1:].lower()}"
    if first == "channel" and len(segments) >= 2 and _YT_CHANNEL.match(segments[1]):
        return f"youtube:{segments[1]}"
    if first in ("c", "user") and len(segments) >= 2 and _YT_HANDLE.match(segments[1]):
        return f"youtube:{segments[1].lower()}"
    return None


def account_from_url(raw: str) -> str | None:
    """Canonical account for a profile/page/group URL (scheme optional), or None."""
    text = refang(raw).strip()
    hostish = _HOSTISH.match(text)
    if hostish is None:
        return None
    host = hostish.group(1).rpartition("@")[2].split(":", 1)[0].lower()
    platform = social_host(host)
    if platform is None:
        return None
    try:
        parts = split_url(text if "://" in text else "https://" + text)
    except InvalidIndicator:
        return None
    segments = [s for s in parts.path.split("/") if s]
    return _account_from_parts(platform, host, segments, parts.query)


def _from_handle(platform: str, handle: str) -> str:
    """Validate ``handle`` (an id, handle or the part after ``<platform>:``) for ``platform``."""
    value = handle.strip()
    found: str | None = None
    if platform == "facebook":
        # People write Facebook names as they mention them in posts: "@nguyen.van.a".
        kind, slash, name = value.removeprefix("@").rpartition("/")
        # A person's name as the profile links give it (five characters or more, with a
        # letter); a page's or group's slug more freely; digits only as an id.
        named = _fb_slug(name) if slash else _FB_USERNAME.match(name) and not name.isdigit()
        if (not slash or kind in ("group", "page")) and (named or _fb_id(name)):
            found = f"facebook:{kind}{slash}{name.lower()}"
    elif platform == "zalo":
        if value.lower().startswith("group/") and _ZALO_GROUP.match(value[6:]):
            found = f"zalo:group/{value[6:].lower()}"
        else:
            found = _zalo_number(value)
    elif platform == "youtube":
        name = value.removeprefix("@")
        if _YT_CHANNEL.match(name):
            found = f"youtube:{name}"
        elif _YT_HANDLE.match(name):
            found = f"youtube:{name.lower()}"
    else:
        name = value.removeprefix("@")
        pattern = {
            "telegram": _TG_NAME,
            "tiktok": _TIKTOK_NAME,
            "instagram": _IG_NAME,
            "x": _X_NAME,
        }[platform]
        if pattern.match(name):
            found = f"{platform}:{name.lower()}"
    if found is None:
        raise InvalidIndicator(format_lazy(gettext_lazy("not a valid {platform} account"),
                                          platform=PLATFORM_LABELS[platform]))
    return found


class SocialAccountType(IndicatorType):
    key = "social_account"
    label = "Social media account"

    def normalize(self, raw: str, *, platform: str | None = None) -> str:
        """Canonical account from a profile URL, ``<platform>:<handle>``, or a handle.

        ``platform`` names the platform of a bare handle such as ``@abc``.
        """
        text = raw.strip()
        wanted = PLATFORM_ALIASES.get(platform.strip().lower()) if platform else None
        if platform and wanted is None:
            raise InvalidIndicator(format_lazy(gettext_lazy("unknown platform: {platform}"),
                                               platform=platform))
        # "<platform>:<handle>" first: a canonical value such as "facebook:john.t.me" also has
        # the shape of a link (to a Telegram subdomain), and must read back as itself.
        if not self._names_platform(text) and self._is_url(text):
            found = account_from_url(text)
            if found is None:
                raise InvalidIndicator(gettext_lazy("this link is not a profile, page or group"))
            if wanted and not found.startswith(wanted + ":"):
                raise InvalidIndicator(format_lazy(gettext_lazy("not a {platform} link"),
                                                  platform=PLATFORM_LABELS[wanted]))
            return found
        for pattern in (_CANONICAL, _SPOKEN):
            match = pattern.match(text)
            named = PLATFORM_ALIASES.get(match.group(1).strip().lower()) if match else None
            if match and named:
                if wanted and named != wanted:
                    raise InvalidIndicator(format_lazy(gettext_lazy("not a {platform} account"),
                                                      platform=PLATFORM_LABELS[wanted]))
                return _from_handle(named, match.group(2))
        if wanted:
            return _from_handle(wanted, text)
        raise InvalidIndicator(
            gettext_lazy("name the platform, e.g. telegram:@name, or give a profile link"))

    @staticmethod
    def _names_platform(text: str) -> bool:
        match = _CANONICAL.match(text)
        return bool(match and match.group(1).strip().lower() in PLATFORM_ALIASES)

    @staticmethod
    def _is_url(text: str) -> bool:
        text = refang(text)
        if "://" in text:
            return True
        hostish = _HOSTISH.match(text)
        if hostish is None or "." not in hostish.group(1):
            return False
        return "/" in text or social_host(hostish.group(1)) is not None

    def display(self, canonical: str) -> str:
        """How people name the account, groups and pages in the active language."""
        platform, _, rest = canonical.partition(":")
        label = PLATFORM_LABELS.get(platform, platform)
        kind, slash, name = rest.rpartition("/")
        if slash:
            named = _GROUP_OR_PAGE.get(kind)
            if named is None:
                return f"{label} {kind} {name}"
            return str(named) % {"platform": label, "name": name}
        if platform == "zalo" or (platform == "youtube" and _YT_CHANNEL.match(rest)):
            return f"{label} {rest}"
        if platform == "facebook":
            return f"{label} {rest}"
        return f"{label} @{rest}"

    def looks_like(self, raw: str) -> bool:
        text = raw.strip()
        spoken = _SPOKEN.match(text)
        if spoken and spoken.group(1).strip().lower() in PLATFORM_ALIASES:
            return True
        if not text or has_space(text):
            return False
        hostish = _HOSTISH.match(refang(text))
        if hostish and social_host(hostish.group(1).rpartition("@")[2].split(":")[0]):
            return True
        match = _CANONICAL.match(text)
        return bool(match and match.group(1).strip().lower() in PLATFORM_ALIASES)

    def same(self, a: str, b: str) -> bool:
        try:
            return _identity(self.normalize(a)) == _identity(self.normalize(b))
        except InvalidIndicator:
            return False


def _identity(canonical: str) -> str:
    """What makes two canonical values one account, beyond string equality."""
    platform, _, rest = canonical.partition(":")
    if platform == "facebook":
        # Numeric ids share one space across profiles and pages, and Facebook ignores the
        # periods in usernames ("Periods don't count as part of a username").
        if rest.startswith("page/") and ascii_digits(rest[5:]):
            rest = rest[5:]
        if not rest.startswith(("group/", "page/")):
            rest = rest.replace(".", "")
    return f"{platform}:{rest}"
