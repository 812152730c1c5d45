import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.space_summary import SpaceSummary
from ...types import UNSET, Response, Unset


def _get_kwargs(
    space_id: str,
    *,
    start: datetime.datetime | Unset = UNSET,
    end: datetime.datetime | Unset = UNSET,
    regenerate: bool | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_start: str | Unset = UNSET
    if not isinstance(start, Unset):
        json_start = start.isoformat()
    params["start"] = json_start

    json_end: str | Unset = UNSET
    if not isinstance(end, Unset):
        json_end = end.isoformat()
    params["end"] = json_end

    params["regenerate"] = regenerate

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/spaces/{space_id}/summary".format(
            space_id=quote(str(space_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SpaceSummary | None:
    if response.status_code == 200:
        response_200 = SpaceSummary.from_dict(response.json())

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
) -> Response[ErrorBody | SpaceSummary]:
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
    start: datetime.datetime | Unset = UNSET,
    end: datetime.datetime | Unset = UNSET,
    regenerate: bool | Unset = UNSET,
) -> Response[ErrorBody | SpaceSummary]:
    """Summarize a space

     Summarizes the events of `[start, end]`. `end` defaults to now rounded up to the next
    whole minute (so the current minute's events are included and repeated calls within a
    minute share one cached summary) and `start` to one hour before `end`; `start` after
    `end` is a 400. Timestamps are ISO 8601; one without an offset (or a bare date) is UTC.

    Summaries are cached per exact window: the same `start` and `end` return the cached
    summary (same `summary_id`) until `regenerate=true` replaces it.

    A summary reads at most the latest 2000 events of the window (`event_count` still
    counts them all) and the decisions proposed or settled in it. The built-in
    `extractive` summarizer lists participants and their event counts, decisions and the
    most significant messages; when a model provider is configured and fails, the
    extractive summary is returned instead and not cached.

    Args:
        space_id (str):
        start (datetime.datetime | Unset):
        end (datetime.datetime | Unset):
        regenerate (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SpaceSummary]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        start=start,
        end=end,
        regenerate=regenerate,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    space_id: str,
    *,
    client: AuthenticatedClient,
    start: datetime.datetime | Unset = UNSET,
    end: datetime.datetime | Unset = UNSET,
    regenerate: bool | Unset = UNSET,
) -> ErrorBody | SpaceSummary | None:
    """Summarize a space

     Summarizes the events of `[start, end]`. `end` defaults to now rounded up to the next
    whole minute (so the current minute's events are included and repeated calls within a
    minute share one cached summary) and `start` to one hour before `end`; `start` after
    `end` is a 400. Timestamps are ISO 8601; one without an offset (or a bare date) is UTC.

    Summaries are cached per exact window: the same `start` and `end` return the cached
    summary (same `summary_id`) until `regenerate=true` replaces it.

    A summary reads at most the latest 2000 events of the window (`event_count` still
    counts them all) and the decisions proposed or settled in it. The built-in
    `extractive` summarizer lists participants and their event counts, decisions and the
    most significant messages; when a model provider is configured and fails, the
    extractive summary is returned instead and not cached.

    Args:
        space_id (str):
        start (datetime.datetime | Unset):
        end (datetime.datetime | Unset):
        regenerate (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SpaceSummary
    """

    return sync_detailed(
        space_id=space_id,
        client=client,
        start=start,
        end=end,
        regenerate=regenerate,
    ).parsed


async def asyncio_detailed(
    space_id: str,
    *,
    client: AuthenticatedClient,
    start: datetime.datetime | Unset = UNSET,
    end: datetime.datetime | Unset = UNSET,
    regenerate: bool | Unset = UNSET,
) -> Response[ErrorBody | SpaceSummary]:
    """Summarize a space

     Summarizes the events of `[start, end]`. `end` defaults to now rounded up to the next
    whole minute (so the current minute's events are included and repeated calls within a
    minute share one cached summary) and `start` to one hour before `end`; `start` after
    `end` is a 400. Timestamps are ISO 8601; one without an offset (or a bare date) is UTC.

    Summaries are cached per exact window: the same `start` and `end` return the cached
    summary (same `summary_id`) until `regenerate=true` replaces it.

    A summary reads at most the latest 2000 events of the window (`event_count` still
    counts them all) and the decisions proposed or settled in it. The built-in
    `extractive` summarizer lists participants and their event counts, decisions and the
    most significant messages; when a model provider is configured and fails, the
    extractive summary is returned instead and not cached.

    Args:
        space_id (str):
        start (datetime.datetime | Unset):
        end (datetime.datetime | Unset):
        regenerate (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SpaceSummary]
    """

    kwargs = _get_kwargs(
        space_id=space_id,
        start=start,
        end=end,
        regenerate=regenerate,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    space_id: str,
    *,
    client: AuthenticatedClient,
    start: datetime.datetime | Unset = UNSET,
    end: datetime.datetime | Unset = UNSET,
    regenerate: bool | Unset = UNSET,
) -> ErrorBody | SpaceSummary | None:
    """Summarize a space

     Summarizes the events of `[start, end]`. `end` defaults to now rounded up to the next
    whole minute (so the current minute's events are included and repeated calls within a
    minute share one cached summary) and `start` to one hour before `end`; `start` after
    `end` is a 400. Timestamps are ISO 8601; one without an offset (or a bare date) is UTC.

    Summaries are cached per exact window: the same `start` and `end` return the cached
    summary (same `summary_id`) until `regenerate=true` replaces it.

    A summary reads at most the latest 2000 events of the window (`event_count` still
    counts them all) and the decisions proposed or settled in it. The built-in
    `extractive` summarizer lists participants and their event counts, decisions and the
    most significant messages; when a model provider is configured and fails, the
    extractive summary is returned instead and not cached.

    Args:
        space_id (str):
        start (datetime.datetime | Unset):
        end (datetime.datetime | Unset):
        regenerate (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SpaceSummary
    """

    return (
        await asyncio_detailed(
            space_id=space_id,
            client=client,
            start=start,
            end=end,
            regenerate=regenerate,
        )
    ).parsed
