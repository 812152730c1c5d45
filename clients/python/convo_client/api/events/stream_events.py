from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.stream_message import StreamMessage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    space_id: str,
    *,
    since: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    params: dict[str, Any] = {}

    params["since"] = since

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/spaces/{space_id}/events/stream".format(
            space_id=quote(str(space_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | StreamMessage | None:
    if response.status_code == 200:
        response_200 = StreamMessage.from_dict(response.text)

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
) -> Response[ErrorBody | StreamMessage]:
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
    since: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[ErrorBody | StreamMessage]:
    """Stream events (SSE)

     Server-Sent Events: each event arrives as `event: context_event`, `id: <event_id>`,
    `data: <the event object>`. Resume after an event with the `Last-Event-ID` header
    (browsers send it on reconnect) or `?since=<event_id>`; with neither, the space is
    replayed from its first event, then the stream follows new events live. Each event is
    delivered exactly once, in order. Keep-alive comments are sent while idle. Browsers
    authenticate with `?token=`.

    Args:
        space_id (str):
        since (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | StreamMessage]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        since=since,
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    space_id: str,
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> ErrorBody | StreamMessage | None:
    """Stream events (SSE)

     Server-Sent Events: each event arrives as `event: context_event`, `id: <event_id>`,
    `data: <the event object>`. Resume after an event with the `Last-Event-ID` header
    (browsers send it on reconnect) or `?since=<event_id>`; with neither, the space is
    replayed from its first event, then the stream follows new events live. Each event is
    delivered exactly once, in order. Keep-alive comments are sent while idle. Browsers
    authenticate with `?token=`.

    Args:
        space_id (str):
        since (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | StreamMessage
    """

    return sync_detailed(
        space_id=space_id,
        client=client,
        since=since,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    space_id: str,
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[ErrorBody | StreamMessage]:
    """Stream events (SSE)

     Server-Sent Events: each event arrives as `event: context_event`, `id: <event_id>`,
    `data: <the event object>`. Resume after an event with the `Last-Event-ID` header
    (browsers send it on reconnect) or `?since=<event_id>`; with neither, the space is
    replayed from its first event, then the stream follows new events live. Each event is
    delivered exactly once, in order. Keep-alive comments are sent while idle. Browsers
    authenticate with `?token=`.

    Args:
        space_id (str):
        since (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | StreamMessage]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        since=since,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    space_id: str,
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> ErrorBody | StreamMessage | None:
    """Stream events (SSE)

     Server-Sent Events: each event arrives as `event: context_event`, `id: <event_id>`,
    `data: <the event object>`. Resume after an event with the `Last-Event-ID` header
    (browsers send it on reconnect) or `?since=<event_id>`; with neither, the space is
    replayed from its first event, then the stream follows new events live. Each event is
    delivered exactly once, in order. Keep-alive comments are sent while idle. Browsers
    authenticate with `?token=`.

    Args:
        space_id (str):
        since (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | StreamMessage
    """

    return (
        await asyncio_detailed(
            space_id=space_id,
            client=client,
            since=since,
            last_event_id=last_event_id,
        )
    ).parsed
