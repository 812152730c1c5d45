from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.created_actor import CreatedActor
from ...models.error_body import ErrorBody
from ...models.new_actor import NewActor
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: NewActor,
    x_installation_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_installation_id, Unset):
        headers["X-Installation-Id"] = x_installation_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/actors",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreatedActor | ErrorBody | None:
    if response.status_code == 200:
        response_200 = CreatedActor.from_dict(response.json())

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
) -> Response[CreatedActor | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: NewActor,
    x_installation_id: str | Unset = UNSET,
) -> Response[CreatedActor | ErrorBody]:
    """Register an actor

     A human registers without authentication (`email` required); called with a human's
    key, the new human joins that caller's tenant. An agent is registered by its human
    sponsor, whose key is required: the agent is placed in the sponsor's tenant. The
    response carries the plaintext `api_key`, returned only once.

    An agent registered with an `X-Installation-Id` header is connected to that
    installation (see rotate-key); without one it starts `available`. Humans have no
    installations: the header is only checked.

    Registrations per client address per hour are limited (429 beyond), and so are the
    agents one human may sponsor (403 beyond).

    Args:
        x_installation_id (str | Unset):
        body (NewActor):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreatedActor | ErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
        x_installation_id=x_installation_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: NewActor,
    x_installation_id: str | Unset = UNSET,
) -> CreatedActor | ErrorBody | None:
    """Register an actor

     A human registers without authentication (`email` required); called with a human's
    key, the new human joins that caller's tenant. An agent is registered by its human
    sponsor, whose key is required: the agent is placed in the sponsor's tenant. The
    response carries the plaintext `api_key`, returned only once.

    An agent registered with an `X-Installation-Id` header is connected to that
    installation (see rotate-key); without one it starts `available`. Humans have no
    installations: the header is only checked.

    Registrations per client address per hour are limited (429 beyond), and so are the
    agents one human may sponsor (403 beyond).

    Args:
        x_installation_id (str | Unset):
        body (NewActor):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreatedActor | ErrorBody
    """

    return sync_detailed(
        client=client,
        body=body,
        x_installation_id=x_installation_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: NewActor,
    x_installation_id: str | Unset = UNSET,
) -> Response[CreatedActor | ErrorBody]:
    """Register an actor

     A human registers without authentication (`email` required); called with a human's
    key, the new human joins that caller's tenant. An agent is registered by its human
    sponsor, whose key is required: the agent is placed in the sponsor's tenant. The
    response carries the plaintext `api_key`, returned only once.

    An agent registered with an `X-Installation-Id` header is connected to that
    installation (see rotate-key); without one it starts `available`. Humans have no
    installations: the header is only checked.

    Registrations per client address per hour are limited (429 beyond), and so are the
    agents one human may sponsor (403 beyond).

    Args:
        x_installation_id (str | Unset):
        body (NewActor):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreatedActor | ErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
        x_installation_id=x_installation_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: NewActor,
    x_installation_id: str | Unset = UNSET,
) -> CreatedActor | ErrorBody | None:
    """Register an actor

     A human registers without authentication (`email` required); called with a human's
    key, the new human joins that caller's tenant. An agent is registered by its human
    sponsor, whose key is required: the agent is placed in the sponsor's tenant. The
    response carries the plaintext `api_key`, returned only once.

    An agent registered with an `X-Installation-Id` header is connected to that
    installation (see rotate-key); without one it starts `available`. Humans have no
    installations: the header is only checked.

    Registrations per client address per hour are limited (429 beyond), and so are the
    agents one human may sponsor (403 beyond).

    Args:
        x_installation_id (str | Unset):
        body (NewActor):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreatedActor | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_installation_id=x_installation_id,
        )
    ).parsed
