import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _


class PrivateStorage(LazyObject):
    """STORAGES["private"], looked up on first use and again whenever the setting changes."""

    def _setup(self) -> None:
        self._wrapped = storages.create_storage(settings.STORAGES["private"])


private_files = PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(setting: str, **_kwargs: object) -> None:
    if setting == "STORAGES":
        private_files._wrapped = empty


def private_storage() -> Storage:
    """The storage of files served only through permission checks (STORAGES["private"])."""
    return private_files  # type: ignore[return-value]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a customer, an agent (is_staff) or an admin (is_superuser)."""

    class Approval(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Waiting for approval")
        REJECTED = "rejected", _("Rejected")

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    is_staff = models.BooleanField(
        _("agent"), default=False, help_text=_("Agents work behind the portal.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_away = models.BooleanField(
        _("away"),
        default=False,
        help_text=_("Agents who are away get no requests by automatic assignment."),
    )
    approval = models.CharField(
        _("approval"), max_length=16, choices=Approval, default=Approval.APPROVED
    )
    avatar = models.ImageField(
        _("avatar"), upload_to="avatars/%Y/%m/", storage=private_storage, blank=True
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deletion_due_at = models.DateTimeField(
        _("deletion due at"),
        null=True,
        blank=True,
        help_text=_("The account asked to be deleted; its personal data goes at this time."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("approve_user", _("Can approve or reject registrations"))]
        # Agents are a few among tens of thousands of customers: the workspace lists them on
        # every page (assignee drop-downs), which read every user without it.
        indexes = [models.Index(fields=["is_staff", "is_active"], name="user_agents")]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class OrganisationTag(models.Model):
    """A label on organisations ("enterprise", "partner") that content can be aimed at."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("organisation tag")
        verbose_name_plural = _("organisation tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A business customer whose members share requests and documents."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    members = models.ManyToManyField(User, through="Membership", related_name="organisations")
    tags = models.ManyToManyField(
        OrganisationTag, blank=True, related_name="organisations", verbose_name=_("tags")
    )
    members_see_all_requests = models.BooleanField(
        _("members see all of the organisation's requests"), default=False
    )
    require_mfa = models.BooleanField(
        _("members must use two-factor authentication"), default=False
    )
    sso_only = models.BooleanField(
        _("sign-in through single sign-on only"),
        default=False,
        help_text=_("Members whose address is in one of the organisation's domains must use SSO."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an organisation."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Organisation admin")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class OrganisationDomain(models.Model):
    """An email domain of an organisation: verified addresses in it join the organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: object, **kwargs: object) -> None:
        self.domain = self.domain.strip().lower().lstrip("@").rstrip(".")
        super().save(*args, **kwargs)


class Invitation(models.Model):
    """An invitation to join the portal, and an organisation when one is named."""

    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        null=True,
        blank=True,
    )
    role = models.CharField(
        _("role"), max_length=16, choices=Membership.Role, default=Membership.Role.MEMBER
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "organisation"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
            )
        ]

    def __str__(self) -> str:
        return self.email


class UserImport(models.Model):
    """A CSV file of people an admin is importing: its rows, checked at preview, then its progress.

    The random id is the only handle on it; only the admin who uploaded it may preview or confirm.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("preview expires at"))
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    encoding = models.CharField(_("encoding"), max_length=16)
    create_organisations = models.BooleanField(_("create missing organisations"), default=False)
    brand_name = models.CharField(_("brand name"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PREVIEWED, db_index=True
    )
    # Each row as read and checked: line, name, email, organisation, role, language, errors and
    # the outcome the preview showed.
    rows = models.JSONField(_("rows"), default=list)
    ignored_columns = models.JSONField(_("ignored columns"), default=list)
    planned = models.JSONField(_("planned outcomes"), default=dict)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    result = models.JSONField(_("result"), default=dict)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user import")
        verbose_name_plural = _("user imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class Department(models.Model):
    """A group of agents that requests are routed to, such as Billing or Technical support."""

    class Assignment(models.TextChoices):
        NONE = "none", _("No automatic assignment")
        ROUND_ROBIN = "round_robin", _("Round robin: each agent in turn")
        LEAST_LOAD = "least_load", _("Least open requests first")

    name = models.CharField(_("name"), max_length=120, unique=True)
    members = models.ManyToManyField(
        User,
        related_name="departments",
        blank=True,
        limit_choices_to={"is_staff": True},
        verbose_name=_("agents"),
    )
    assignment = models.CharField(
        _("automatic assignment"),
        max_length=16,
        choices=Assignment,
        default=Assignment.NONE,
        help_text=_("How a new request of this group finds its agent. Away agents are skipped."),
    )
    # Where the turn stopped: the next assignment starts with the agent after this one.
    last_assigned = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(Group):
    """A named set of permissions given to agents and admins; admins define their own."""

    class Meta:
        proxy = True
        verbose_name = _("role")
        verbose_name_plural = _("roles")


class SecurityPolicy(models.Model):
    """Portal-wide security settings an admin changes in the app (one row)."""

    staff_require_mfa = models.BooleanField(
        _("agents and admins must use two-factor authentication"), default=False
    )
    staff_ip_allowlist = models.TextField(
        _("IP allowlist for agents and admins"),
        blank=True,
        help_text=_(
            "One network per line in CIDR form (203.0.113.0/24). Empty allows every address."
        ),
    )

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(_("Security policy"))


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification on one channel; no row means "on"."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEB = "web", _("In the portal")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event", "channel"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.event}/{self.channel}: {self.enabled}"


class DataExport(models.Model):
    """A download of everything the portal holds about one person (GDPR Art. 15 and 20).

    The random id is the handle in the mailed link; only its owner may use it, once, until it
    expires.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    file = models.FileField(_("file"), upload_to="exports/", storage=private_storage, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class SsoTrustedDomain(models.Model):
    """An email domain whose addresses an identity provider may vouch for (R39).

    An address from a provider is taken as verified, and may sign in to an existing account of
    that address, only when the provider is trusted for the address's domain.
    """

    app = models.ForeignKey(
        "socialaccount.SocialApp",
        on_delete=models.CASCADE,
        related_name="trusted_domains",
        verbose_name=_("identity provider"),
    )
    domain = models.CharField(_("domain"), max_length=253)

    class Meta:
        verbose_name = _("trusted email domain")
        verbose_name_plural = _("trusted email domains")
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["app", "domain"], name="sso_trusted_domain_unique")
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: object, **kwargs: object) -> None:
        self.domain = self.domain.strip().lower().lstrip("@").rstrip(".")
        super().save(*args, **kwargs)


class Notification(models.Model):
    """One entry of a person's notification centre (the bell in the header).

    The text is not stored: kind names a registered text and params fill it, so each person
    reads it in the language they use when they look (accounts.notifications.text_of).
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=64)
    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            # The bell counts unread rows on every page: a small partial index keeps it cheap.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind}"
