from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentResponseRequest")


@_attrs_define
class AgentResponseRequest:
    """An agent responding. The speaker is always the authenticated actor.

    Attributes:
        text (str): 1–32768 characters, not blank; kept as sent.
        agent_id (None | str | Unset): Ignored (taken from the authenticated actor).
        agent_name (None | str | Unset): Ignored (taken from the authenticated actor).
        parent_event_id (None | str | Unset): The event of this space this responds to (404 if unknown).
        thread_id (None | str | Unset): A thread of this space to post into (404 if unknown).
        metadata (Any | Unset): A JSON object of at most 16 KiB. `mentions`, if present, is an array of at most 50
            participant ids (strings of at most 128 characters).
    """

    text: str
    agent_id: None | str | Unset = UNSET
    agent_name: None | str | Unset = UNSET
    parent_event_id: None | str | Unset = UNSET
    thread_id: None | str | Unset = UNSET
    metadata: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        agent_name: None | str | Unset
        if isinstance(self.agent_name, Unset):
            agent_name = UNSET
        else:
            agent_name = self.agent_name

        parent_event_id: None | str | Unset
        if isinstance(self.parent_event_id, Unset):
            parent_event_id = UNSET
        else:
            parent_event_id = self.parent_event_id

        thread_id: None | str | Unset
        if isinstance(self.thread_id, Unset):
            thread_id = UNSET
        else:
            thread_id = self.thread_id

        metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "text": text,
            }
        )
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name
        if parent_event_id is not UNSET:
            field_dict["parent_event_id"] = parent_event_id
        if thread_id is not UNSET:
            field_dict["thread_id"] = thread_id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        text = d.pop("text")

        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))

        def _parse_agent_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_name = _parse_agent_name(d.pop("agent_name", UNSET))

        def _parse_parent_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_event_id = _parse_parent_event_id(d.pop("parent_event_id", UNSET))

        def _parse_thread_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thread_id = _parse_thread_id(d.pop("thread_id", UNSET))

        metadata = d.pop("metadata", UNSET)

        agent_response_request = cls(
            text=text,
            agent_id=agent_id,
            agent_name=agent_name,
            parent_event_id=parent_event_id,
            thread_id=thread_id,
            metadata=metadata,
        )

        agent_response_request.additional_properties = d
        return agent_response_request

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
