from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateAccessTokenRequest")


@_attrs_define
class CreateAccessTokenRequest:
    """Form body of `POST /auth/token`. Every field is optional; credentials normally travel in the HTTP Basic header
    instead of `client_id`/`client_secret`.

        Attributes:
            grant_type (str | Unset): Token grant type. The SDK docs say "Only `client_credentials` supported"; newer docs
                say "Only client_credentials or refresh_token supported". The response carries no refresh token, so only
                `client_credentials` is usable.
            scope (str | Unset): Space-separated list of actions to grant. Empty or omitted grants all of the app's scopes.
                The vendor schema declares `default: ""`; no schema default is declared here, so that an unset scope is omitted
                from the form instead of being sent as an empty `scope=`.
            client_id (str | Unset): Your client ID (alternative to HTTP Basic).
            client_secret (str | Unset): Your client secret (alternative to HTTP Basic).
    """

    grant_type: str | Unset = UNSET
    scope: str | Unset = UNSET
    client_id: str | Unset = UNSET
    client_secret: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type = self.grant_type

        scope = self.scope

        client_id = self.client_id

        client_secret = self.client_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if grant_type is not UNSET:
            field_dict["grant_type"] = grant_type
        if scope is not UNSET:
            field_dict["scope"] = scope
        if client_id is not UNSET:
            field_dict["client_id"] = client_id
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        grant_type = d.pop("grant_type", UNSET)

        scope = d.pop("scope", UNSET)

        client_id = d.pop("client_id", UNSET)

        client_secret = d.pop("client_secret", UNSET)

        create_access_token_request = cls(
            grant_type=grant_type,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )

        create_access_token_request.additional_properties = d
        return create_access_token_request

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
