from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.validation_error import ValidationError


T = TypeVar("T", bound="HTTPValidationError")


@_attrs_define
class HTTPValidationError:
    """FastAPI-style request validation error (vendor schema, not attached by the vendor to the auth operations).

    Attributes:
        validation_errors (list[ValidationError]): The individual validation failures.
        error_code (str | Unset): Error code. Vendor enum (single value): `api_error.request.validation_failed`.
            Default: 'api_error.request.validation_failed'.
        error_message (str | Unset): Error message Default: 'Request validation error'.
        documentation_url (str | Unset): Link to the documentation for this error.
    """

    validation_errors: list[ValidationError]
    error_code: str | Unset = "api_error.request.validation_failed"
    error_message: str | Unset = "Request validation error"
    documentation_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        validation_errors = []
        for validation_errors_item_data in self.validation_errors:
            validation_errors_item = validation_errors_item_data.to_dict()
            validation_errors.append(validation_errors_item)

        error_code = self.error_code

        error_message = self.error_message

        documentation_url = self.documentation_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "validation_errors": validation_errors,
            }
        )
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if error_message is not UNSET:
            field_dict["error_message"] = error_message
        if documentation_url is not UNSET:
            field_dict["documentation_url"] = documentation_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.validation_error import ValidationError  # noqa: PLC0415

        d = dict(src_dict)
        validation_errors = []
        _validation_errors = d.pop("validation_errors")
        for validation_errors_item_data in _validation_errors:
            validation_errors_item = ValidationError.from_dict(validation_errors_item_data)

            validation_errors.append(validation_errors_item)

        error_code = d.pop("error_code", UNSET)

        error_message = d.pop("error_message", UNSET)

        documentation_url = d.pop("documentation_url", UNSET)

        http_validation_error = cls(
            validation_errors=validation_errors,
            error_code=error_code,
            error_message=error_message,
            documentation_url=documentation_url,
        )

        http_validation_error.additional_properties = d
        return http_validation_error

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
