from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="APIErrorAuthResponse")


@_attrs_define
class APIErrorAuthResponse:
    """Error body of `GET /auth/introspect` 401. The vendor declares an anyOf of
    APIErrorAuthExpiredAccessTokenResponse and APIErrorAuthUnauthorizedResponse; the generator ignores
    discriminators and keeps the first variant that parses, so the two are merged into this one schema.
    All fields are optional because the expired-token model's `error_message` is optional (default
    "Access token expired"), while the unauthorized model requires it. Branch on `error_code`.

        Attributes:
            error_code (str | Unset): Error code. Known values: `api_error.auth.unauthorized`,
                `api_error.auth.expired_access_token`.
            error_message (str | Unset): Error message, e.g. "Access token expired" or "Accounts access not permitted".
            documentation_url (str | Unset): Link to the documentation for this error.
    """

    error_code: str | Unset = UNSET
    error_message: str | Unset = UNSET
    documentation_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_code = self.error_code

        error_message = self.error_message

        documentation_url = self.documentation_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if error_message is not UNSET:
            field_dict["error_message"] = error_message
        if documentation_url is not UNSET:
            field_dict["documentation_url"] = documentation_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error_code = d.pop("error_code", UNSET)

        error_message = d.pop("error_message", UNSET)

        documentation_url = d.pop("documentation_url", UNSET)

        api_error_auth_response = cls(
            error_code=error_code,
            error_message=error_message,
            documentation_url=documentation_url,
        )

        api_error_auth_response.additional_properties = d
        return api_error_auth_response

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
