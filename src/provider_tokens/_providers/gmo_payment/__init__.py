"""GMO Payment Gateway: client credentials (shop ID and password) on its own ``oauth`` host."""

from __future__ import annotations

from ..._exceptions import InvalidClientError, InvalidRequestError
from ..._provider import Provider

PROVIDER = Provider(
    name="gmo_payment",
    title="GMO Payment Gateway",
    source="GmoPayment",
    servers={"production": "https://oauth.mul-pay.jp", "test": "https://stg.oauth.mul-pay.jp"},
    variables={
        "shop_id": "GMO_PG_SHOP_ID",
        "shop_pass": "GMO_PG_SHOP_PASS",
        "base_url": "GMO_PG_BASE_URL",
    },
    required=("shop_id", "shop_pass"),
    token_path="/token",
    fake_lifetime=3600,
    test_credentials={"shop_id": "tshop-FAKE-0001", "shop_pass": "FAKE-gmo-pg-shop-pass"},
    # RFC 9457 problem titles.
    error_codes={
        "unauthorized_request": InvalidClientError,
        "invalid_parameter": InvalidRequestError,
        "missing_parameter": InvalidRequestError,
        "invalid_header": InvalidRequestError,
        "unsupported_media_type": InvalidRequestError,
        "method_not_allowed": InvalidRequestError,
    },
    sensitive_fields={"shop_pass"},
)
