from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.tenant_info_status import TenantInfoStatus

T = TypeVar("T", bound="TenantInfo")


@_attrs_define
class TenantInfo:
    """
    Attributes:
        tenant_id (UUID): The tenant's id.
        name (str): The tenant's name.
        schema_name (str): The PostgreSQL schema holding the tenant's data: `tenant_` + a slug of the name,
            with a numeric suffix when another tenant already has it.
        status (TenantInfoStatus): `active`, or `suspended` (every request of its actors gets 403).
        created_at (datetime.datetime): When the tenant was created.
    """

    tenant_id: UUID
    name: str
    schema_name: str
    status: TenantInfoStatus
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant_id = str(self.tenant_id)

        name = self.name

        schema_name = self.schema_name

        status = self.status.value

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant_id": tenant_id,
                "name": name,
                "schema_name": schema_name,
                "status": status,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tenant_id = UUID(d.pop("tenant_id"))

        name = d.pop("name")

        schema_name = d.pop("schema_name")

        status = TenantInfoStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        tenant_info = cls(
            tenant_id=tenant_id,
            name=name,
            schema_name=schema_name,
            status=status,
            created_at=created_at,
        )

        tenant_info.additional_properties = d
        return tenant_info

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
