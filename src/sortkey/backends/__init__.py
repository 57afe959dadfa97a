"""Backends: what answers DynamoDB requests (embedded engine, botocore, aiobotocore, HTTP)."""

from __future__ import annotations

from .base import AsyncBackend, Backend
from .botocore import BotocoreBackend
from .http import HttpBackend

__all__ = ["AsyncBackend", "Backend", "BotocoreBackend", "HttpBackend"]
