from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Thread")


@_attrs_define
class Thread:
    """
    Attributes:
        thread_id (UUID): The thread's id.
        space_id (str): The space the thread belongs to.
        parent_event_id (UUID): The event the thread hangs off.
        created_at (datetime.datetime): When the thread was created.
        subject (None | str | Unset): The thread's subject; `null` when not set.
    """

    thread_id: UUID
    space_id: str
    parent_event_id: UUID
    created_at: datetime.datetime
    subject: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        thread_id = str(self.thread_id)

        space_id = self.space_id

        parent_event_id = str(self.parent_event_id)

        created_at = self.created_at.isoformat()

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "thread_id": thread_id,
                "space_id": space_id,
                "parent_event_id": parent_event_id,
                "created_at": created_at,
            }
        )
        if subject is not UNSET:
            field_dict["subject"] = subject

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        thread_id = UUID(d.pop("thread_id"))

        space_id = d.pop("space_id")

        parent_event_id = UUID(d.pop("parent_event_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        thread = cls(
            thread_id=thread_id,
            space_id=space_id,
            parent_event_id=parent_event_id,
            created_at=created_at,
            subject=subject,
        )

        thread.additional_properties = d
        return thread

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
