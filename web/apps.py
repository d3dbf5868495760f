"""The web layer every site shares: host routing, sessions, cache, templating, error pages."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web"
