"""Defence in depth: the engines answer queries and check shapes in a thread (or a worker process)
that the kernel forbids to open any socket, so that if mkgraph.store.querycheck ever missed a SERVICE,
nothing would leave the machine.

How: a seccomp filter (Linux; no privilege needed, only no_new_privs) installed on the one thread
that runs the engine. socket(), socketpair() and io_uring_setup() then fail with EACCES in that
thread and in any thread it starts; every other thread of the process, and the caller's own
program when mkgraph is used as a library, keep their network. A worker process of `mkgraph
serve` installs it on all its threads. It covers every way out that needs a new socket: HTTP
from Oxigraph's or rudof's SERVICE client, DNS look-ups, raw sockets. It does not cover a socket
the thread was handed already open (the engines are handed none), nor platforms without seccomp
(other than Linux on x86-64 or arm64): there `available()` is False and the query check alone
stands guard.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from _thread import allocate_lock, start_new_thread
from collections.abc import Callable

from mkgraph.core.errors import MkgraphError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms of a cold query)
if TYPE_CHECKING:  # pragma: no cover
    from typing import TypeVar

    T = TypeVar("T")

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_DENY = 0x00050000 | errno.EACCES  # SECCOMP_RET_ERRNO
# (audit architecture, syscall numbers of socket, socketpair, io_uring_setup, seccomp)
_ARCHES = {
    "x86_64": (0xC000003E, (41, 53, 425), 317),
    "aarch64": (0xC00000B7, (198, 199, 425), 277),
}
_X32_BIT = 0x40000000


class _Instruction(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def _arch():
    # os.uname() is platform.machine() without importing platform (a few ms of a cold query)
    return _ARCHES.get(os.uname().machine) if sys.platform == "linux" else None


def available() -> bool:
    return _arch() is not None


def _program(audit_arch: int, denied: tuple[int, ...]) -> list[_Instruction]:
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
    code = [
        _Instruction(load, 0, 0, 4),  # seccomp_data.arch
        _Instruction(jeq, 1, 0, audit_arch),
        _Instruction(ret, 0, 0, _RET_DENY),  # another ABI (32-bit calls): nothing at all
        _Instruction(load, 0, 0, 0),  # seccomp_data.nr
        _Instruction(jge, 0, 1, _X32_BIT),
        _Instruction(ret, 0, 0, _RET_DENY),  # the x32 ABI
    ]
    for number in denied:
        code += [_Instruction(jeq, 0, 1, number), _Instruction(ret, 0, 0, _RET_DENY)]
    return [*code, _Instruction(ret, 0, 0, _RET_ALLOW)]


def forbid_network(whole_process: bool = False) -> None:
    """Forbid new sockets to the calling thread (and threads it starts), or with whole_process to
    every thread of the process. Irreversible. Raises OSError where the kernel refuses."""
    arch = _arch()
    if arch is None:
        raise OSError(errno.ENOSYS, "seccomp filters are not available on this platform")
    audit_arch, denied, seccomp_call = arch
    libc = ctypes.CDLL(None, use_errno=True)
    code = _program(audit_arch, denied)
    program = _Program(len(code), (_Instruction * len(code))(*code))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if whole_process:
        result = libc.syscall(
            seccomp_call,
            _SECCOMP_SET_MODE_FILTER,
            _SECCOMP_FILTER_FLAG_TSYNC,
            ctypes.byref(program),
        )
    else:
        result = libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0)
    if result != 0:
        raise OSError(ctypes.get_errno(), "installing the seccomp filter failed")


def run(work: Callable[[], T], timeout: float | None = None, confined: bool = True) -> T:
    """Run `work` in a new thread without network access (unless not `confined`: the user named
    endpoints with --allow-service); wait at most `timeout` seconds (None: no limit). Raises
    TimeoutError when the limit passes (the thread is left to finish: Oxigraph and rudof cannot
    be interrupted) and re-raises what `work` raised."""
    outcome: dict = {}
    # A bare thread of _thread, not threading.Thread: importing threading cost a cold query about
    # 2 ms. Like a daemon thread it never holds up the process's exit; `finished` is released
    # when it ends, whatever happens in it.
    finished = allocate_lock()
    finished.acquire()

    def thread() -> None:
        try:
            if confined and available():
                try:
                    forbid_network()
                except OSError as exc:
                    raise MkgraphError(
                        f"cannot run the query engine without network access: {exc.strerror or exc}"
                    ) from None
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            finished.release()

    start_new_thread(thread, ())
    if not finished.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
        raise TimeoutError()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
