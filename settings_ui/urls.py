"""Defender Settings URLs."""

app_name = "settings_ui"

urlpatterns: list = []
