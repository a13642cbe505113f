"""Helpers for the end-to-end tests: one godl kernel driven through a real
jupyter_client (KernelManager + BlockingKernelClient), plus raw ZeroMQ
sockets for messages no well-behaved client would send, and a look at the
kernel's child processes through /proc (psutil is not a dependency)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import pathlib
import queue
import re
import time
import uuid
from dataclasses import dataclass, field

import zmq
from jupyter_client.manager import KernelManager

# Cells are compiled (about a second each once warm, more on a busy machine)
# and a worker restart costs several seconds.
CELL_TIMEOUT = 120
DELIM = b"<IDS|MSG>"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(s: str) -> str:
    return _ANSI.sub("", s)


@dataclass
class Run:
    """Everything one execute_request produced."""

    msg_id: str
    reply: dict
    iopub: list = field(default_factory=list)  # messages with this parent, in order
    elapsed: float = 0.0
    kernel: "Kernel | None" = None

    def of(self, msg_type: str) -> list:
        return [m["content"] for m in self.iopub if m["header"]["msg_type"] == msg_type]

    def stream(self, name: str) -> str:
        return "".join(c["text"] for c in self.of("stream") if c["name"] == name)

    @property
    def stdout(self) -> str:
        return self.stream("stdout")

    @property
    def stderr(self) -> str:
        return self.stream("stderr")

    @property
    def errors(self) -> list:
        return self.of("error")

    @property
    def statuses(self) -> list:
        return [c["execution_state"] for c in self.of("status")]

    @property
    def result(self) -> str | None:
        r = self.of("execute_result")
        return r[-1]["data"].get("text/plain") if r else None

    @property
    def status(self) -> str:
        return self.reply["content"]["status"]

    def error_text(self) -> str:
        """ename, evalue and traceback of the reply, ANSI stripped."""
        c = self.reply["content"]
        return strip_ansi("\n".join([c.get("ename", ""), c.get("evalue", "")] + list(c.get("traceback") or [])))

    def describe(self) -> str:
        c = self.reply["content"]
        return (
            f"status={c.get('status')} ename={c.get('ename')!r} evalue={c.get('evalue')!r}\n"
            f"traceback={c.get('traceback')!r}\nstdout={self.stdout[-2000:]!r}\nstderr={self.stderr[-3000:]!r}\n"
            f"iopub types={[m['header']['msg_type'] for m in self.iopub]}"
        )


# ---------------------------------------------------------------- /proc


def proc_ppid_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = stat.rsplit(")", 1)[1].split()
    return int(rest[1]), rest[0]


def proc_cmdline(pid: int) -> list[str]:
    try:
        raw = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def proc_environ(pid: int) -> dict[str, str]:
    try:
        raw = pathlib.Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    env = {}
    for kv in raw.split(b"\0"):
        key, sep, val = kv.partition(b"=")
        if sep:
            env[key.decode(errors="replace")] = val.decode(errors="replace")
    return env


def is_worker(pid: int) -> bool:
    return "GONB_PIPE" in proc_environ(pid)


def children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        ps = proc_ppid_and_state(int(d))
        if ps and ps[0] == pid and ps[1] != "Z":
            out.append(int(d))
    return out


def alive(pid: int) -> bool:
    ps = proc_ppid_and_state(pid)
    return ps is not None and ps[1] != "Z"


def wait_reaped(pid: int, timeout: float) -> bool:
    """Wait until pid is gone from /proc altogether: its parent has
    collected its exit status, so the parent knows it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc_ppid_and_state(pid) is None:
            return True
        time.sleep(0.02)
    return proc_ppid_and_state(pid) is None


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


# ---------------------------------------------------------------- kernel


class Kernel:
    """One running godl kernel with a connected blocking client. The
    kernel's stdout and stderr (its log) go to log_path."""

    def __init__(self, log_path: pathlib.Path):
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.km = KernelManager(kernel_name="godl")
        self.km.start_kernel(stdout=self._log, stderr=self._log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=CELL_TIMEOUT)
        self.zctx = zmq.Context()

    # -- processes

    @property
    def pid(self) -> int:
        return self.km.provisioner.process.pid

    def is_alive(self) -> bool:
        return self.km.is_alive()

    def worker_pids(self) -> list[int]:
        """The kernel's children that are cell workers: the ones given the
        gonbui pipe for rich output (go build and friends are not)."""
        return [p for p in children(self.pid) if is_worker(p)]

    def worker_pid(self) -> int | None:
        w = self.worker_pids()
        assert len(w) <= 1, f"more than one worker process: {w}"
        return w[0] if w else None

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    # -- messages

    def drain_iopub(self):
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                return

    def late(self, msg_id: str, wait: float = 0.3) -> list:
        """iopub messages for msg_id that still come after its idle status
        (there must be none). Other messages read meanwhile are dropped."""
        got = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            try:
                m = self.kc.get_iopub_msg(timeout=left)
            except queue.Empty:
                break
            if m["parent_header"].get("msg_id") == msg_id:
                got.append(m)
        return got

    def start(self, code: str) -> str:
        return self.kc.execute(code, allow_stdin=False, stop_on_error=False)

    def collect(self, msg_id: str, timeout: float = CELL_TIMEOUT, t0: float | None = None, until=None) -> Run:
        """iopub messages of msg_id up to its idle status, then its reply.
        until(msg) may end the iopub wait early (the cell still runs): the
        reply is then not waited for (reply = {})."""
        t0 = time.monotonic() if t0 is None else t0
        deadline = time.monotonic() + timeout
        run = Run(msg_id=msg_id, reply={}, kernel=self)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no idle status for {msg_id} within {timeout}s; got {[m['header']['msg_type'] for m in run.iopub]}")
            try:
                m = self.kc.get_iopub_msg(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            run.iopub.append(m)
            if until is not None and until(m):
                return run
            if m["header"]["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        run.reply = self.shell_reply(msg_id, max(deadline - time.monotonic(), 10))
        run.elapsed = time.monotonic() - t0
        return run

    def shell_reply(self, msg_id: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            m = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
            if m["parent_header"].get("msg_id") == msg_id:
                return m

    def execute(self, code: str, timeout: float = CELL_TIMEOUT) -> Run:
        t0 = time.monotonic()
        return self.collect(self.start(code), timeout, t0)

    def control(self, msg_type: str, content: dict | None = None, timeout: float = 30) -> dict:
        msg = self.kc.session.msg(msg_type, content or {})
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + timeout
        while True:
            m = self.kc.get_control_msg(timeout=max(deadline - time.monotonic(), 0.01))
            if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return m

    def interrupt(self) -> dict:
        return self.control("interrupt_request")

    def kernel_info(self, timeout: float = 30) -> dict:
        msg_id = self.kc.kernel_info()
        return self.shell_reply(msg_id, timeout)

    # -- raw sockets

    def conn(self) -> dict:
        return self.km.get_connection_info()

    def addr(self, channel: str) -> str:
        ci = self.conn()
        return f"tcp://{ci['ip']}:{ci[channel + '_port']}"

    def raw(self, kind: int, channel: str) -> zmq.Socket:
        s = self.zctx.socket(kind)
        s.linger = 0
        s.connect(self.addr(channel))
        return s

    def key(self) -> bytes:
        k = self.conn()["key"]
        return k if isinstance(k, bytes) else k.encode()

    def sign(self, *parts: bytes, key: bytes | None = None) -> bytes:
        h = hmac.new(self.key() if key is None else key, digestmod=hashlib.sha256)
        for p in parts:
            h.update(p)
        return h.hexdigest().encode()

    def header(self, msg_type: str | None, **extra) -> dict:
        h = {
            "msg_id": uuid.uuid4().hex,
            "session": "fault-" + uuid.uuid4().hex[:8],
            "username": "faults",
            "date": "2026-01-01T00:00:00.000000Z",
            "version": "5.3",
        }
        if msg_type is not None:
            h["msg_type"] = msg_type
        h.update(extra)
        return h

    def frames(self, header, content=b"{}", parent=b"{}", metadata=b"{}", sig=None, key=None) -> list[bytes]:
        """A message after the delimiter; header may be a dict or raw bytes;
        sig None signs correctly."""
        hb = header if isinstance(header, bytes) else json.dumps(header).encode()
        cb = content if isinstance(content, bytes) else json.dumps(content).encode()
        if sig is None:
            sig = self.sign(hb, parent, metadata, cb, key=key)
        return [DELIM, sig, hb, parent, metadata, cb]

    def heartbeat(self, payload: bytes = b"ping", timeout: float = 5) -> bytes | None:
        s = self.raw(zmq.REQ, "hb")
        try:
            s.send(payload)
            if s.poll(int(timeout * 1000)):
                return s.recv()
            return None
        finally:
            s.close()

    # -- lifecycle

    def shutdown(self):
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=False)
        self.zctx.destroy(linger=0)
        self._log.close()


def wait_stream(kernel: Kernel, msg_id: str, text: str, timeout: float = CELL_TIMEOUT) -> Run:
    """Wait until the running cell msg_id printed text on stdout."""
    seen = []

    def until(m):
        if m["header"]["msg_type"] == "stream":
            seen.append(m["content"]["text"])
            return text in "".join(seen)
        return False  # at idle, collect fetches the reply and returns

    return kernel.collect(msg_id, timeout, until=until)


def ok(k: Kernel, code: str) -> Run:
    """Run a cell that must succeed."""
    r = k.execute(code)
    assert r.reply["content"]["status"] == "ok", r.describe()
    return r
