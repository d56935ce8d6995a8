"""Service clients and their API keys.

A key is shown once at creation and stored only as a SHA-256 hash (keys are 256-bit random, so a fast
hash is enough). The HMAC signing secret must be recoverable to verify signatures, so it is stored
encrypted (Fernet, keys from ``API_SECRETS_ENCRYPTION_KEYS``).
"""

from __future__ import annotations

from django.db import models

__all__ = ["ApiClient", "ApiKey"]


class ApiClient(models.Model):
    """A calling system (e.g. the Trebanx platform) with the roles its keys carry."""

    name = models.SlugField(max_length=64, unique=True)
    roles = models.JSONField(default=list, help_text="Role names this client's keys carry, e.g. ['service'].")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """One credential of a client. Revocation is a timestamp, never a delete (keeps the audit trail)."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="keys")
    key_id = models.CharField(max_length=16, unique=True, help_text="Public part of the key (lk_<key_id>_...).")
    key_hash = models.CharField(max_length=64)
    signing_secret_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.client.name}:{self.key_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
