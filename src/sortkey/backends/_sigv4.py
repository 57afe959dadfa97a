"""AWS Signature Version 4 for DynamoDB's JSON requests (POST to one path, no query string).

Only what :class:`~sortkey.backends.http.HttpBackend` sends is covered: a POST with a body,
an empty query string and a handful of headers, all of them signed. The steps are AWS's
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):

1. canonical request: method, path, query, ``name:value`` lines of the signed headers
   (lower-case names, sorted, values trimmed), the signed header names, hex SHA-256 of the body;
2. string to sign: algorithm, timestamp, credential scope ``date/region/service/aws4_request``,
   hex SHA-256 of the canonical request;
3. signing key: HMAC chain over date, region, service, ``aws4_request`` from ``"AWS4" + secret``
   — it changes once a day, so it is cached;
4. ``Authorization: AWS4-HMAC-SHA256 Credential=<key>/<scope>, SignedHeaders=..., Signature=...``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

__all__ = ["Signer"]

_ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


class Signer:
    """Signs requests for one set of credentials, region and service.

    Args:
        access_key: the AWS access key id.
        secret_key: the AWS secret access key.
        region: e.g. ``"us-east-1"``.
        token: a session token (temporary credentials), sent as ``X-Amz-Security-Token``.
        service: the signing name, ``"dynamodb"``.
    """

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        region: str,
        *,
        token: str | None = None,
        service: str = "dynamodb",
    ) -> None:
        self.access_key = access_key
        self._secret_key = secret_key
        self.region = region
        self.token = token
        self.service = service
        self._key_date = ""
        self._key = b""

    def _signing_key(self, date: str) -> bytes:
        if date != self._key_date:
            key = _hmac(("AWS4" + self._secret_key).encode("utf-8"), date)
            for part in (self.region, self.service, "aws4_request"):
                key = _hmac(key, part)
            # One assignment each: a thread reading both mid-update recomputes, never mixes.
            self._key, self._key_date = key, date
        return self._key

    def sign(
        self,
        headers: Mapping[str, str],
        body: bytes,
        *,
        path: str = "/",
        now: float | None = None,
    ) -> dict[str, str]:
        """Return ``headers`` plus ``X-Amz-Date``, the token header and ``Authorization``.

        Args:
            headers: the headers to send and sign; must include ``Host``.
            body: the exact request body.
            path: the request path (already URI-encoded).
            now: the signing time in epoch seconds (default: the clock).
        """
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
        date = stamp[:8]
        signed = dict(headers)
        signed["X-Amz-Date"] = stamp
        if self.token:
            signed["X-Amz-Security-Token"] = self.token
        canonical_headers = sorted(
            (name.lower(), " ".join(value.split())) for name, value in signed.items()
        )
        names = ";".join(name for name, _ in canonical_headers)
        canonical_request = "\n".join(
            [
                "POST",
                path,
                "",
                "".join(f"{name}:{value}\n" for name, value in canonical_headers),
                names,
                hashlib.sha256(body).hexdigest(),
            ]
        )
        scope = f"{date}/{self.region}/{self.service}/aws4_request"
        string_to_sign = "\n".join(
            [_ALGORITHM, stamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        signature = hmac.new(
            self._signing_key(date), string_to_sign.encode("utf-8"), hashlib.sha256
        ).hexdigest()
        signed["Authorization"] = (
            f"{_ALGORITHM} Credential={self.access_key}/{scope}, "
            f"SignedHeaders={names}, Signature={signature}"
        )
        return signed
