from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.decision import Decision
from ...models.error_body import ErrorBody
from ...models.resolve_decision import ResolveDecision
from ...types import Response


def _get_kwargs(
    space_id: str,
    decision_id: UUID,
    *,
    body: ResolveDecision,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/spaces/{space_id}/decisions/{decision_id}/resolve".format(
            space_id=quote(str(space_id), safe=""),
            decision_id=quote(str(decision_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Decision | ErrorBody | None:
    if response.status_code == 200:
        response_200 = Decision.from_dict(response.json())

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
) -> Response[Decision | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    space_id: str,
    decision_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ResolveDecision,
) -> Response[Decision | ErrorBody]:
    """Resolve or reject a decision

     Settles a `proposed` decision and records `resolved_at`. A decision is settled once:
    resolving an already resolved or rejected decision is a 409.

    Args:
        space_id (str):
        decision_id (UUID):
        body (ResolveDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Decision | ErrorBody]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        decision_id=decision_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    space_id: str,
    decision_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ResolveDecision,
) -> Decision | ErrorBody | None:
    """Resolve or reject a decision

     Settles a `proposed` decision and records `resolved_at`. A decision is settled once:
    resolving an already resolved or rejected decision is a 409.

    Args:
        space_id (str):
        decision_id (UUID):
        body (ResolveDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Decision | ErrorBody
    """

    return sync_detailed(
        space_id=space_id,
        decision_id=decision_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    space_id: str,
    decision_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ResolveDecision,
) -> Response[Decision | ErrorBody]:
    """Resolve or reject a decision

     Settles a `proposed` decision and records `resolved_at`. A decision is settled once:
    resolving an already resolved or rejected decision is a 409.

    Args:
        space_id (str):
        decision_id (UUID):
        body (ResolveDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Decision | ErrorBody]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        decision_id=decision_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    space_id: str,
    decision_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ResolveDecision,
) -> Decision | ErrorBody | None:
    """Resolve or reject a decision

     Settles a `proposed` decision and records `resolved_at`. A decision is settled once:
    resolving an already resolved or rejected decision is a 409.

    Args:
        space_id (str):
        decision_id (UUID):
        body (ResolveDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Decision | ErrorBody
    """

    return (
        await asyncio_detailed(
            space_id=space_id,
            decision_id=decision_id,
            client=client,
            body=body,
        )
    ).parsed
