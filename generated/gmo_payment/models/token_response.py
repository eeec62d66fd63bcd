from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenResponse")


@_attrs_define
class TokenResponse:
    """アクセストークン発行(/token)成功時のレスポンスパラメーター (successful token response).
    As in the vendor OAS there is no `required` list, so every member is optional; the caller must
    check that `access_token` is present.

        Attributes:
            access_token (str | Unset): アクセストークン (the access token). Send it to the payment APIs as
                `Authorization: Bearer <access_token>`.
            expires_in (str | Unset): 有効期間(秒) (lifetime in seconds), sent as a JSON string, e.g. `"3600"`; departs from
                RFC 6749's number. 3600 (1 hour) is the default, but the vendor says it may change without
                notice, so always read and convert this value.
            scope (str | Unset): スコープ. The vendor declares `enum: [openapi]` and says `openapi` is returned. Declared
                here as a plain string so that an unexpected value does not break parsing.
            token_type (str | Unset): アクセストークンのタイプ (token type). The vendor declares `enum: [bearer]` (lowercase) and
                says `bearer` is returned. Declared here as a plain string; compare case-insensitively.
    """

    access_token: str | Unset = UNSET
    expires_in: str | Unset = UNSET
    scope: str | Unset = UNSET
    token_type: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_in = self.expires_in

        scope = self.scope

        token_type = self.token_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if access_token is not UNSET:
            field_dict["access_token"] = access_token
        if expires_in is not UNSET:
            field_dict["expires_in"] = expires_in
        if scope is not UNSET:
            field_dict["scope"] = scope
        if token_type is not UNSET:
            field_dict["token_type"] = token_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token", UNSET)

        expires_in = d.pop("expires_in", UNSET)

        scope = d.pop("scope", UNSET)

        token_type = d.pop("token_type", UNSET)

        token_response = cls(
            access_token=access_token,
            expires_in=expires_in,
            scope=scope,
            token_type=token_type,
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
