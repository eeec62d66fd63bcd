from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenResponse")


@_attrs_define
class TokenResponse:
    """Successful token response (`application/json;charset=UTF-8`). Lengths follow the Ruby model
    validations; examples follow the Java model.

        Attributes:
            access_token (str): The access token. On the bank's resource APIs send it as `x-access-token: <access_token>`,
                not `Authorization: Bearer`.
            scope (str): The granted scopes, space-separated.
            token_type (str): Token type; "Bearer固定" (always `Bearer`; the swagger's example and description are
                swapped). Plain string; compare case-insensitively.
            expires_in (int): Lifetime in seconds, e.g. `2592000` (30 days). Declared as an integer because the official
                Go SDK unmarshals it into `ExpiresIn int` (which would fail on a JSON string). The vendor
                swagger models declare it a string of length 1-20 with example `"2592000"`; the wrapper
                accepts both an integer and a numeric string.
            refresh_token (str | Unset): Refresh token, issued only when the `offline_access` scope was granted. Optional
                here
                although the vendor swagger marks it required.
            id_token (str | Unset): ID token (JWT), returned in the OpenID Connect flow. Signed HS256 with the client
                secret;
                `aud` is the client_id, `iss` the issuer (`https://api.gmo-aozora.com/` or
                `https://stg-api.gmo-aozora.com/`), and it carries the `nonce` claim. The vendor swagger's
                `maxLength: 20` is clearly wrong and is dropped.
    """

    access_token: str
    scope: str
    token_type: str
    expires_in: int
    refresh_token: str | Unset = UNSET
    id_token: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        scope = self.scope

        token_type = self.token_type

        expires_in = self.expires_in

        refresh_token = self.refresh_token

        id_token = self.id_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "scope": scope,
                "token_type": token_type,
                "expires_in": expires_in,
            }
        )
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token
        if id_token is not UNSET:
            field_dict["id_token"] = id_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        scope = d.pop("scope")

        token_type = d.pop("token_type")

        expires_in = d.pop("expires_in")

        refresh_token = d.pop("refresh_token", UNSET)

        id_token = d.pop("id_token", UNSET)

        token_response = cls(
            access_token=access_token,
            scope=scope,
            token_type=token_type,
            expires_in=expires_in,
            refresh_token=refresh_token,
            id_token=id_token,
        )

        token_response.additional_properties = d
        return token_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
