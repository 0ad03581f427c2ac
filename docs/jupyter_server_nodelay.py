"""Jupyter Server config: send kernel websocket frames at once (Nagle's algorithm off).

Jupyter Server leaves Nagle's algorithm on for kernel websockets. A cell's reply is
several small frames (busy, execute_input, result, execute_reply, idle); with Nagle on,
each waits until the client ACKs the previous one, and clients delay ACKs by up to
40 ms. A trivial cell then takes ~48 ms instead of ~6 ms (docs/benchmarks.md).

Use it on the machine that runs the server, either way:

    jupyter server --config=jupyter_server_nodelay.py
    # or paste the lines below into ~/.jupyter/jupyter_server_config.py

Needs Jupyter Server 2.4 or later (the kernel_websocket_connection_class setting).
"""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    def connect(self):  # type: ignore[no-untyped-def]
        self.websocket_handler.set_nodelay(True)  # the websocket is open by now
        return super().connect()


c = get_config()  # type: ignore[name-defined]  # noqa: F821
c.ServerApp.kernel_websocket_connection_class = NoDelayKernelWebsocketConnection
