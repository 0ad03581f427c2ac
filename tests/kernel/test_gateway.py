"""What only an Enterprise Gateway does (the contract suite runs on one too: ``pytest
-m gateway tests/kernel``): it refuses a kernel for its own reasons, and says them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pairrepl.kernel import ServerKernel
from pairrepl.kernel.server_api import ServerAuthFailed
from tests.enterprise_gateway import EnterpriseGateway, gateway_python

pytestmark = pytest.mark.gateway


async def test_a_kernel_the_gateway_refuses_is_a_line_in_the_gateways_words(
    tmp_path: Path,
) -> None:
    python = gateway_python()
    assert python is not None, "run tests/gateway_venv.sh"
    only_someone_else = ["--EnterpriseGatewayApp.authorized_users=someone-else"]
    with EnterpriseGateway(tmp_path, python, only_someone_else) as gateway:
        kernel = ServerKernel(gateway.url, gateway.token)
        with pytest.raises(ServerAuthFailed) as refused:
            await kernel.start()
        message = str(refused.value)
        assert "refused POST /api/kernels (403): User " in message
        assert "authorized" in message and "token" not in message
