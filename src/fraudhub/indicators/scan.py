"""The risk of a message: a pure function of its indicators' answers and its words.

Explainable by construction: every point of risk comes with the reason shown to the caller.

- The indicators set a floor: a confirmed scam value makes the message high risk (90), a
  suspicious one medium (40, rising with the number of distinct reporters up to 70), one under
  verification 35.
- Words that scams rely on add to it: asking for a one-time code or password, asking for a
  transfer or a fee, pressing for urgency, promising prizes or easy profit, posing as police,
  court or a bank. Vietnamese (with or without diacritics) and English are read.
- The two combine as independent evidence: ``risk = 100 - (100 - a) * (100 - b) / 100``.
- An official hotline or site (status ``safe``) halves the risk when nothing in the message is
  listed as bad -- a message that only gives the bank's real number is most likely genuine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from django.utils.translation import gettext as _

from fraudhub.indicators.types.base import fold_words

SCAM_FLOOR = 90
SUSPICIOUS_FLOOR = 40
SUSPICIOUS_PER_REPORTER = 5
SUSPICIOUS_CEILING = 70
MANY_REPORTERS = 3
VERIFYING_FLOOR = 35
KEYWORDS_CEILING = 60


class Answer(Protocol):
    """What scoring reads of a lookup answer (LookupResult has these fields)."""

    @property
    def status(self) -> str | None: ...
    @property
    def reporters(self) -> int | None: ...
    @property
    def display(self) -> str | None: ...
    @property
    def value(self) -> str | None: ...


def _words(*phrases: str) -> re.Pattern[str]:
    # Matched on fold_words() output: lower-case ASCII words separated by single spaces.
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(phrases) + r")(?![a-z0-9])")


# (pattern, weight, reason) -- reasons are functions so that they follow the active language.
_SIGNALS: list[tuple[re.Pattern[str], int, Callable[[], str]]] = [
    (_words(r"otp", r"ma xac (?:thuc|nhan|minh)", r"ma (?:bao mat|kich hoat|pin)",
            r"mat khau", r"verification code", r"security code", r"one time (?:code|password)",
            r"passcode", r"password", r"pin code", r"cvv", r"cvc"),
     25, lambda: _("It asks for a one-time code, a PIN or a password.")),
    (_words(r"chuyen (?:khoan|tien|ngay|gap|phi)", r"nap (?:tien|them|phi)",
            r"(?:dong|nop|tra) (?:phi|tien|le phi|thue)", r"phi (?:xu ly|ho so|giai ngan|"
            r"bao hiem|kich hoat|rut tien)", r"stk", r"so tai khoan",
            r"(?:bank |wire )?transfer", r"send (?:money|the money|funds|payment)",
            r"deposit", r"pay (?:a |the )?fee", r"processing fee", r"top up", r"gift cards?"),
     15, lambda: _("It asks you to transfer money or pay a fee.")),
    # Not a bare "gap": without diacritics "gấp" (urgent) and "gặp" (meet) are the same word.
    (_words(r"gap rut", r"khan cap", r"ngay lap tuc", r"ngay bay gio", r"trong vong \d+",
            r"truoc \d+ ?h", r"het han", r"sap bi khoa", r"(?:bi|se bi|tam) khoa",
            r"dinh chi", r"urgent(?:ly)?", r"immediately", r"right now", r"within \d+ "
            r"(?:minutes|hours)", r"expires? (?:today|soon)", r"last chance",
            r"(?:account|card) (?:will be )?(?:locked|suspended|blocked)", r"act now"),
     15, lambda: _("It pushes you to act urgently or threatens to lock an account.")),
    (_words(r"trung thuong", r"qua tang", r"nhan thuong", r"giai thuong", r"loi nhuan",
            r"lai suat cao", r"hoa hong", r"viec nhe luong cao", r"lam nhiem vu",
            r"cong tac vien", r"dau tu", r"you (?:have )?won", r"winner", r"prize",
            r"free gift", r"guaranteed (?:profit|return)", r"easy money", r"investment"),
     10, lambda: _("It promises a prize, a job or easy profit.")),
    (_words(r"cong an", r"vien kiem sat", r"toa an", r"bo cong an", r"canh sat",
            r"dieu tra", r"lenh bat", r"police", r"court", r"prosecutor", r"arrest warrant",
            r"tax office", r"co quan thue"),
     10, lambda: _("It claims to come from the police, a court or another authority.")),
    (_words(r"bam vao (?:link|duong link|lien ket)", r"truy cap (?:link|duong link)",
            r"dang nhap (?:tai|vao)", r"cap nhat thong tin", r"xac thuc tai khoan",
            r"click (?:the |this )?link", r"log ?in (?:here|at)", r"verify your account",
            r"update your (?:details|information)"),
     10, lambda: _("It asks you to open a link and sign in or give your details.")),
]


def _combine(a: int, b: int) -> int:
    return round(100 - (100 - a) * (100 - b) / 100)


def _name(answer: Answer) -> str:
    return answer.display or answer.value or ""


def score(results: Sequence[Answer], text: str = "") -> tuple[int, list[str]]:
    """``(risk 0-100, reasons)`` for a message with these indicator answers."""
    reasons: list[str] = []
    floor = 0
    bad = False
    safe: list[Answer] = []
    for answer in results:
        if answer.status == "scam":
            bad = True
            floor = max(floor, SCAM_FLOOR)
            reasons.append(_("%(value)s is a confirmed scam.") % {"value": _name(answer)})
        elif answer.status == "suspicious":
            bad = True
            reporters = answer.reporters or 0
            floor = max(floor, min(SUSPICIOUS_CEILING,
                                   SUSPICIOUS_FLOOR + SUSPICIOUS_PER_REPORTER * reporters))
            if reporters >= MANY_REPORTERS:
                reasons.append(_("%(value)s was reported by %(n)d people (not yet confirmed).")
                               % {"value": _name(answer), "n": reporters})
            else:
                reasons.append(_("%(value)s was reported as suspicious (not yet confirmed).")
                               % {"value": _name(answer)})
        elif answer.status == "verifying":
            bad = True
            floor = max(floor, VERIFYING_FLOOR)
            reasons.append(_("%(value)s is being verified after reports.")
                           % {"value": _name(answer)})
        elif answer.status == "safe":
            safe.append(answer)

    words = fold_words(text) if text else ""
    keyword_points = 0
    for pattern, weight, reason in _SIGNALS:
        if words and pattern.search(words):
            keyword_points += weight
            reasons.append(reason())
    risk = _combine(floor, min(KEYWORDS_CEILING, keyword_points))

    if safe and not bad:
        risk //= 2
        for answer in safe:
            reasons.append(_("%(value)s is an official number or site.")
                           % {"value": _name(answer)})
    return max(0, min(100, risk)), reasons
