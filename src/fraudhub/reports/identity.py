"""Who filed a report, as far as FraudHub can tell people apart (a Reporter's identity).

An identity carries a reputation, a report count per case and, after bad faith, a suspension
(EU DSA Art. 23), so it must name someone who proved it: a logged-in user, an organization,
an API key, an e-mail address whose owner followed the link mailed to it. An address typed
into the form proves nothing -- anyone can type someone else's, borrow its standing or get it
suspended -- so until it is confirmed, a report counts as its connection's.

Addresses and IPs are stored keyed (HMAC with the secret key): the table must not let anyone
who reads it test whether a given address or IP reported (a plain hash of an address is
found by hashing a list of addresses).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils.crypto import salted_hmac

from fraudhub.core.actors import Actor

_EMAIL_SALT = "fraudhub.reports.reporter-identity.email"


def normalized_email(email: str) -> str:
    return email.strip().lower()


def email_identity(email: str) -> str:
    """The identity of a confirmed e-mail address (the same for any case of the address)."""
    digest = salted_hmac(_EMAIL_SALT, normalized_email(email), algorithm="sha256").hexdigest()
    return "email:" + digest[:40]


def email_digest(email: str) -> str:
    """What a confirmation link carries to name the address it was mailed to (not the address:
    links end up in logs and browser histories)."""
    return email_identity(email).removeprefix("email:")[:16]


def ip_identity(ip: str | None) -> str:
    keyed = hashlib.sha256(f"{settings.SECRET_KEY}:{ip or '-'}".encode()).hexdigest()
    return "ip:" + keyed[:40]


def is_connection_identity(identity: str) -> bool:
    """A report filed under its connection: an anonymous one, its address not confirmed."""
    return identity.startswith("ip:")


def reporter_identity(actor: Actor) -> str:
    """The identity a new report is filed under (see the module's docstring)."""
    if actor.user is not None:
        return f"user:{actor.user.pk}"
    if actor.organization is not None:
        return f"org:{actor.organization.pk}"
    if actor.api_key is not None:
        return f"apikey:{actor.api_key.pk}"
    return ip_identity(actor.ip)
