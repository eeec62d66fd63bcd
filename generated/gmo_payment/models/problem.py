from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """RFC 9457 problem details, `Content-Type: application/problem+json` (vendor `errors` tag).
    There is no `required` list and no `status` member. Use `title` as the error code and
    `detail` as the (English) message. Unknown extension members are kept.

        Attributes:
            type_ (str | Unset): エラーの説明ページURL (URL of a page explaining the error). Returned only if such a page
                exists, e.g. `https://mp-faq.gmo-pg.com/s/article/D00923`.
            title (str | Unset): エラーの内容サマリー (summary); use it as the error code. Plain string; known values and
                their HTTP statuses (vendor `errors` tag):
                - 400: `invalid_contract`, `invalid_header`, `invalid_parameter`, `invalid_request`,
                  `invalid_status`, `missing_parameter`, `transaction_count_exceeded`, `transaction_expired`
                - 401: `unauthorized_request`
                - 402: `operation_aborted_by_user`, `card_declined`, `insufficient_balance`,
                  `amount_limit_exceeded`, `processing_failure`
                - 404: `resource_not_found`
                - 405: `method_not_allowed`
                - 409: `conflict`
                - 415: `unsupported_media_type`
                - 429: `too_many_requests`
                - 500: `internal_server_error`
                - 502: `bad_gateway`, `maintenance`
                - 503: `service_unavailable`
            detail (str | Unset): エラーの詳細説明 (detailed description); use it as the error message. Always English.
            instance (str | Unset): エラーが発生したエンドポイント (endpoint path where the error occurred), without the host, e.g.
                `/token`.
    """

    type_: str | Unset = UNSET
    title: str | Unset = UNSET
    detail: str | Unset = UNSET
    instance: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        detail = self.detail

        instance = self.instance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if title is not UNSET:
            field_dict["title"] = title
        if detail is not UNSET:
            field_dict["detail"] = detail
        if instance is not UNSET:
            field_dict["instance"] = instance

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        title = d.pop("title", UNSET)

        detail = d.pop("detail", UNSET)

        instance = d.pop("instance", UNSET)

        problem = cls(
            type_=type_,
            title=title,
            detail=detail,
            instance=instance,
        )

        problem.additional_properties = d
        return problem

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
