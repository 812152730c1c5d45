from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agent_connected import AgentConnected
from ...models.error_body import ErrorBody
from ...models.rotated_key import RotatedKey
from ...types import UNSET, Response, Unset


def _get_kwargs(
    actor_id: UUID,
    *,
    x_installation_id: str | Unset = UNSET,
    x_force_rotate: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_installation_id, Unset):
        headers["X-Installation-Id"] = x_installation_id

    if not isinstance(x_force_rotate, Unset):
        headers["X-Force-Rotate"] = x_force_rotate

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/actors/{actor_id}/rotate-key".format(
            actor_id=quote(str(actor_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AgentConnected | ErrorBody | RotatedKey | None:
    if response.status_code == 200:
        response_200 = RotatedKey.from_dict(response.json())

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
        response_409 = AgentConnected.from_dict(response.json())

        return response_409

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
) -> Response[AgentConnected | ErrorBody | RotatedKey]:
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
    x_installation_id: str | Unset = UNSET,
    x_force_rotate: str | Unset = UNSET,
) -> Response[AgentConnected | ErrorBody | RotatedKey]:
    """Rotate an actor's API key

     Allowed to the actor itself (a human, or an agent rotating its own key) and to an
    agent's sponsor; 403 for anyone else, 404 for an unknown or malformed id. Returns a
    new plaintext key; every earlier key of the actor stops working at once, on every
    replica.

    Installations: the key is issued to the installation named by `X-Installation-Id`,
    and the agent becomes connected to it (or available, when the request names none).
    While the agent is connected to another installation — or to any, when the request
    names none — the answer is 409 `{"error": "agent_connected", "message": …,
    "agent_id": …}` and nothing changes. Release the agent first, or send
    `X-Force-Rotate: true` to take it over: the other installation's key is then refused.
    Rotating from the installation the agent is connected to, or while it is available,
    just works. Humans have no installations: their rotation always works.

    Args:
        actor_id (UUID):
        x_installation_id (str | Unset):
        x_force_rotate (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentConnected | ErrorBody | RotatedKey]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        x_installation_id=x_installation_id,
        x_force_rotate=x_force_rotate,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    actor_id: UUID,
    *,
    client: AuthenticatedClient,
    x_installation_id: str | Unset = UNSET,
    x_force_rotate: str | Unset = UNSET,
) -> AgentConnected | ErrorBody | RotatedKey | None:
    """Rotate an actor's API key

     Allowed to the actor itself (a human, or an agent rotating its own key) and to an
    agent's sponsor; 403 for anyone else, 404 for an unknown or malformed id. Returns a
    new plaintext key; every earlier key of the actor stops working at once, on every
    replica.

    Installations: the key is issued to the installation named by `X-Installation-Id`,
    and the agent becomes connected to it (or available, when the request names none).
    While the agent is connected to another installation — or to any, when the request
    names none — the answer is 409 `{"error": "agent_connected", "message": …,
    "agent_id": …}` and nothing changes. Release the agent first, or send
    `X-Force-Rotate: true` to take it over: the other installation's key is then refused.
    Rotating from the installation the agent is connected to, or while it is available,
    just works. Humans have no installations: their rotation always works.

    Args:
        actor_id (UUID):
        x_installation_id (str | Unset):
        x_force_rotate (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentConnected | ErrorBody | RotatedKey
    """

    return sync_detailed(
        actor_id=actor_id,
        client=client,
        x_installation_id=x_installation_id,
        x_force_rotate=x_force_rotate,
    ).parsed


async def asyncio_detailed(
    actor_id: UUID,
    *,
    client: AuthenticatedClient,
    x_installation_id: str | Unset = UNSET,
    x_force_rotate: str | Unset = UNSET,
) -> Response[AgentConnected | ErrorBody | RotatedKey]:
    """Rotate an actor's API key

     Allowed to the actor itself (a human, or an agent rotating its own key) and to an
    agent's sponsor; 403 for anyone else, 404 for an unknown or malformed id. Returns a
    new plaintext key; every earlier key of the actor stops working at once, on every
    replica.

    Installations: the key is issued to the installation named by `X-Installation-Id`,
    and the agent becomes connected to it (or available, when the request names none).
    While the agent is connected to another installation — or to any, when the request
    names none — the answer is 409 `{"error": "agent_connected", "message": …,
    "agent_id": …}` and nothing changes. Release the agent first, or send
    `X-Force-Rotate: true` to take it over: the other installation's key is then refused.
    Rotating from the installation the agent is connected to, or while it is available,
    just works. Humans have no installations: their rotation always works.

    Args:
        actor_id (UUID):
        x_installation_id (str | Unset):
        x_force_rotate (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentConnected | ErrorBody | RotatedKey]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        x_installation_id=x_installation_id,
        x_force_rotate=x_force_rotate,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    actor_id: UUID,
    *,
    client: AuthenticatedClient,
    x_installation_id: str | Unset = UNSET,
    x_force_rotate: str | Unset = UNSET,
) -> AgentConnected | ErrorBody | RotatedKey | None:
    """Rotate an actor's API key

     Allowed to the actor itself (a human, or an agent rotating its own key) and to an
    agent's sponsor; 403 for anyone else, 404 for an unknown or malformed id. Returns a
    new plaintext key; every earlier key of the actor stops working at once, on every
    replica.

    Installations: the key is issued to the installation named by `X-Installation-Id`,
    and the agent becomes connected to it (or available, when the request names none).
    While the agent is connected to another installation — or to any, when the request
    names none — the answer is 409 `{"error": "agent_connected", "message": …,
    "agent_id": …}` and nothing changes. Release the agent first, or send
    `X-Force-Rotate: true` to take it over: the other installation's key is then refused.
    Rotating from the installation the agent is connected to, or while it is available,
    just works. Humans have no installations: their rotation always works.

    Args:
        actor_id (UUID):
        x_installation_id (str | Unset):
        x_force_rotate (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentConnected | ErrorBody | RotatedKey
    """

    return (
        await asyncio_detailed(
            actor_id=actor_id,
            client=client,
            x_installation_id=x_installation_id,
            x_force_rotate=x_force_rotate,
        )
    ).parsed
