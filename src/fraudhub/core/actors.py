"""Who is acting. Services receive an Actor, never a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fraudhub.core.roles import (
    PERSONAL_PERMS,
    SECOND_FACTOR_ROLES,
    Perm,
    Role,
    permissions_for_role,
)

if TYPE_CHECKING:
    from fraudhub.core.models import ApiKey, Organization, User

# Every kind of actor; the audit log stores one of them with each entry.
ACTOR_KINDS = ("user", "api_key", "anonymous", "system")


@dataclass(frozen=True)
class Actor:
    kind: str  # one of ACTOR_KINDS
    user: User | None = None
    api_key: ApiKey | None = None
    ip: str | None = None
    system_label: str = ""
    perms: frozenset[Perm] = field(default_factory=frozenset)

    @classmethod
    def for_user(cls, user: User, *, ip: str | None = None) -> Actor:
        return cls(kind="user", user=user, ip=ip, perms=permissions_for_role(user.role))

    @classmethod
    def for_api_key(cls, api_key: ApiKey, *, ip: str | None = None) -> Actor:
        """The key's role, narrowed to its scopes and to what its holder may do now.

        A key issued before keys had holders keeps its other permissions but not the personal
        ones: nobody could tell whose decision it made.
        """
        perms = key_permissions(role=api_key.role, scopes=api_key.scopes)
        holder = api_key.holder
        if holder is None:
            perms -= PERSONAL_PERMS
        else:
            perms &= permissions_for_role(holder.role)
        return cls(kind="api_key", api_key=api_key, ip=ip, perms=perms)

    @classmethod
    def anonymous(cls, *, ip: str | None = None) -> Actor:
        return cls(kind="anonymous", ip=ip, perms=permissions_for_role(Role.CITIZEN))

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(kind="system", system_label=label, perms=frozenset(Perm))

    @property
    def role(self) -> str:
        if self.user is not None:
            return self.user.role
        if self.api_key is not None:
            holder = self.api_key.holder
            # A key acts in its role while its holder could: a demoted holder's key of a
            # higher role acts in the holder's role (its permissions already do).
            if holder is not None and not (permissions_for_role(self.api_key.role)
                                           <= permissions_for_role(holder.role)):
                return holder.role
            return self.api_key.role
        if self.kind == "system":
            return Role.ADMIN
        return Role.CITIZEN

    @property
    def organization(self) -> Organization | None:
        if self.user is not None:
            return self.user.organization
        if self.api_key is not None:
            return self.api_key.organization
        return None

    @property
    def id(self) -> str:
        if self.user is not None:
            return str(self.user.pk)
        if self.api_key is not None:
            return str(self.api_key.pk)
        return ""

    @property
    def identity(self) -> str:
        """Stable name of the acting party, used for claims and four-eyes checks.

        A key issued to a person is that person: a case decided in the console and its appeal
        decided with the same reviewer's key are decided by one person.
        """
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.api_key is not None:
            if self.api_key.holder_id is not None:
                return f"user:{self.api_key.holder_id}"
            return f"apikey:{self.api_key.pk}"
        if self.kind == "system":
            return f"system:{self.system_label}"
        return "anonymous"

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        if self.api_key is not None:
            holder = self.api_key.holder
            if holder is not None:
                return f"{holder.get_username()} (apikey:{self.api_key.name})"
            return f"apikey:{self.api_key.name}"
        if self.kind == "system":
            return f"system:{self.system_label}"
        return "anonymous"

    @property
    def is_authenticated(self) -> bool:
        return self.kind in {"user", "api_key"}

    @property
    def needs_second_factor(self) -> bool:
        return self.kind == "user" and self.role in SECOND_FACTOR_ROLES

    def has_perm(self, perm: Perm) -> bool:
        return perm in self.perms


def key_permissions(*, role: str, scopes: list[str] | None) -> frozenset[Perm]:
    """What a key of ``role`` may do, narrowed to ``scopes`` when it names any."""
    role_perms = permissions_for_role(role)
    if not scopes:
        return role_perms
    named = set(scopes)
    return frozenset(p for p in role_perms if p.value in named)
