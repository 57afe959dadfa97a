"""``sortkey serve``: the embedded engine behind DynamoDB's HTTP API (JSON 1.0 protocol).

Any DynamoDB client — botocore/boto3, the AWS CLI, the AWS SDKs, :class:`HttpBackend` —
talks to it as it talks to AWS: ``POST /`` with ``X-Amz-Target: DynamoDB_20120810.<Operation>``.
Signatures are accepted without checking them. Standard library only.

>>> from sortkey.server import Server
>>> with Server(port=0).start() as server:  # doctest: +SKIP
...     db = sortkey.connect(server.endpoint_url)
"""

from __future__ import annotations

from .http import Server
from .protocol import TARGET_PREFIX, error_body, respond

__all__ = ["TARGET_PREFIX", "Server", "error_body", "respond"]
