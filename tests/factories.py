"""factory-boy factories for every model the tests build."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from oauth2_provider.models import get_application_model

from accounts.models import DirectoryRole, RoleAssignment, SignInSession, Tenant, User
from portal.models import (
    Alert,
    ClearTextPassword,
    Device,
    Group,
    GroupChange,
    HealthIssue,
    Identity,
    Incident,
    SiemIntegration,
)

PASSWORD = "correct-horse-battery"


class TenantFactory(DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("domain",)

    name = factory.Sequence(lambda n: f"Tenant {n}")
    domain = factory.Sequence(lambda n: f"tenant{n}.example")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    display_name = factory.Faker("name")
    tenant = factory.SubFactory(TenantFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            RoleAssignmentFactory(user=self, tenant=self.tenant, role=role)
        if create:
            self.save()


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    tenant = factory.SelfAttribute("user.tenant")
    role = DirectoryRole.SECURITY_READER


class SignInSessionFactory(DjangoModelFactory):
    class Meta:
        model = SignInSession

    user = factory.SubFactory(UserFactory)
    tenant = factory.SelfAttribute("user.tenant")
    portal = "legacy"
    session_ref = factory.Sequence(lambda n: f"{n:064d}")
    signed_in_at = factory.LazyFunction(timezone.now)


class IdentityFactory(DjangoModelFactory):
    class Meta:
        model = Identity

    tenant = factory.SubFactory(TenantFactory)
    display_name = factory.Faker("name")
    account_name = factory.Sequence(lambda n: f"account{n}")
    upn = factory.LazyAttribute(lambda o: f"{o.account_name}@{o.tenant.domain}")
    department = "Finance"
    job_title = "Analyst"
    risk_level = "medium"


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = Device

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"WS{n:04d}")
    dns_name = factory.LazyAttribute(lambda o: f"{o.name.lower()}.{o.tenant.domain}")
    os = "Windows 11 Enterprise"
    ip_address = factory.Sequence(lambda n: f"10.0.{n // 250}.{n % 250 + 1}")


class IncidentFactory(DjangoModelFactory):
    class Meta:
        model = Incident

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Incident {n}")
    severity = "medium"
    status = "new"


class AlertFactory(DjangoModelFactory):
    class Meta:
        model = Alert

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Suspected brute-force attack #{n}")
    description = "Many failed sign-ins against one account."
    category = "Credential access"
    severity = "medium"
    status = "new"
    identity = factory.SubFactory(IdentityFactory, tenant=factory.SelfAttribute("..tenant"))
    device = factory.SubFactory(DeviceFactory, tenant=factory.SelfAttribute("..tenant"))


class EndpointAlertFactory(AlertFactory):
    """An alert Defender for Endpoint raised on a device, as the Security Center shows it."""

    title = factory.Sequence(lambda n: f"Suspicious PowerShell command line #{n}")
    description = "A process ran an encoded PowerShell command."
    category = "Execution"
    service_source = "endpoint"
    detection_source = "edr"


class HealthIssueFactory(DjangoModelFactory):
    class Meta:
        model = HealthIssue

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Sensor outdated #{n}")
    description = "A sensor runs an old version."
    recommendation = "Update the sensor."
    kind = "sensor"
    severity = "medium"
    status = "open"


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    description = "A directory group"
    is_sensitive = False


class GroupChangeFactory(DjangoModelFactory):
    class Meta:
        model = GroupChange

    group = factory.SubFactory(GroupFactory, is_sensitive=True)
    tenant = factory.SelfAttribute("group.tenant")
    action = "added"
    member = factory.SubFactory(IdentityFactory, tenant=factory.SelfAttribute("..tenant"))
    changed_by = factory.SubFactory(IdentityFactory, tenant=factory.SelfAttribute("..tenant"))
    domain_controller = factory.SubFactory(
        DeviceFactory, tenant=factory.SelfAttribute("..tenant"), is_domain_controller=True
    )


class ClearTextPasswordFactory(DjangoModelFactory):
    class Meta:
        model = ClearTextPassword

    tenant = factory.SubFactory(TenantFactory)
    identity = factory.SubFactory(IdentityFactory, tenant=factory.SelfAttribute("..tenant"))
    source = factory.SubFactory(DeviceFactory, tenant=factory.SelfAttribute("..tenant"))


CLIENT_SECRET = "a-siem-client-secret-of-sixty-four-characters-0123456789abcdefgh"


class SiemApplicationFactory(DjangoModelFactory):
    class Meta:
        model = get_application_model()

    name = factory.Sequence(lambda n: f"SIEM {n}")
    client_type = "confidential"
    authorization_grant_type = "client-credentials"
    client_secret = CLIENT_SECRET


class SiemIntegrationFactory(DjangoModelFactory):
    """A tenant's SIEM, registered with the client secret CLIENT_SECRET."""

    class Meta:
        model = SiemIntegration

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(SiemApplicationFactory)
