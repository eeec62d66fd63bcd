from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """RFC 6749-style error (vendor model `ErrorResponse` in the Java, Ruby and Go SDKs). The same
    members are presumably sent as query parameters on authorization-endpoint error redirects.

        Attributes:
            error (str): Error code. Plain string; documented values:
                - `invalid_request`: a required parameter is missing or empty
                - `invalid_client`: the client or its information is invalid
                - `invalid_grant`: bad code or redirect URI
                - `unauthorized_client`: the client may not use the `authorization_code` grant
                - `unsupported_grant_type`
                - `invalid_scope`
                - `server_error`: an error inside the OP server
            error_description (str | Unset): Human-readable description; characters %x20-21 / %x23-5B / %x5D-7E.
            error_uri (str | Unset): URI of an error page; characters %x20-21 / %x23-5B / %x5D-7E.
            state (str | Unset): The request's `state` value; relevant to the authorization endpoint.
    """

    error: str
    error_description: str | Unset = UNSET
    error_uri: str | Unset = UNSET
    state: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        error_description = self.error_description

        error_uri = self.error_uri

        state = self.state

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )
        if error_description is not UNSET:
            field_dict["error_description"] = error_description
        if error_uri is not UNSET:
            field_dict["error_uri"] = error_uri
        if state is not UNSET:
            field_dict["state"] = state

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error = d.pop("error")

        error_description = d.pop("error_description", UNSET)

        error_uri = d.pop("error_uri", UNSET)

        state = d.pop("state", UNSET)

        error_response = cls(
            error=error,
            error_description=error_description,
            error_uri=error_uri,
            state=state,
        )

        error_response.additional_properties = d
        return error_response

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
