"""Fake arrays on an accelerator, for tests and benchmarks (no GPU here, no torch).

Shaped like the real ones where pairrepl looks (duck typing): a torch CUDA tensor (a
``device`` whose ``type`` is ``cuda``), a JAX array on a GPU (a ``device`` with a
``platform``, and ``is_ready()``), a CuPy array (``__cuda_array_interface__`` on the
class). Every access to a value (repr, str, an element, a statistic, truthiness, a
conversion) is counted in ``Fake.reads`` and, while the device is busy, waits as a real
one does: in a wait no SIGALRM can cut short (the signal is blocked meanwhile), so a
time limit would not save a summary that touched one.

Self-contained (stdlib only): a test runs this file's source as a cell in a real kernel.
"""

from __future__ import annotations

import signal
import time
from typing import Any

#: How long a value read waits while the device is busy (queued work, as after a cell).
BUSY_WAIT_SECONDS = 0.5


class TorchDevice:
    def __init__(self, kind: str = "cuda", index: int = 0) -> None:
        self.type, self.index = kind, index

    def __str__(self) -> str:
        return f"{self.type}:{self.index}" if self.type != "cpu" else "cpu"


class JaxDevice:
    platform, id = "gpu", 1


class CupyDevice:
    id = 0


class Fake:
    """One array; ``Fake.reads`` counts value accesses across all of them."""

    reads = 0
    ready_checks = 0
    busy = True  # the device has work queued (class-wide: one device)

    def __init__(self, shape: tuple[int, ...], dtype: str = "torch.float32", itemsize: int = 4):
        self._shape, self._dtype, self._itemsize = shape, dtype, itemsize

    # metadata: kept on the host, free to read
    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def nbytes(self) -> int:
        count = 1
        for dim in self._shape:
            count *= dim
        return count * self._itemsize

    # values: each waits for the device
    def _read(self) -> None:
        Fake.reads += 1
        if Fake.busy:
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            try:
                time.sleep(BUSY_WAIT_SECONDS)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def __repr__(self) -> str:
        self._read()
        return f"tensor(<{self._shape} values>)"

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        return self.__repr__()

    def __getitem__(self, index: Any) -> Fake:
        self._read()
        return type(self)((2, 2), self._dtype, self._itemsize)

    def __iter__(self) -> Any:
        self._read()
        return iter(())

    def __bool__(self) -> bool:
        self._read()
        return True

    def __eq__(self, other: object) -> bool:
        self._read()
        return self is other

    __hash__ = object.__hash__

    def __array__(self, *args: Any) -> Any:
        self._read()
        raise TypeError("no values on the host")

    def item(self) -> float:
        self._read()
        return 0.5

    def min(self) -> Fake:
        self._read()
        return self

    max = mean = sum = min

    def tolist(self) -> list[Any]:
        self._read()
        return []


class CudaTensor(Fake):
    @property
    def device(self) -> TorchDevice:
        return TorchDevice()


class CpuTensor(Fake):
    """On the host: its values are cheap, and the summary shows them."""

    host_reads = 0

    @property
    def device(self) -> TorchDevice:
        return TorchDevice("cpu")

    def _read(self) -> None:
        CpuTensor.host_reads += 1


class JaxArray(Fake):
    @property
    def device(self) -> JaxDevice:
        return JaxDevice()

    def is_ready(self) -> bool:
        Fake.ready_checks += 1
        return not Fake.busy


class CupyArray(Fake):
    __cuda_array_interface__ = property(lambda self: self._read())

    @property
    def device(self) -> CupyDevice:
        return CupyDevice()


class Model:
    """Like a torch module: parameters on the device, a repr that lists its layers."""

    def __init__(self, layers: int = 8) -> None:
        self.training = False
        self._parameters = {f"layer{i}.weight": CudaTensor((1024, 1024)) for i in range(layers)}
        self._modules: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Model({len(self._parameters)} layers of Linear(1024, 1024))"
