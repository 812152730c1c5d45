"""Contains all the data models used in inputs/outputs"""

from .ack import Ack
from .actor_info import ActorInfo
from .actor_info_actor_type import ActorInfoActorType
from .actor_info_connection_state_type_1 import ActorInfoConnectionStateType1
from .actor_info_connection_state_type_2_type_1 import ActorInfoConnectionStateType2Type1
from .actor_info_connection_state_type_3_type_1 import ActorInfoConnectionStateType3Type1
from .actor_type import ActorType
from .actor_update import ActorUpdate
from .admin_tenant import AdminTenant
from .admin_tenant_list import AdminTenantList
from .admin_tenant_status import AdminTenantStatus
from .agent_connected import AgentConnected
from .agent_response_request import AgentResponseRequest
from .connection_state import ConnectionState
from .created_actor import CreatedActor
from .created_actor_actor_type import CreatedActorActorType
from .created_actor_connection_state_type_1 import CreatedActorConnectionStateType1
from .created_actor_connection_state_type_2_type_1 import CreatedActorConnectionStateType2Type1
from .created_actor_connection_state_type_3_type_1 import CreatedActorConnectionStateType3Type1
from .created_pat import CreatedPat
from .decision import Decision
from .decision_counts import DecisionCounts
from .decision_status import DecisionStatus
from .deleted import Deleted
from .error_body import ErrorBody
from .event import Event
from .health_status import HealthStatus
from .join_request import JoinRequest
from .new_actor import NewActor
from .new_actor_actor_type_type_1 import NewActorActorTypeType1
from .new_actor_actor_type_type_2_type_1 import NewActorActorTypeType2Type1
from .new_actor_actor_type_type_3_type_1 import NewActorActorTypeType3Type1
from .new_decision import NewDecision
from .new_event_request import NewEventRequest
from .new_pat import NewPat
from .new_space import NewSpace
from .new_tenant import NewTenant
from .new_thread import NewThread
from .participant import Participant
from .participant_activity import ParticipantActivity
from .pat_info import PatInfo
from .release_status import ReleaseStatus
from .released import Released
from .released_status import ReleasedStatus
from .resolve_decision import ResolveDecision
from .resolve_decision_status import ResolveDecisionStatus
from .rotated_key import RotatedKey
from .rotated_key_actor_type import RotatedKeyActorType
from .rotated_key_connection_state_type_1 import RotatedKeyConnectionStateType1
from .rotated_key_connection_state_type_2_type_1 import RotatedKeyConnectionStateType2Type1
from .rotated_key_connection_state_type_3_type_1 import RotatedKeyConnectionStateType3Type1
from .space_activity import SpaceActivity
from .space_created import SpaceCreated
from .space_created_status import SpaceCreatedStatus
from .space_info import SpaceInfo
from .space_info_status import SpaceInfoStatus
from .space_patch import SpacePatch
from .space_patch_status_type_1 import SpacePatchStatusType1
from .space_patch_status_type_2_type_1 import SpacePatchStatusType2Type1
from .space_patch_status_type_3_type_1 import SpacePatchStatusType3Type1
from .space_state import SpaceState
from .space_summary import SpaceSummary
from .speech_request import SpeechRequest
from .stream_message import StreamMessage
from .stream_message_event import StreamMessageEvent
from .stream_token import StreamToken
from .tenant_info import TenantInfo
from .tenant_info_status import TenantInfoStatus
from .tenant_status import TenantStatus
from .thread import Thread
from .thread_with_events import ThreadWithEvents
from .thread_with_events_thread import ThreadWithEventsThread

__all__ = (
    "Ack",
    "ActorInfo",
    "ActorInfoActorType",
    "ActorInfoConnectionStateType1",
    "ActorInfoConnectionStateType2Type1",
    "ActorInfoConnectionStateType3Type1",
    "ActorType",
    "ActorUpdate",
    "AdminTenant",
    "AdminTenantList",
    "AdminTenantStatus",
    "AgentConnected",
    "AgentResponseRequest",
    "ConnectionState",
    "CreatedActor",
    "CreatedActorActorType",
    "CreatedActorConnectionStateType1",
    "CreatedActorConnectionStateType2Type1",
    "CreatedActorConnectionStateType3Type1",
    "CreatedPat",
    "Decision",
    "DecisionCounts",
    "DecisionStatus",
    "Deleted",
    "ErrorBody",
    "Event",
    "HealthStatus",
    "JoinRequest",
    "NewActor",
    "NewActorActorTypeType1",
    "NewActorActorTypeType2Type1",
    "NewActorActorTypeType3Type1",
    "NewDecision",
    "NewEventRequest",
    "NewPat",
    "NewSpace",
    "NewTenant",
    "NewThread",
    "Participant",
    "ParticipantActivity",
    "PatInfo",
    "Released",
    "ReleasedStatus",
    "ReleaseStatus",
    "ResolveDecision",
    "ResolveDecisionStatus",
    "RotatedKey",
    "RotatedKeyActorType",
    "RotatedKeyConnectionStateType1",
    "RotatedKeyConnectionStateType2Type1",
    "RotatedKeyConnectionStateType3Type1",
    "SpaceActivity",
    "SpaceCreated",
    "SpaceCreatedStatus",
    "SpaceInfo",
    "SpaceInfoStatus",
    "SpacePatch",
    "SpacePatchStatusType1",
    "SpacePatchStatusType2Type1",
    "SpacePatchStatusType3Type1",
    "SpaceState",
    "SpaceSummary",
    "SpeechRequest",
    "StreamMessage",
    "StreamMessageEvent",
    "StreamToken",
    "TenantInfo",
    "TenantInfoStatus",
    "TenantStatus",
    "Thread",
    "ThreadWithEvents",
    "ThreadWithEventsThread",
)
