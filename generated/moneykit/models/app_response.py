from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AppResponse")


@_attrs_define
class AppResponse:
    """The app that owns the client. The current vendor schema requires all four fields (`app_id`, `name`,
    and their legacy duplicates `id`, `app_name`). The 2023 `CustomerApp` shape had only `id` and
    `app_name`, and the documented example still shows that shape, so only `id` and `app_name` are
    required here and `app_id`/`name` are optional.

        Attributes:
            id (str): Your app's ID (legacy duplicate of `app_id`).
            app_name (str): Your app's name (legacy duplicate of `name`).
            app_id (str | Unset): Your app's ID.
            name (str | Unset): Your app's name.
    """

    id: str
    app_name: str
    app_id: str | Unset = UNSET
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        app_name = self.app_name

        app_id = self.app_id

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "app_name": app_name,
            }
        )
        if app_id is not UNSET:
            field_dict["app_id"] = app_id
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        app_name = d.pop("app_name")

        app_id = d.pop("app_id", UNSET)

        name = d.pop("name", UNSET)

        app_response = cls(
            id=id,
            app_name=app_name,
            app_id=app_id,
            name=name,
        )

        app_response.additional_properties = d
        return app_response

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
