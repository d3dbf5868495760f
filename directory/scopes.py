"""The directory's scopes, by the kind of client that may be given them.

The portals sign accounts in (OpenID Connect scopes, through the authorization code grant);
an API client reads a Security Center API for its tenant (API scopes, through the client
credentials grant). Neither may ask for the other's (directory.provider.DirectoryScopes).
Their descriptions are the settings' (OAUTH2_PROVIDER["SCOPES"]).
"""

ALERTS_READ = "alerts.read"

SIGN_IN_SCOPES = ("openid", "profile", "email")
API_SCOPES = (ALERTS_READ,)
