"""Child of benchmarks/startup.py: a kernel started alone with jupyter_client, as the app
starts it (this interpreter's ipykernel). Prints the ``time.time()`` it was ready."""

import asyncio
import json
import sys
import time

from jupyter_client.manager import AsyncKernelManager

from pairrepl.kernel.local import CurrentInterpreterKernelSpecs


async def main() -> None:
    manager = AsyncKernelManager(
        kernel_name="python3", kernel_spec_manager=CurrentInterpreterKernelSpecs()
    )
    await manager.start_kernel(cwd=sys.argv[1])
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    ready = time.time()
    client.stop_channels()
    await manager.shutdown_kernel(now=True)
    print(json.dumps({"ready": ready}))


asyncio.run(main())
