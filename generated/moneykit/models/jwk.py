from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="JWK")


@_attrs_define
class JWK:
    """Assumed: the vendor schema only says `keys` items are objects. The members below are inferred from
    vendor example code, which accepts only ES256 and looks keys up by `kid` (EC P-256 keys). All are
    optional strings; other members are kept as additional properties.

        Attributes:
            kty (str | Unset): Key type, e.g. `EC`. A plain string, not an enum.
            crv (str | Unset): Curve, e.g. `P-256`.
            kid (str | Unset): Key ID.
            use (str | Unset): Public key use, e.g. `sig`.
            alg (str | Unset): Algorithm, e.g. `ES256`.
            x (str | Unset): Base64url-encoded x coordinate.
            y (str | Unset): Base64url-encoded y coordinate.
    """

    kty: str | Unset = UNSET
    crv: str | Unset = UNSET
    kid: str | Unset = UNSET
    use: str | Unset = UNSET
    alg: str | Unset = UNSET
    x: str | Unset = UNSET
    y: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kty = self.kty

        crv = self.crv

        kid = self.kid

        use = self.use

        alg = self.alg

        x = self.x

        y = self.y

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if kty is not UNSET:
            field_dict["kty"] = kty
        if crv is not UNSET:
            field_dict["crv"] = crv
        if kid is not UNSET:
            field_dict["kid"] = kid
        if use is not UNSET:
            field_dict["use"] = use
        if alg is not UNSET:
            field_dict["alg"] = alg
        if x is not UNSET:
            field_dict["x"] = x
        if y is not UNSET:
            field_dict["y"] = y

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kty = d.pop("kty", UNSET)

        crv = d.pop("crv", UNSET)

        kid = d.pop("kid", UNSET)

        use = d.pop("use", UNSET)

        alg = d.pop("alg", UNSET)

        x = d.pop("x", UNSET)

        y = d.pop("y", UNSET)

        jwk = cls(
            kty=kty,
            crv=crv,
            kid=kid,
            use=use,
            alg=alg,
            x=x,
            y=y,
        )

        jwk.additional_properties = d
        return jwk

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
