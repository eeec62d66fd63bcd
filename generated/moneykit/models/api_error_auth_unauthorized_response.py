from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="APIErrorAuthUnauthorizedResponse")


@_attrs_define
class APIErrorAuthUnauthorizedResponse:
    """Error body of `POST /auth/token` 400 and 401.

    Attributes:
        error_message (str): Error message
        error_code (str | Unset): Error code. Vendor enum (single value): `api_error.auth.unauthorized`. A plain string
            here so that other codes still parse. Default: 'api_error.auth.unauthorized'.
        documentation_url (str | Unset): Link to the documentation for this error.
    """

    error_message: str
    error_code: str | Unset = "api_error.auth.unauthorized"
    documentation_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_message = self.error_message

        error_code = self.error_code

        documentation_url = self.documentation_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error_message": error_message,
            }
        )
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if documentation_url is not UNSET:
            field_dict["documentation_url"] = documentation_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error_message = d.pop("error_message")

        error_code = d.pop("error_code", UNSET)

        documentation_url = d.pop("documentation_url", UNSET)

        api_error_auth_unauthorized_response = cls(
            error_message=error_message,
            error_code=error_code,
            documentation_url=documentation_url,
        )

        api_error_auth_unauthorized_response.additional_properties = d
        return api_error_auth_unauthorized_response

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
