from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.app_response import AppResponse


T = TypeVar("T", bound="AppClientResponse")


@_attrs_define
class AppClientResponse:
    """Client information returned by `GET /auth/introspect`.

    Attributes:
        client_id (str): Your client ID.
        client_name (str): (deprecated) Friendly client name.
        scope (str): Space-separated list of scopes granted to the client.
        app (AppResponse): The app that owns the client. The current vendor schema requires all four fields (`app_id`,
            `name`,
            and their legacy duplicates `id`, `app_name`). The 2023 `CustomerApp` shape had only `id` and
            `app_name`, and the documented example still shows that shape, so only `id` and `app_name` are
            required here and `app_id`/`name` are optional.
        disabled_at (datetime.datetime | Unset): When the client was (or will be) disabled.
    """

    client_id: str
    client_name: str
    scope: str
    app: AppResponse
    disabled_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_name = self.client_name

        scope = self.scope

        app = self.app.to_dict()

        disabled_at: str | Unset = UNSET
        if not isinstance(self.disabled_at, Unset):
            disabled_at = self.disabled_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "client_name": client_name,
                "scope": scope,
                "app": app,
            }
        )
        if disabled_at is not UNSET:
            field_dict["disabled_at"] = disabled_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.app_response import AppResponse  # noqa: PLC0415

        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_name = d.pop("client_name")

        scope = d.pop("scope")

        app = AppResponse.from_dict(d.pop("app"))

        _disabled_at = d.pop("disabled_at", UNSET)
        disabled_at: datetime.datetime | Unset
        if isinstance(_disabled_at, Unset):
            disabled_at = UNSET
        else:
            disabled_at = datetime.datetime.fromisoformat(_disabled_at)

        app_client_response = cls(
            client_id=client_id,
            client_name=client_name,
            scope=scope,
            app=app,
            disabled_at=disabled_at,
        )

        app_client_response.additional_properties = d
        return app_client_response

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
