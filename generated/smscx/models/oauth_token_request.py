from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.oauth_token_request_grant_type import OauthTokenRequestGrantType
from ..types import UNSET, Unset

T = TypeVar("T", bound="OauthTokenRequest")


@_attrs_define
class OauthTokenRequest:
    """Form body of `POST /oauth/token`.

    Attributes:
        grant_type (OauthTokenRequestGrantType): Grant type; only `client_credentials` is supported. The SDKs always
            send it.
        scope (str | Unset): Space-delimited, case-sensitive list of scopes. Empty or omitted grants all of the
            application's
            scopes. The wire name is `scope` (singular). Values in the SDK examples: sms, groups, templates,
            numbers, originators, viber, whatsapp, otp, reports, shortlinks, attachments
            (`GET /applications/scopes` returns the full list).
    """

    grant_type: OauthTokenRequestGrantType
    scope: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type = self.grant_type.value

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grant_type": grant_type,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        grant_type = OauthTokenRequestGrantType(d.pop("grant_type"))

        scope = d.pop("scope", UNSET)

        oauth_token_request = cls(
            grant_type=grant_type,
            scope=scope,
        )

        oauth_token_request.additional_properties = d
        return oauth_token_request

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
