from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.actor_info import ActorInfo
from ...models.actor_update import ActorUpdate
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs(
    actor_id: UUID,
    *,
    body: ActorUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/actors/{actor_id}".format(
            actor_id=quote(str(actor_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ActorInfo | ErrorBody | None:
    if response.status_code == 200:
        response_200 = ActorInfo.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ActorInfo | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    actor_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ActorUpdate,
) -> Response[ActorInfo | ErrorBody]:
    """Update an actor

     Allowed to a human for itself and to an agent's sponsor (an agent cannot update
    itself); 403 for anyone else, 404 for an unknown or malformed id. `display_name`
    (1–200 characters) and `metadata` (a JSON object of at most 16 KiB, replaced as a
    whole) are optional; absent fields are kept. A new display name applies at once to
    every request made with the actor's keys, on every replica.

    Args:
        actor_id (UUID):
        body (ActorUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActorInfo | ErrorBody]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    actor_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ActorUpdate,
) -> ActorInfo | ErrorBody | None:
    """Update an actor

     Allowed to a human for itself and to an agent's sponsor (an agent cannot update
    itself); 403 for anyone else, 404 for an unknown or malformed id. `display_name`
    (1–200 characters) and `metadata` (a JSON object of at most 16 KiB, replaced as a
    whole) are optional; absent fields are kept. A new display name applies at once to
    every request made with the actor's keys, on every replica.

    Args:
        actor_id (UUID):
        body (ActorUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActorInfo | ErrorBody
    """

    return sync_detailed(
        actor_id=actor_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    actor_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ActorUpdate,
) -> Response[ActorInfo | ErrorBody]:
    """Update an actor

     Allowed to a human for itself and to an agent's sponsor (an agent cannot update
    itself); 403 for anyone else, 404 for an unknown or malformed id. `display_name`
    (1–200 characters) and `metadata` (a JSON object of at most 16 KiB, replaced as a
    whole) are optional; absent fields are kept. A new display name applies at once to
    every request made with the actor's keys, on every replica.

    Args:
        actor_id (UUID):
        body (ActorUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActorInfo | ErrorBody]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    actor_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ActorUpdate,
) -> ActorInfo | ErrorBody | None:
    """Update an actor

     Allowed to a human for itself and to an agent's sponsor (an agent cannot update
    itself); 403 for anyone else, 404 for an unknown or malformed id. `display_name`
    (1–200 characters) and `metadata` (a JSON object of at most 16 KiB, replaced as a
    whole) are optional; absent fields are kept. A new display name applies at once to
    every request made with the actor's keys, on every replica.

    Args:
        actor_id (UUID):
        body (ActorUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActorInfo | ErrorBody
    """

    return (
        await asyncio_detailed(
            actor_id=actor_id,
            client=client,
            body=body,
        )
    ).parsed
