from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OauthTokenResponse")


@_attrs_define
class OauthTokenResponse:
    """Access token response. Every field is required and non-null (PHP model validation).

    Attributes:
        access_token (str): The access token.
        expires_in (int): Expiration time of token in seconds. Set per application in the dashboard: 1 day, 1 week or
            never.
            Assumed: what this field holds for never-expiring tokens is unknown; treat a zero or negative value
            as "expiry unknown".
        token_type (str): Token type. Vendor enum `[Bearer]`, default "Bearer" (capital B); a plain string here.
        scope (str): Space-delimited list of granted scopes.
    """

    access_token: str
    expires_in: int
    token_type: str
    scope: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_in = self.expires_in

        token_type = self.token_type

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "expires_in": expires_in,
                "token_type": token_type,
                "scope": scope,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        expires_in = d.pop("expires_in")

        token_type = d.pop("token_type")

        scope = d.pop("scope")

        oauth_token_response = cls(
            access_token=access_token,
            expires_in=expires_in,
            token_type=token_type,
            scope=scope,
        )

        oauth_token_response.additional_properties = d
        return oauth_token_response

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
