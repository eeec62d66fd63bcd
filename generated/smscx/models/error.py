from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """Error details; all four fields are required and non-null.
    Assumed: the exact `message` and `uri` strings are not known; branch on `type` and the HTTP status only.

        Attributes:
            type_ (str): Error type. A plain string here; the vendor enum has 22 values: access_denied, duplicate_id,
                duplicate_value, insufficient_credit, insufficient_scope, invalid_api_key, invalid_body,
                invalid_client, invalid_method, invalid_param, invalid_request, invalid_scope, no_coverage,
                not_found, rate_limit, server_error, unsupported_grant_type, invalid_pin, otp_expired, otp_failed,
                otp_cancelled, otp_verified.
            message (str): Short human-readable text.
            uri (str): A link into the documentation.
            code (int): Internal error code. Every token-endpoint error uses 1600.
    """

    type_: str
    message: str
    uri: str
    code: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        message = self.message

        uri = self.uri

        code = self.code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "message": message,
                "uri": uri,
                "code": code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type")

        message = d.pop("message")

        uri = d.pop("uri")

        code = d.pop("code")

        error = cls(
            type_=type_,
            message=message,
            uri=uri,
            code=code,
        )

        error.additional_properties = d
        return error

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
