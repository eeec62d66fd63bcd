from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PostAuthResponseData")


@_attrs_define
class PostAuthResponseData:
    """Token data. Wire names are camelCase (the Ruby docs tables show snake_case attribute names). Every field is required
    and non-nullable.

        Attributes:
            access_token (str): The Account-scoped access token.
            expires_at (datetime.datetime): Absolute expiry timestamp (not a number of seconds).
            refresh_token (str): Refresh token. Assumed: how it is used is unknown (no refresh endpoint is known); re-mint
                with `POST /auth/token` instead. Never log it.
    """

    access_token: str
    expires_at: datetime.datetime
    refresh_token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_at = self.expires_at.isoformat()

        refresh_token = self.refresh_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accessToken": access_token,
                "expiresAt": expires_at,
                "refreshToken": refresh_token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("accessToken")

        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))

        refresh_token = d.pop("refreshToken")

        post_auth_response_data = cls(
            access_token=access_token,
            expires_at=expires_at,
            refresh_token=refresh_token,
        )

        post_auth_response_data.additional_properties = d
        return post_auth_response_data

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
