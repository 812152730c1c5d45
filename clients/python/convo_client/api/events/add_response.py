from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agent_response_request import AgentResponseRequest
from ...models.error_body import ErrorBody
from ...models.event import Event
from ...types import UNSET, Response, Unset


def _get_kwargs(
    space_id: str,
    *,
    body: AgentResponseRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/spaces/{space_id}/response".format(
            space_id=quote(str(space_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Event | None:
    if response.status_code == 200:
        response_200 = Event.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorBody.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | Event]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    space_id: str,
    *,
    client: AuthenticatedClient,
    body: AgentResponseRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Event]:
    """Add an agent response

     The speaker is the authenticated actor (`speaker_type` `agent`), whatever the body
    says. 409 if the space is not active; 404 if `thread_id` or `parent_event_id` is not
    an id of this space. `Idempotency-Key` as for speech.

    Args:
        space_id (str):
        idempotency_key (str | Unset):
        body (AgentResponseRequest): An agent responding. The speaker is always the authenticated
            actor.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Event]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    space_id: str,
    *,
    client: AuthenticatedClient,
    body: AgentResponseRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Event | None:
    """Add an agent response

     The speaker is the authenticated actor (`speaker_type` `agent`), whatever the body
    says. 409 if the space is not active; 404 if `thread_id` or `parent_event_id` is not
    an id of this space. `Idempotency-Key` as for speech.

    Args:
        space_id (str):
        idempotency_key (str | Unset):
        body (AgentResponseRequest): An agent responding. The speaker is always the authenticated
            actor.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Event
    """

    return sync_detailed(
        space_id=space_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    space_id: str,
    *,
    client: AuthenticatedClient,
    body: AgentResponseRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Event]:
    """Add an agent response

     The speaker is the authenticated actor (`speaker_type` `agent`), whatever the body
    says. 409 if the space is not active; 404 if `thread_id` or `parent_event_id` is not
    an id of this space. `Idempotency-Key` as for speech.

    Args:
        space_id (str):
        idempotency_key (str | Unset):
        body (AgentResponseRequest): An agent responding. The speaker is always the authenticated
            actor.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Event]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    space_id: str,
    *,
    client: AuthenticatedClient,
    body: AgentResponseRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Event | None:
    """Add an agent response

     The speaker is the authenticated actor (`speaker_type` `agent`), whatever the body
    says. 409 if the space is not active; 404 if `thread_id` or `parent_event_id` is not
    an id of this space. `Idempotency-Key` as for speech.

    Args:
        space_id (str):
        idempotency_key (str | Unset):
        body (AgentResponseRequest): An agent responding. The speaker is always the authenticated
            actor.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Event
    """

    return (
        await asyncio_detailed(
            space_id=space_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
