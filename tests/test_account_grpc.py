"""The gRPC methods of a person's data, as grpcurl sees and calls them through reflection."""

from __future__ import annotations

import json

from pixelflow.runtime.testing import RunningService
from tests.support.users import PASSWORD, unique_email
from tests.test_runtime import _grpcurl


async def test_grpcurl_describes_and_calls_the_account_methods(
    auth_server: RunningService, images_server: RunningService
) -> None:
    auth = await _grpcurl("-plaintext", auth_server.address, "describe", "pixelflow.auth.v1.Auth")
    for method in ("ListSessions", "EndSession", "ChangePassword", "DeleteAccount"):
        assert f"rpc {method} (" in auth
    images = await _grpcurl("-plaintext", images_server.address, "describe", "pixelflow.images.v1.Images")
    assert "rpc DeleteImage ( .pixelflow.images.v1.DeleteImageRequest )" in images
    assert "rpc ExportImages ( .pixelflow.images.v1.ExportImagesRequest ) returns ( stream" in images
    internal = await _grpcurl("-plaintext", images_server.address, "describe", "pixelflow.images.v1.ImageProcessing")
    assert "rpc PurgeOwner ( .pixelflow.images.v1.PurgeOwnerRequest )" in internal

    body = json.dumps({"email": unique_email("grpcurl"), "password": PASSWORD, "user_agent": "grpcurl"})
    session = json.loads(
        await _grpcurl("-plaintext", "-d", body, auth_server.address, "pixelflow.auth.v1.Auth/Register")
    )
    bearer = f"authorization: Bearer {session['access_token']}"
    listed = json.loads(
        await _grpcurl("-plaintext", "-H", bearer, auth_server.address, "pixelflow.auth.v1.Auth/ListSessions")
    )
    [only] = listed["sessions"]
    assert (only["user_agent"], only["current"]) == ("grpcurl", True)
    exported = await _grpcurl(
        "-plaintext", "-H", bearer, images_server.address, "pixelflow.images.v1.Images/ExportImages"
    )
    assert exported.strip() == ""  # nothing uploaded: no file to stream
