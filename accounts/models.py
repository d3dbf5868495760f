"""Tenants, accounts, their directory roles, their sessions and every sign-in to any portal."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from web.hosts import DEFENDER, DIRECTORY, ENDPOINT, LEGACY


class Tenant(models.Model):
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("primary domain"), max_length=253, unique=True)
    # The tenant id the directory puts in every ID token (`tid`).
    directory_id = models.UUIDField(_("tenant id"), default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        # The support console's list: by name, ties broken by the newest id, as Django's
        # changelist orders it.
        indexes = [models.Index(fields=["name", "-id"], name="tenant_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.domain})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An account needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: signs in with its email; belongs to one home tenant (staff may have none)."""

    email = models.EmailField(_("email"), unique=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    tenant = models.ForeignKey(
        Tenant,
        verbose_name=_("home tenant"),
        related_name="users",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("May sign in to the support console.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    sessions_ended_at = models.DateTimeField(
        _("sessions ended"),
        null=True,
        blank=True,
        help_text=_("Every sign-in before this moment, in the directory and both portals, ended."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    # Django checks a session against this on every request: it changes with the password
    # and with `end_all_sessions()`, and each change signs out every session made before.
    def get_session_auth_hash(self) -> str:
        return self._sessions_hash()

    def get_session_auth_fallback_hash(self):
        for fallback in settings.SECRET_KEY_FALLBACKS:
            yield self._sessions_hash(secret=fallback)

    def _sessions_hash(self, secret: str | None = None) -> str:
        ended = self.sessions_ended_at.isoformat() if self.sessions_ended_at else ""
        return salted_hmac(
            "accounts.User.sessions", f"{self.password}|{ended}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def end_all_sessions(self, reason: str) -> None:
        """Sign this account out of the directory and both portals, in every browser."""
        from accounts.sign_ins import end_account_sessions

        end_account_sessions(self, reason)


class DirectoryRole(models.TextChoices):
    GLOBAL_ADMINISTRATOR = "global_administrator", _("Global Administrator")
    SECURITY_ADMINISTRATOR = "security_administrator", _("Security Administrator")
    SECURITY_OPERATOR = "security_operator", _("Security Operator")
    SECURITY_READER = "security_reader", _("Security Reader")
    GLOBAL_READER = "global_reader", _("Global Reader")


class RoleAssignment(models.Model):
    """A directory role an account holds in one tenant."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="role_assignments", on_delete=models.CASCADE
    )
    tenant = models.ForeignKey(Tenant, related_name="role_assignments", on_delete=models.CASCADE)
    role = models.CharField(_("directory role"), max_length=40, choices=DirectoryRole.choices)
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tenant", "role"], name="unique_role_assignment"
            )
        ]
        ordering = ["tenant__name", "role"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.tenant.name}"


class Portal(models.TextChoices):
    DEFENDER = DEFENDER, _("Defender portal")
    LEGACY = LEGACY, _("Legacy portal")
    ENDPOINT = ENDPOINT, _("Security Center")


class SignInSite(models.TextChoices):
    """Where a sign-in happened: one of the portals, or the directory itself."""

    DEFENDER = DEFENDER, _("Defender portal")
    LEGACY = LEGACY, _("Legacy portal")
    ENDPOINT = ENDPOINT, _("Security Center")
    DIRECTORY = DIRECTORY, _("Directory")


def session_reference(session_key: str) -> str:
    """A keyed hash naming a session: what is kept instead of its key, which is a bearer secret.

    The directory also sends it as the ID token's `sid`, so a portal can tell which directory
    session its own session came from.
    """
    return salted_hmac("accounts.session_reference", session_key, algorithm="sha256").hexdigest()


def sign_in_lifetime() -> timedelta:
    """How long a sign-in lasts: the session's expiry is pinned to sign-in + this at sign-in."""
    return timedelta(seconds=settings.SESSION_COOKIE_AGE)


class SignInSessionQuerySet(models.QuerySet):
    def active(self) -> SignInSessionQuerySet:
        # A Django session expires SESSION_COOKIE_AGE after its last save, and the sign-in
        # view pins that expiry to the moment of sign-in, so a row older than the lifetime
        # names a session that has expired even if `expire_sessions` has not yet run to end it.
        return self.filter(
            ended_at__isnull=True, signed_in_at__gt=timezone.now() - sign_in_lifetime()
        )

    def of_session(self, session_key: str) -> SignInSessionQuerySet:
        return self.filter(session_ref=session_reference(session_key))


class SignInSessionManager(models.Manager.from_queryset(SignInSessionQuerySet)):
    def create_from_request(
        self, request: HttpRequest, user, method: str, sid: str = ""
    ) -> SignInSession:
        user_agent_length = self.model._meta.get_field("user_agent").max_length
        return self.create(
            user=user,
            tenant_id=user.tenant_id,
            portal=request.portal,
            session_ref=session_reference(request.session.session_key or ""),
            sid=sid,
            signed_in_at=timezone.now(),
            method=method,
            ip_address=client_ip(request),
            user_agent=request.headers.get("user-agent", "")[:user_agent_length],
        )


class SignInSession(models.Model):
    """One sign-in to one portal, from its start to its end."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("Password")
        DIRECTORY = "directory", _("Through the directory")

    class EndReason(models.TextChoices):
        SIGNED_OUT = "signed_out", _("Signed out")
        EXPIRED = "expired", _("Expired")
        ENDED_BY_SUPPORT = "ended_by_support", _("Ended by support")
        REPLACED = "replaced", _("Replaced by another sign-in")
        ACCOUNT_CHANGED = "account_changed", _("Password changed or account disabled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="sign_in_sessions", on_delete=models.CASCADE
    )
    tenant = models.ForeignKey(
        Tenant, related_name="sign_in_sessions", on_delete=models.CASCADE, null=True, blank=True
    )
    portal = models.CharField(_("portal"), max_length=20, choices=SignInSite.choices)
    session_ref = models.CharField(_("session reference"), max_length=64, db_index=True)
    # The directory session this sign-in belongs to (the ID token's `sid`); the directory's
    # own row names itself. Ending that directory session ends every row that names it.
    sid = models.CharField(_("directory session"), max_length=64, blank=True, db_index=True)
    method = models.CharField(
        _("sign-in method"), max_length=20, choices=Method.choices, default=Method.PASSWORD
    )
    signed_in_at = models.DateTimeField(_("signed in"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)

    objects = SignInSessionManager()

    class Meta:
        verbose_name = _("sign-in session")
        ordering = ["-signed_in_at"]
        indexes = [
            models.Index(
                fields=["tenant", "portal", "signed_in_at"], name="signin_tenant_portal_time"
            ),
            models.Index(fields=["-signed_in_at"], name="signin_recent"),
            # The support console's session list: newest first, by portal, by tenant, open only.
            models.Index(fields=["portal", "-signed_in_at"], name="signin_portal_recent"),
            models.Index(fields=["tenant", "-signed_in_at"], name="signin_tenant_recent"),
            models.Index(
                fields=["-signed_in_at"],
                name="signin_open_recent",
                condition=models.Q(ended_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user} on the {self.get_portal_display()} at {self.signed_in_at:%Y-%m-%d %H:%M}"
        )

    @property
    def expires_at(self) -> datetime:
        return self.signed_in_at + sign_in_lifetime()

    @property
    def has_expired(self) -> bool:
        """Not ended by anyone, but past its lifetime: `expire_sessions` will record it."""
        return self.ended_at is None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        # Agrees with SignInSessionQuerySet.active().
        return self.ended_at is None and not self.has_expired

    def end(self, reason: str) -> None:
        if self.ended_at is None:
            self.ended_at = timezone.now()
            self.end_reason = reason
            self.save(update_fields=["ended_at", "end_reason"])


class SessionManager(BaseSessionManager):
    use_in_migrations = True


class Session(AbstractBaseSession):
    """A browser's session on one site: Django's session row, with whose and which sign-in's.

    Both columns are written from the session's own data on every save (accounts.sessions),
    so ending a sign-in or every session of an account is one statement, and reading a
    session (one row by its key) is the check that it has not ended.
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        related_name="sessions",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    sid = models.CharField(_("directory session"), max_length=64, blank=True, db_index=True)

    objects = SessionManager()

    class Meta(AbstractBaseSession.Meta):
        pass

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is the client's word, and the audit must not take it.
    return request.META.get("REMOTE_ADDR") or None
