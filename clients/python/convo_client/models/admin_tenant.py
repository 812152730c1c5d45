from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.admin_tenant_status import AdminTenantStatus

T = TypeVar("T", bound="AdminTenant")


@_attrs_define
class AdminTenant:
    """
    Attributes:
        tenant_id (UUID): The tenant's id.
        name (str): The tenant's name.
        schema_name (str): The PostgreSQL schema holding the tenant's data.
        status (AdminTenantStatus): `suspended`: every request of the tenant's actors gets 403.
        created_at (datetime.datetime): When the tenant was created.
        member_count (int): Actors (humans and agents) assigned to the tenant.
    """

    tenant_id: UUID
    name: str
    schema_name: str
    status: AdminTenantStatus
    created_at: datetime.datetime
    member_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant_id = str(self.tenant_id)

        name = self.name

        schema_name = self.schema_name

        status = self.status.value

        created_at = self.created_at.isoformat()

        member_count = self.member_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant_id": tenant_id,
                "name": name,
                "schema_name": schema_name,
                "status": status,
                "created_at": created_at,
                "member_count": member_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tenant_id = UUID(d.pop("tenant_id"))

        name = d.pop("name")

        schema_name = d.pop("schema_name")

        status = AdminTenantStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        member_count = d.pop("member_count")

        admin_tenant = cls(
            tenant_id=tenant_id,
            name=name,
            schema_name=schema_name,
            status=status,
            created_at=created_at,
            member_count=member_count,
        )

        admin_tenant.additional_properties = d
        return admin_tenant

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
