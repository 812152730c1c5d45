from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.decision_status import DecisionStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Decision")


@_attrs_define
class Decision:
    """A proposal and, once settled, its outcome.

    Attributes:
        decision_id (UUID): The decision's id.
        space_id (str): The space the decision belongs to.
        proposed_by (str): Who proposed it (an actor id unless the proposer named someone else).
        text (str): What is proposed, 1–4000 characters.
        status (DecisionStatus): `proposed`, `resolved` or `rejected`.
        created_at (datetime.datetime): When the decision was proposed.
        resolved_by (None | str | Unset): Who resolved or rejected it; `null` while proposed.
        resolved_at (datetime.datetime | None | Unset): When it was resolved or rejected; `null` while proposed.
        resolution (None | str | Unset): The outcome, if one was given.
    """

    decision_id: UUID
    space_id: str
    proposed_by: str
    text: str
    status: DecisionStatus
    created_at: datetime.datetime
    resolved_by: None | str | Unset = UNSET
    resolved_at: datetime.datetime | None | Unset = UNSET
    resolution: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decision_id = str(self.decision_id)

        space_id = self.space_id

        proposed_by = self.proposed_by

        text = self.text

        status = self.status.value

        created_at = self.created_at.isoformat()

        resolved_by: None | str | Unset
        if isinstance(self.resolved_by, Unset):
            resolved_by = UNSET
        else:
            resolved_by = self.resolved_by

        resolved_at: None | str | Unset
        if isinstance(self.resolved_at, Unset):
            resolved_at = UNSET
        elif isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        resolution: None | str | Unset
        if isinstance(self.resolution, Unset):
            resolution = UNSET
        else:
            resolution = self.resolution

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decision_id": decision_id,
                "space_id": space_id,
                "proposed_by": proposed_by,
                "text": text,
                "status": status,
                "created_at": created_at,
            }
        )
        if resolved_by is not UNSET:
            field_dict["resolved_by"] = resolved_by
        if resolved_at is not UNSET:
            field_dict["resolved_at"] = resolved_at
        if resolution is not UNSET:
            field_dict["resolution"] = resolution

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decision_id = UUID(d.pop("decision_id"))

        space_id = d.pop("space_id")

        proposed_by = d.pop("proposed_by")

        text = d.pop("text")

        status = DecisionStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_resolved_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolved_by = _parse_resolved_by(d.pop("resolved_by", UNSET))

        def _parse_resolved_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at", UNSET))

        def _parse_resolution(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        decision = cls(
            decision_id=decision_id,
            space_id=space_id,
            proposed_by=proposed_by,
            text=text,
            status=status,
            created_at=created_at,
            resolved_by=resolved_by,
            resolved_at=resolved_at,
            resolution=resolution,
        )

        decision.additional_properties = d
        return decision

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
