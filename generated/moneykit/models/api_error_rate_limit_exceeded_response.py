from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="APIErrorRateLimitExceededResponse")


@_attrs_define
class APIErrorRateLimitExceededResponse:
    """Rate-limit error body (vendor schema, declared by MoneyKit on data endpoints only).

    Attributes:
        error_code (str | Unset): Error code. Vendor enum (single value): `api_error.rate_limit_exceeded`. Default:
            'api_error.rate_limit_exceeded'.
        error_message (str | Unset): Error message Default: 'Rate limit exceeded'.
        documentation_url (str | Unset): Link to the documentation for this error.
    """

    error_code: str | Unset = "api_error.rate_limit_exceeded"
    error_message: str | Unset = "Rate limit exceeded"
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

        api_error_rate_limit_exceeded_response = cls(
            error_code=error_code,
            error_message=error_message,
            documentation_url=documentation_url,
        )

        api_error_rate_limit_exceeded_response.additional_properties = d
        return api_error_rate_limit_exceeded_response

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
