"""Arrays that live on an accelerator, described from their metadata alone.

Reading any value of a CUDA tensor, a JAX array on a GPU or TPU, or a CuPy array (its
``repr``, one element, a statistic) waits until the device has finished all the work
queued before it, inside C code that SIGALRM cannot cut short: a summary after a cell
that queued seconds of GPU work took seconds, whatever its time budget. So pairrepl
reads no value of such an array unless the human asks for it: the namespace summary,
the namespace diff (its fingerprint), ``describe`` and the inspector's first view show
its type, shape, dtype, device and size in bytes, which the libraries keep on the host.
Statistics and a corner of values are read only at the human's explicit request in the
inspector, and only when the device says it is idle (``device_idle``).

Recognised by duck typing: a class with ``shape``, ``dtype`` and ``device`` (a torch
``device`` whose ``type`` is not ``cpu``, a JAX ``Device`` or ``Sharding`` whose
platform is not ``cpu``), or with ``__cuda_array_interface__`` (CuPy, Numba), looked up
on the class so that no property runs. torch, jax and cupy are never imported; to ask
whether a device is idle, a library the kernel has already loaded is used.
"""

from __future__ import annotations

import sys
from typing import Any

_HOST_PLATFORMS = ("cpu",)
_CLASSES: dict[type, str | None] = {}  # what _array_class found, per class
_MAX_CLASSES = 4096


class DeviceArray:
    """What is known of an array on an accelerator without touching its values."""

    __slots__ = ("device", "nbytes")

    def __init__(self, device: str, nbytes: int | None) -> None:
        self.device = device
        self.nbytes = nbytes

    def text(self) -> str:
        """``on cuda:0 · 3.8 MB · values not read``."""
        size = "" if self.nbytes is None else " · " + human_bytes(self.nbytes)
        return f"on {self.device}{size} · values not read"


def on_accelerator(value: Any) -> DeviceArray | None:
    """The device and size of an array that lives on an accelerator; None for anything
    else. Reads attributes only (``device``, ``nbytes``), never a value. User code may
    run (a property), so the caller bounds the time as for any other look."""
    kind = type(value)
    shaped_like = _array_class(kind)
    if shaped_like is None:
        return None
    if shaped_like == "device":
        device = _device_name(getattr(value, "device", None), kind)
    else:
        device = "cuda"
    if device is None:
        return None
    return DeviceArray(device, _nbytes(value))


def device_idle(value: Any) -> bool | None:
    """Whether the device of ``value`` has no work pending (so that reading a value
    returns at once); None when it cannot tell. Never waits, never imports a library."""
    is_ready = getattr(value, "is_ready", None)  # a JAX array: its own computation done
    if callable(is_ready):
        return bool(is_ready())
    module = type(value).__module__.partition(".")[0]
    library: Any = sys.modules.get(module)
    if library is None:
        return None
    if module == "torch":
        return bool(library.cuda.current_stream(value.device).query())
    if module == "cupy":
        return bool(library.cuda.get_current_stream().done)
    return None


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"


def _array_class(kind: type) -> str | None:
    """``device`` (an array with a ``device``), ``cuda`` (one with the CUDA array
    interface) or None, from the class alone: once per class (the summary runs after
    every cell, over every name)."""
    if kind in _CLASSES:
        return _CLASSES[kind]
    found = None
    if _on_class(kind, "shape") and _on_class(kind, "dtype"):
        if _on_class(kind, "device"):
            found = "device"
        elif _on_class(kind, "__cuda_array_interface__"):
            found = "cuda"
    if len(_CLASSES) < _MAX_CLASSES:
        _CLASSES[kind] = found
    return found


def _on_class(kind: type, name: str) -> bool:
    """``name`` is defined on the class (or a base): found without running a property."""
    try:
        return any(name in vars(base) for base in kind.__mro__)
    except Exception:
        return False


def _device_name(device: Any, kind: type) -> str | None:
    """``cuda:0``, ``tpu:3``; None for the host (or something that is not a device)."""
    if device is None:
        return None
    platform = getattr(device, "type", None)  # torch.device
    if isinstance(platform, str):
        return None if platform in _HOST_PLATFORMS else str(device)[:40]
    platform = getattr(device, "platform", None)  # a JAX Device
    if isinstance(platform, str):
        if platform in _HOST_PLATFORMS:
            return None
        return f"{platform}:{getattr(device, 'id', '?')}"
    devices = getattr(device, "device_set", None)  # a JAX Sharding over several devices
    if isinstance(devices, (set, frozenset)) and devices:
        platforms = {str(getattr(each, "platform", "?")) for each in devices}
        if platforms <= set(_HOST_PLATFORMS):
            return None
        return f"{len(devices)} × {'/'.join(sorted(platforms))}"
    if _on_class(kind, "__cuda_array_interface__"):  # a CuPy Device: its number
        return f"cuda:{getattr(device, 'id', '?')}"
    return None


def _nbytes(value: Any) -> int | None:
    """Size in bytes from metadata: ``nbytes``, else elements × ``itemsize``."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    try:
        count = 1
        for dim in value.shape:
            count *= int(dim)
        itemsize = getattr(value, "itemsize", None)
        if not isinstance(itemsize, int):
            itemsize = getattr(value.dtype, "itemsize", None)
        return count * itemsize if isinstance(itemsize, int) else None
    except Exception:
        return None
