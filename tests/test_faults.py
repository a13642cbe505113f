"""Fault campaign: bad input gets a clear error and loses nothing.

A shape mismatch names the op and both shapes and points at the cell line;
a malformed wire message is dropped and logged; a crashing cell never takes
the kernel down. Everything goes through a real Jupyter client (the installed
"godl" kernelspec, jupyter_client's KernelManager and BlockingKernelClient),
and raw pyzmq sockets for what no well-behaved client sends.

One kernel serves the whole module (cells are compiled and a worker restart
costs seconds). `w := 41` is defined first; after each fault either `w+1`
still gives 42 (the state must survive) or the fault's error said plainly
that the worker restarted and earlier values are gone, and then `w+1` says
so as well before w is defined again.

After every fault: the kernel process is alive, the status went back to
idle, exactly one error output was sent for the failing cell, and the next
cell runs.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import time

import pytest
import zmq

from faults_helpers import CELL_TIMEOUT, DELIM, Kernel, Run, alive, wait_gone, wait_reaped, wait_stream

# The engine kills a cell that ignores an interrupt after this long (its
# default InterruptGrace); tests allow generous slack on a shared machine.
INTERRUPT_GRACE = 3.0
INTERRUPT_SLACK = 12.0
LOST = re.compile(r"earlier values are gone|state (is )?(lost|gone)", re.I)


# ------------------------------------------------------------------ fixture


@pytest.fixture(scope="module")
def k(tmp_path_factory):
    kern = Kernel(tmp_path_factory.mktemp("faults") / "kernel.log")
    try:
        r = kern.execute("w := 41")
        assert r.status == "ok", r.describe()
        yield kern
    finally:
        kern.shutdown()


# ------------------------------------------------------------------ checks


def assert_failed_once(r: Run, ename: str | None = None):
    """A failing cell: error reply, exactly one iopub error output matching
    it, a non-empty traceback, and status back to idle."""
    c = r.reply["content"]
    assert c["status"] == "error", r.describe()
    assert len(r.errors) == 1, f"want exactly one error output, got {len(r.errors)}\n{r.describe()}"
    e = r.errors[0]
    assert e["ename"] == c["ename"] and e["evalue"] == c["evalue"], (e, c)
    assert isinstance(c["traceback"], list) and c["traceback"], r.describe()
    if ename is not None:
        assert c["ename"] == ename, r.describe()
    assert not r.of("execute_result"), r.describe()
    assert r.statuses[0] == "busy" and r.statuses[-1] == "idle", r.statuses
    late = r.kernel.late(r.msg_id)
    assert not late, f"messages after the idle status: {[(m['header']['msg_type'], m['content']) for m in late]}"


def assert_ok(r: Run):
    assert r.status == "ok", r.describe()
    assert not r.errors, r.describe()
    assert r.statuses[0] == "busy" and r.statuses[-1] == "idle", r.statuses


def assert_alive(k: Kernel):
    assert k.is_alive(), "the kernel process died\n" + k.log_text()[-4000:]


def ensure_state(k: Kernel):
    """Before a fault: w is 41. A failure of an earlier test may have lost
    it; then it is defined again, so that tests do not fail in a chain."""
    assert_alive(k)
    r = k.execute("w+1")
    if r.status != "ok" or r.result != "42":
        r = k.execute("w := 41\nw+1")
    assert_ok(r)
    assert r.result == "42", r.describe()


def no_leftovers(r: Run):
    """A check cell after a fault shows nothing of the fault: no crash dump,
    no output of the failed cell."""
    assert "goroutine " not in r.stderr and "panic:" not in r.stderr and not r.stdout, r.describe()


def state_kept(k: Kernel):
    """w is still 41 in the same worker."""
    assert_alive(k)
    r = k.execute("w+1")
    assert_ok(r)
    assert r.result == "42", r.describe()
    no_leftovers(r)


def state_lost_then_restore(k: Kernel):
    """After a worker restart: w is undefined, and the error says that the
    earlier values are gone. Then w is defined again."""
    assert_alive(k)
    r = k.execute("w+1")
    assert_failed_once(r)
    txt = r.error_text() + r.stderr
    assert "undefined: w" in txt, r.describe()
    assert LOST.search(txt), "the error must say that w was lost with the worker\n" + r.describe()
    no_leftovers(r)
    r = k.execute("w := 41\nw+1")
    assert_ok(r)
    assert r.result == "42", r.describe()


def says_worker_died(r: Run):
    """The failing cell's error says the worker died and the state is gone."""
    txt = r.error_text()
    assert re.search(r"worker", txt, re.I), r.describe()
    assert LOST.search(txt), "the error must say that earlier values are gone\n" + r.describe()


def line_in_traceback(r: Run, line: int):
    tb = r.error_text()
    assert re.search(rf"\bline {line}\b", tb), f"the traceback must point at cell line {line}\n{r.describe()}"


# =================================================================== wire


def _dealer_replies(sock: zmq.Socket, last_id: str, wait: float = 15, linger: float = 0.5) -> list[list[bytes]]:
    """Everything that comes back on sock until the reply to last_id (plus
    linger seconds for stragglers), or wait seconds."""
    got = []
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000)):
            return got
        m = sock.recv_multipart()
        got.append(m)
        if DELIM in m and json.loads(m[m.index(DELIM) + 3]).get("msg_id") == last_id:
            deadline = min(deadline, time.monotonic() + linger)


def _malformed(k: Kernel) -> list[tuple[str, list[bytes]]]:
    good_h = k.header("kernel_info_request")
    bad_key = b"not-the-key-" + os.urandom(8).hex().encode()
    no_type = k.header(None)
    huge = os.urandom(48 << 20)
    huge_content = b"{" + os.urandom(8 << 20)
    return [
        ("bad HMAC signature", k.frames(good_h, sig=b"0" * 64)),
        ("signed with another key", k.frames(k.header("kernel_info_request"), key=bad_key)),
        ("signature not hex", k.frames(k.header("kernel_info_request"), sig=b"zz" * 32)),
        ("missing signature (empty frame)", k.frames(k.header("kernel_info_request"), sig=b"")),
        ("truncated: delimiter, signature, header", k.frames(k.header("kernel_info_request"))[:3]),
        ("truncated: delimiter only", [DELIM]),
        ("truncated: header cut in half", (lambda f: [f[0], f[1], f[2][: len(f[2]) // 2], f[3], f[4], f[5]])(
            k.frames(k.header("kernel_info_request")))),
        ("no delimiter", k.frames(k.header("kernel_info_request"))[1:]),
        ("empty frame", [b""]),
        ("non-JSON header (signed)", k.frames(b"this is {not json")),
        ("JSON array header (signed)", k.frames(b"[1, 2, 3]")),
        ("null header (signed)", k.frames(b"null")),
        ("header without msg_type (signed)", k.frames(no_type)),
        ("header without msg_id (signed)", k.frames({kk: v for kk, v in k.header("kernel_info_request").items() if kk != "msg_id"})),
        ("non-JSON content (signed)", k.frames(k.header("kernel_info_request"), content=b"{oops")),
        ("huge garbage frame (48 MiB)", [huge]),
        ("huge non-JSON content (8 MiB, signed)", k.frames(k.header("execute_request"), content=huge_content)),
    ]


def test_malformed_wire_messages_are_dropped_and_logged(k):
    ensure_state(k)
    k.drain_iopub()
    log_before = k.log_text()
    cases = _malformed(k)
    for chan in ("shell", "control"):
        sock = k.raw(zmq.DEALER, chan)
        try:
            for _, frames in cases:
                sock.send_multipart(frames)
            # A valid request afterwards: its reply must be the first and
            # only thing that comes back on this socket.
            ok_h = k.header("kernel_info_request")
            sock.send_multipart(k.frames(ok_h))
            got = _dealer_replies(sock, ok_h["msg_id"])
            assert got, f"{chan}: no kernel_info_reply after the malformed messages\n" + k.log_text()[-3000:]
            parents = [json.loads(m[m.index(DELIM) + 3])["msg_id"] if DELIM in m else None for m in got]
            assert parents == [ok_h["msg_id"]], f"{chan}: malformed messages were answered: {parents}"
            types = [json.loads(m[m.index(DELIM) + 2])["msg_type"] for m in got]
            assert types == ["kernel_info_reply"], types
        finally:
            sock.close()
        assert_alive(k)
    # stdin takes input_reply only; garbage there is dropped as well.
    sock = k.raw(zmq.DEALER, "stdin")
    for _, frames in cases[:10]:
        sock.send_multipart(frames)
    sock.send_multipart(k.frames(k.header("input_reply"), content={"value": "stray"}))
    time.sleep(1)
    sock.close()
    assert_alive(k)

    # Nothing was published for a dropped message: no error, no busy.
    time.sleep(0.5)
    stray = []
    while True:
        try:
            m = k.kc.get_iopub_msg(timeout=0.2)
        except Exception:
            break
        stray.append(m)
    assert not [m for m in stray if m["header"]["msg_type"] == "error"], stray

    # Every dropped message was logged, once, with the socket it came on.
    new_log = k.log_text()[len(log_before):]
    for chan in ("shell", "control"):
        dropped = len(re.findall(rf"dropped a message on {chan}\b", new_log))
        assert dropped == len(cases), f"{chan}: {dropped} drops logged for {len(cases)} malformed messages:\n{new_log[-4000:]}"

    # The kernel still answers kernel_info, runs a cell, and the heartbeat echoes.
    info = k.kernel_info()
    assert info["content"]["status"] == "ok"
    assert info["content"]["language_info"]["name"] == "go"
    assert k.heartbeat(b"ping") == b"ping"
    state_kept(k)


def test_unknown_msg_type_is_not_answered_with_a_crash(k):
    ensure_state(k)
    for chan in ("shell", "control"):
        sock = k.raw(zmq.DEALER, chan)
        try:
            h = k.header("frobnicate_request")
            sock.send_multipart(k.frames(h, content={"x": 1}))
            ok_h = k.header("kernel_info_request")
            sock.send_multipart(k.frames(ok_h))
            got = _dealer_replies(sock, ok_h["msg_id"])
            heads = [json.loads(m[m.index(DELIM) + 2]) for m in got]
            parents = [json.loads(m[m.index(DELIM) + 3]).get("msg_id") for m in got]
            # Either ignored (ipykernel) or an error reply; never a crash.
            for hd, par, m in zip(heads, parents, got):
                if par == h["msg_id"]:
                    content = json.loads(m[m.index(DELIM) + 5])
                    assert content.get("status") == "error", (hd, content)
            assert parents[-1:] == [ok_h["msg_id"]], f"{chan}: kernel_info not answered after an unknown type: {heads}"
        finally:
            sock.close()
        assert_alive(k)
    assert "frobnicate_request" in k.log_text(), "an unknown message type must be logged"
    state_kept(k)


def test_signed_but_nonsensical_requests(k):
    """Well-signed requests with wrong content or on the wrong channel: an
    error reply or nothing, never a crash, and no cell runs."""
    ensure_state(k)
    before = k.execute('fmt.Println("count")')
    count = before.reply["content"]["execution_count"]
    cases = [
        ("shell", k.header("execute_request"), {"code": 42}),
        ("shell", k.header("execute_request"), []),
        ("shell", k.header("execute_request"), "just a string"),
        ("shell", k.header("complete_request"), {"code": None, "cursor_pos": "x"}),
        ("shell", k.header("inspect_request"), {"code": "fmt.Println", "cursor_pos": -5}),
        ("shell", k.header("complete_request"), {"code": "fmt.Pri", "cursor_pos": 10**9}),
        ("shell", k.header("history_request"), {"hist_access_type": "range", "session": -1, "start": -10**12, "stop": 10**12}),
        ("shell", k.header("is_complete_request"), {"code": "\x00\xff" * 1000}),
        ("control", k.header("execute_request"), {"code": 'fmt.Println("ran on control")'}),
        ("shell", k.header("comm_msg"), {"comm_id": "nope", "data": {}}),
    ]
    for chan, h, content in cases:
        sock = k.raw(zmq.DEALER, chan)
        try:
            sock.send_multipart(k.frames(h, content=json.dumps(content).encode()))
            ok_h = k.header("kernel_info_request")
            sock.send_multipart(k.frames(ok_h))
            got = _dealer_replies(sock, ok_h["msg_id"], wait=30)
            parents = [json.loads(m[m.index(DELIM) + 3]).get("msg_id") for m in got]
            assert parents and parents[-1] == ok_h["msg_id"], f"{h['msg_type']} {content!r}: kernel_info not answered: {parents}"
            for m in got[:-1]:
                assert json.loads(m[m.index(DELIM) + 3]).get("msg_id") == h["msg_id"], parents
        finally:
            sock.close()
        assert_alive(k)
    after = k.execute('fmt.Println("count")')
    assert_ok(after)
    assert after.reply["content"]["execution_count"] == count + 1, "a malformed execute_request ran or counted"
    assert "ran on control" not in after.stdout
    state_kept(k)


def test_garbage_bytes_on_the_tcp_ports(k):
    """Not even ZMTP: raw bytes on the shell, control and heartbeat ports."""
    ensure_state(k)
    ci = k.conn()
    for port in (ci["shell_port"], ci["control_port"], ci["hb_port"], ci["iopub_port"], ci["stdin_port"]):
        for payload in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\xff" + os.urandom(4096), b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f" + b"\x03" + os.urandom(64)):
            s = socket.create_connection((ci["ip"], port), timeout=5)
            try:
                s.sendall(payload)
                time.sleep(0.05)
            except OSError:
                pass
            finally:
                s.close()
    time.sleep(0.5)
    assert_alive(k)
    assert k.heartbeat(b"still there") == b"still there"
    assert k.kernel_info()["content"]["status"] == "ok"
    state_kept(k)


def test_heartbeat_echoes_big_and_multipart(k):
    assert k.heartbeat(b"x" * (1 << 20)) == b"x" * (1 << 20)
    s = k.raw(zmq.REQ, "hb")
    try:
        s.send_multipart([b"a", b"b"])
        assert s.poll(5000), "no heartbeat echo for a two-frame ping"
        assert s.recv_multipart() == [b"a", b"b"]
    finally:
        s.close()
    assert_alive(k)


# =================================================================== cells: recoverable


def test_panic_points_at_the_cell_line(k):
    ensure_state(k)
    r = k.execute('x := 1\n_ = x\npanic("boom")\n')
    assert_failed_once(r, "panic")
    assert r.reply["content"]["evalue"] == "boom", r.describe()
    line_in_traceback(r, 3)
    state_kept(k)


def test_matmul_shape_mismatch_names_op_shapes_and_line(k):
    ensure_state(k)
    r = k.execute(
        "a := dl.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)\n"
        "b := dl.FromSlice([]float32{1, 2, 3, 4}, 2, 2)\n"
        "c := a.MatMul(b)\n"
        "fmt.Println(c)\n"
    )
    assert_failed_once(r)
    c = r.reply["content"]
    msg = c["ename"] + ": " + c["evalue"]
    assert "MatMul" in msg and "[2 3]" in msg and "[2 2]" in msg, r.describe()
    line_in_traceback(r, 3)
    state_kept(k)


def test_nil_pointer_dereference(k):
    ensure_state(k)
    r = k.execute("type box struct{ N int }\nvar p *box\nfmt.Println(p.N)\n")
    assert_failed_once(r, "panic")
    assert "nil pointer dereference" in r.reply["content"]["evalue"], r.describe()
    line_in_traceback(r, 3)
    state_kept(k)


def test_index_out_of_range(k):
    ensure_state(k)
    r = k.execute("s := []int{1, 2, 3}\ni := 5\nfmt.Println(s[i])\n")
    assert_failed_once(r, "panic")
    assert "index out of range [5] with length 3" in r.reply["content"]["evalue"], r.describe()
    line_in_traceback(r, 3)
    state_kept(k)


def test_compile_error_has_line_col_and_message(k):
    ensure_state(k)
    t0 = time.monotonic()
    r = k.execute('v := 1\nq := "a" + v\nfmt.Println(q)\n')
    assert_failed_once(r)
    txt = r.error_text()
    assert re.search(r"\b2:\d+\b", txt), "line:col of the error (line 2)\n" + r.describe()
    assert "mismatched types" in txt or "invalid operation" in txt, r.describe()
    assert 'q := "a" + v' in txt, "the offending line is shown\n" + r.describe()
    r2 = k.execute("undefinedThing(3)")
    assert_failed_once(r2)
    assert re.search(r"\b1:1\b", r2.error_text()) and "undefined: undefinedThing" in r2.error_text(), r2.describe()
    assert time.monotonic() - t0 < 60
    state_kept(k)


def test_five_megabytes_of_stdout(k):
    ensure_state(k)
    msg_id = k.start('fmt.Print(strings.Repeat("x", 5<<20))\nfmt.Print("END")')
    # The kernel answers on control while the output pours out.
    info = k.control("kernel_info_request", timeout=30)
    assert info["content"]["status"] == "ok"
    r = k.collect(msg_id)
    assert_ok(r)
    out = r.stdout
    assert len(out) == (5 << 20) + 3 and out.endswith("END") and out.count("x") == 5 << 20, (len(out), out[-20:])
    state_kept(k)


def test_ten_thousand_small_prints(k):
    ensure_state(k)
    r = k.execute("for i := range 10000 {\n\tfmt.Println(i)\n}\n")
    assert_ok(r)
    assert r.stdout == "".join(f"{i}\n" for i in range(10000)), (len(r.stdout), r.stdout[:100], r.stdout[-100:])
    state_kept(k)


# =================================================================== interrupts


def _interrupt_running(k: Kernel, code: str, marker: str = "started", while_running=None, by_signal=False) -> tuple[Run, float, int | None]:
    """Run code (which prints marker and then runs on), interrupt it once
    it printed, and return the finished run, the seconds from the interrupt
    to the reply, and the worker pid it ran in. while_running(k) is called
    before the interrupt; by_signal sends SIGINT to the kernel process (a
    Ctrl-C in its terminal) instead of an interrupt_request."""
    msg_id = k.start(code)
    early = wait_stream(k, msg_id, marker)
    assert not early.reply, "the cell ended before it was interrupted\n" + early.describe()
    worker = k.worker_pid()
    assert worker is not None, "no worker process among the kernel's children while a cell runs"
    time.sleep(1.0)
    if while_running is not None:
        while_running(k)
    t0 = time.monotonic()
    if by_signal:
        os.kill(k.pid, signal.SIGINT)
    else:
        ir = k.interrupt()
        assert ir["header"]["msg_type"] == "interrupt_reply" and ir["content"]["status"] == "ok", ir
    r = k.collect(msg_id, timeout=INTERRUPT_GRACE + INTERRUPT_SLACK + 30)
    r.iopub = early.iopub + r.iopub
    return r, time.monotonic() - t0, worker


def _busy_kernel_still_serves(k: Kernel):
    """While a cell spins: the heartbeat echoes, control answers, and
    malformed messages on shell and control are dropped without harm."""
    assert k.heartbeat(b"busy?") == b"busy?", "no heartbeat while a cell runs: a front end would restart the kernel"
    assert k.control("kernel_info_request", timeout=10)["content"]["status"] == "ok"
    for chan in ("shell", "control"):
        sock = k.raw(zmq.DEALER, chan)
        sock.send_multipart(k.frames(k.header("kernel_info_request"), sig=b"0" * 64))
        sock.send_multipart([b"garbage"])
        time.sleep(0.1)
        sock.close()
    assert_alive(k)


def test_interrupt_busy_loop_keeps_state(k):
    ensure_state(k)
    r, took, worker = _interrupt_running(k, 'fmt.Println("started")\nn := 0\nfor {\n\tn++\n}\n', while_running=_busy_kernel_still_serves)
    assert_failed_once(r, "Interrupted")
    assert took < INTERRUPT_GRACE, f"an instrumented loop must stop at once, took {took:.1f}s"
    assert not LOST.search(r.error_text()), r.describe()
    assert k.worker_pid() == worker, "the worker was restarted for an interruptible loop"
    state_kept(k)
    r = k.execute("n > 0")
    assert_ok(r)
    assert r.result == "true", r.describe()


def _rss_mib(pid: int) -> int:
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024


def _flood_then_interrupt(k: Kernel, code: str):
    """An endless print loop: the output keeps coming, the kernel stays
    responsive and does not pile the flood up in memory, and an interrupt
    stops the loop with the state kept."""
    ensure_state(k)
    rss0 = _rss_mib(k.pid)

    def during(k):
        time.sleep(2)
        _busy_kernel_still_serves(k)
        assert _rss_mib(k.pid) < rss0 + 200, f"the kernel grew from {rss0} to {_rss_mib(k.pid)} MiB during an output flood"

    r, took, worker = _interrupt_running(k, code, while_running=during)
    assert_failed_once(r, "Interrupted")
    assert len(r.stdout) > 100_000, f"only {len(r.stdout)} bytes of the flood arrived"
    # The time to the reply includes this Python client reading the whole
    # flood already on the wire (seconds on a loaded machine); that the loop
    # itself stopped, not the worker being killed, is what the next three
    # lines check.
    assert took < INTERRUPT_GRACE + 2 * INTERRUPT_SLACK, f"took {took:.1f}s"
    assert not LOST.search(r.error_text()), r.describe()
    assert k.worker_pid() == worker
    state_kept(k)


def test_interrupt_endless_print_loop(k):
    _flood_then_interrupt(k, 'fmt.Println("started")\nfor {\n\tfmt.Println("spam spam spam spam")\n}\n')


def test_interrupt_endless_counting_loop(k):
    _flood_then_interrupt(k, 'fmt.Println("started")\nfor i := 0; ; i++ {\n\tfmt.Println(i)\n}\n')


def test_sigint_to_the_kernel_interrupts_the_cell(k):
    """A Ctrl-C in the terminal that runs the kernel reaches the kernel
    process as SIGINT: it interrupts the cell, it does not kill the kernel."""
    ensure_state(k)
    os.kill(k.pid, signal.SIGINT)  # while idle: harmless
    time.sleep(0.3)
    assert_alive(k)
    r, took, worker = _interrupt_running(k, 'fmt.Println("started")\nm := 0\nfor {\n\tm++\n}\n', by_signal=True)
    assert_failed_once(r, "Interrupted")
    assert took < INTERRUPT_GRACE, f"took {took:.1f}s"
    assert not LOST.search(r.error_text()), r.describe()
    assert k.worker_pid() == worker
    state_kept(k)


def test_interrupt_training_loop_keeps_model(k):
    ensure_state(k)
    r = k.execute(
        "dl.Seed(1)\n"
        "model := nn.NewLinear(8, 1)\n"
        "opt := optim.NewSGD(nn.Parameters(model), optim.LR(0.01))\n"
        "xb, yb := dl.Randn(64, 8), dl.Randn(64, 1)\n"
        "steps := 0\n"
        "w0 := model.Weight.Data()[0]\n"
    )
    assert_ok(r)
    r, took, worker = _interrupt_running(
        k,
        'fmt.Println("started")\n'
        "for range 100000000 {\n"
        "\tloss := nn.MSELoss(model.Forward(xb), yb)\n"
        "\topt.ZeroGrad()\n"
        "\tloss.Backward()\n"
        "\topt.Step()\n"
        "\tsteps++\n"
        "}\n",
    )
    assert_failed_once(r, "Interrupted")
    assert took < INTERRUPT_GRACE, f"a training loop must stop at once, took {took:.1f}s"
    assert not LOST.search(r.error_text()), r.describe()
    assert k.worker_pid() == worker
    r = k.execute('fmt.Println(steps > 0, model.Weight.Data()[0] != w0)\nnn.MSELoss(model.Forward(xb), yb).Item() >= 0')
    assert_ok(r)
    assert r.stdout.strip() == "true true", r.describe()
    assert r.result == "true", r.describe()
    state_kept(k)


def _interrupt_blocked(k: Kernel, code: str):
    """A cell blocked where no check runs: the interrupt must still end it
    within the grace period; then either the state was kept (and the error
    says nothing about losing it) or the error says it is gone."""
    ensure_state(k)
    r, took, worker = _interrupt_running(k, code)
    assert_failed_once(r, "Interrupted")
    assert took < INTERRUPT_GRACE + INTERRUPT_SLACK, f"the interrupt took {took:.1f}s"
    assert_alive(k)
    if LOST.search(r.error_text()):
        says_worker_died(r)
        assert wait_gone(worker, 5), "the killed worker is still there"
        state_lost_then_restore(k)
    else:
        assert k.worker_pid() == worker
        state_kept(k)


def test_interrupt_sleep(k):
    # The engine rewrites time.Sleep in cells to end on an interrupt, so
    # this is as prompt as a loop and keeps the state.
    ensure_state(k)
    r, took, worker = _interrupt_running(k, 'fmt.Println("started")\ntime.Sleep(time.Hour)\n')
    assert_failed_once(r, "Interrupted")
    assert took < INTERRUPT_GRACE, f"an interrupted time.Sleep must end at once, took {took:.1f}s"
    assert not LOST.search(r.error_text()), r.describe()
    assert k.worker_pid() == worker
    state_kept(k)


def test_interrupt_deadlock_select(k):
    # In a worker with other goroutines the runtime cannot see a deadlock:
    # the cell just blocks, and the interrupt must end it.
    ensure_state(k)
    msg_id = k.start('fmt.Println("started")\nselect {}\n')
    early = wait_stream(k, msg_id, "started")
    if early.reply:
        # The runtime noticed "all goroutines are asleep": a clear error
        # and the worker's death must be reported.
        assert_failed_once(early)
        says_worker_died(early)
        assert "deadlock" in (early.error_text() + early.stderr), early.describe()
        state_lost_then_restore(k)
        return
    time.sleep(2)
    ir = k.interrupt()
    assert ir["content"]["status"] == "ok"
    r = k.collect(msg_id, timeout=INTERRUPT_GRACE + INTERRUPT_SLACK + 30)
    r.iopub = early.iopub + r.iopub
    assert_failed_once(r, "Interrupted")
    if LOST.search(r.error_text()):
        says_worker_died(r)
        state_lost_then_restore(k)
    else:
        state_kept(k)


def test_interrupt_channel_deadlock(k):
    _interrupt_blocked(k, 'fmt.Println("started")\nch := make(chan int)\n<-ch\n')


# =================================================================== cells: the worker dies


def _dies(k: Kernel, code: str, cause: re.Pattern, timeout: float = CELL_TIMEOUT) -> Run:
    ensure_state(k)
    worker = k.worker_pid()
    assert worker is not None, "no worker process among the kernel's children"
    r = k.execute(code, timeout=timeout)
    assert_failed_once(r)
    assert_alive(k)
    says_worker_died(r)
    # The cause is named where the user reads it: in the error itself.
    assert cause.search(r.error_text()), f"the error must name the cause ({cause.pattern})\n{r.describe()}"
    assert wait_gone(worker, 5), "the dead worker lingers"
    state_lost_then_restore(k)
    return r


def test_panic_in_goroutine(k):
    r = _dies(k, 'x := 1\ngo func() {\n\tpanic("bg boom")\n}()\ntime.Sleep(5 * time.Second)\n', re.compile(r"goroutine panicked"))
    assert "bg boom" in r.error_text(), "the panic value must be in the error\n" + r.describe()


def test_panic_in_goroutine_points_at_the_cell_line(k):
    r = _dies(k, 'x := 1\ngo func() {\n\tpanic("bg boom")\n}()\ntime.Sleep(5 * time.Second)\n', re.compile(r"goroutine panicked"))
    line_in_traceback(r, 3)


def test_os_exit(k):
    _dies(k, 'fmt.Println("bye")\nos.Exit(3)\n', re.compile(r"status 3"))


def test_log_fatal(k):
    r = _dies(k, 'log.Fatal("fatal thing")\n', re.compile(r"status 1|fatal thing"))
    assert "fatal thing" in r.error_text() + r.stderr, r.describe()


def test_two_crashes_in_a_row_still_explain_lost_names(k):
    ensure_state(k)
    for _ in range(2):
        r = k.execute("os.Exit(3)")
        assert_failed_once(r, "WorkerDied")
        says_worker_died(r)
    state_lost_then_restore(k)


def test_ten_gigabyte_allocation_fails_fast(k):
    r = _dies(k, "big := make([]byte, 10<<30)\nbig[len(big)-1] = 1\nfmt.Println(len(big))\n", re.compile(r"out of memory"), timeout=60)
    assert r.elapsed < 30, f"a 10 GB allocation must fail fast, took {r.elapsed:.1f}s"


def test_ten_gigabyte_tensor_is_a_cell_error(k):
    """dl checks a tensor's size against the worker's memory limit before it
    allocates: the cell fails with an error naming the op, the shape and the
    bytes, and the same worker lives on with every variable."""
    ensure_state(k)
    worker = k.worker_pid()
    r = k.execute("t := dl.Zeros(50000, 50000)\nfmt.Println(t.Shape())\n", timeout=60)
    assert_failed_once(r)
    text = r.error_text()
    assert re.search(r"out of memory", text, re.I), r.describe()
    assert "Zeros" in text and "50000" in text and "GiB" in text, r.describe()
    assert r.elapsed < 30, f"a 10 GB tensor must fail fast, took {r.elapsed:.1f}s"
    assert k.worker_pid() == worker, "the worker was restarted"
    state_kept(k)


def test_infinite_recursion(k):
    _dies(k, "func down(n int) int { return down(n+1) + 1 }\nfmt.Println(down(0))\n", re.compile(r"stack overflow|stack exceeds", re.I), timeout=90)


def test_cell_closing_stdout_loses_no_later_output(k):
    ensure_state(k)
    try:
        r = k.execute("os.Stdout.Close()")
        assert r.status in ("ok", "error"), r.describe()
        r = k.execute('fmt.Println("hello after close")\nw+1')
        assert_ok(r)
        assert r.result == "42", r.describe()
        assert r.stdout == "hello after close\n", "stdout after a cell closed os.Stdout was lost\n" + r.describe()
    finally:
        # Whatever happened, later tests need a worker whose stdout works.
        k.execute("%reset")
        k.execute("w := 41")


def _with_child_on_stdout(k: Kernel, code: str, interrupt: bool):
    """code starts `sleep 600` with the worker's stdout, prints "child <pid>",
    then makes the worker die (or blocks, and gets interrupted). The cell
    must end within seconds, and the child must not outlive the worker
    holding the kernel's pipe. Our own clean-up kills the child by its pid."""
    ensure_state(k)
    msg_id = k.start(code)
    early = wait_stream(k, msg_id, "child ")
    m = re.search(r"child (\d+)", early.stdout)
    assert m, early.describe()
    child = int(m.group(1))
    try:
        if interrupt:
            time.sleep(0.5)
            k.interrupt()
        t0 = time.monotonic()
        try:
            r = k.collect(msg_id, timeout=INTERRUPT_GRACE + INTERRUPT_SLACK)
        except TimeoutError:
            os.kill(child, signal.SIGKILL)
            k.collect(msg_id, timeout=30)
            pytest.fail(f"the cell did not end within {INTERRUPT_GRACE + INTERRUPT_SLACK:.0f}s: the kernel waits for "
                        "EOF on the dead worker's stdout, which a child process still holds")
        r.iopub = early.iopub + r.iopub
        assert time.monotonic() - t0 < INTERRUPT_GRACE + INTERRUPT_SLACK
        assert_failed_once(r)
        says_worker_died(r)
        assert wait_gone(child, 5), "the cell's child process outlived the killed worker"
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)
    state_lost_then_restore(k)


def test_worker_death_while_a_child_holds_stdout(k):
    _with_child_on_stdout(
        k,
        'cmd := exec.Command("sleep", "600")\ncmd.Stdout = os.Stdout\ncmd.Start()\n'
        'fmt.Println("child", cmd.Process.Pid)\nos.Exit(3)\n',
        interrupt=False,
    )


def test_interrupt_a_cell_waiting_for_a_child_process(k):
    _with_child_on_stdout(
        k,
        'cmd := exec.Command("sleep", "600")\ncmd.Stdout = os.Stdout\ncmd.Start()\n'
        'fmt.Println("child", cmd.Process.Pid)\ncmd.Wait()\n',
        interrupt=True,
    )


def test_kill_9_worker_from_outside(k):
    ensure_state(k)
    worker = k.worker_pid()
    assert worker is not None, "no worker process among the kernel's children"
    os.kill(worker, signal.SIGKILL)
    # Once the kernel has collected the worker's exit status it knows.
    assert wait_reaped(worker, 5)
    time.sleep(0.2)
    r = k.execute('fmt.Println("after the kill")')
    assert_ok(r)
    assert "after the kill" in r.stdout, r.describe()
    assert re.search(r"worker.*died", r.stderr + r.error_text(), re.I), "the next cell must report that the worker died\n" + r.describe()
    assert LOST.search(r.stderr), r.describe()
    new = k.worker_pid()
    assert new is not None and new != worker
    state_lost_then_restore(k)


def test_kill_9_worker_while_the_next_cell_builds(k):
    ensure_state(k)
    worker = k.worker_pid()
    assert worker is not None
    msg_id = k.start('fmt.Println("built after the kill")')
    # execute_input comes before the engine starts compiling; the build
    # takes most of a second, so the kill lands before the cell runs.
    early = k.collect(msg_id, timeout=30, until=lambda m: m["header"]["msg_type"] == "execute_input")
    time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    r = k.collect(msg_id)
    r.iopub = early.iopub + r.iopub
    assert_alive(k)
    assert re.search(r"worker.*died", r.stderr + r.error_text(), re.I), r.describe()
    assert_ok(r)
    assert "built after the kill" in r.stdout, r.describe()
    state_lost_then_restore(k)


def test_interrupt_while_idle_is_harmless(k):
    ensure_state(k)
    worker = k.worker_pid()
    for _ in range(3):
        ir = k.interrupt()
        assert ir["content"]["status"] == "ok", ir
    time.sleep(0.5)
    r = k.execute('fmt.Println("runs")')
    assert_ok(r)
    assert r.stdout == "runs\n", r.describe()
    assert k.worker_pid() == worker
    state_kept(k)


def test_goexit_in_a_cell(k):
    """runtime.Goexit() ends the goroutine running the cell without a panic;
    the cell must still end with a clear error, not hang."""
    ensure_state(k)
    msg_id = k.start('fmt.Println("before")\nruntime.Goexit()\n')
    try:
        r = k.collect(msg_id, timeout=20)
    except TimeoutError:
        k.interrupt()
        r = k.collect(msg_id, timeout=INTERRUPT_GRACE + INTERRUPT_SLACK + 30)
        pytest.fail("a cell calling runtime.Goexit() never ended: no reply within 20 s (the interrupt then "
                    f"killed the worker: {r.reply['content'].get('evalue')!r})")
    assert_failed_once(r)
    assert "Goexit" in r.error_text(), r.describe()
    if LOST.search(r.error_text()):
        state_lost_then_restore(k)
    else:
        state_kept(k)


def test_binary_and_invalid_utf8_output(k):
    ensure_state(k)
    r = k.execute('fmt.Print(string([]byte{0xff, 0xfe, 0, 1, 2}), "é\\n")\nfmt.Fprint(os.Stderr, string([]byte{0xc3}))\n')
    assert_ok(r)
    assert "é" in r.stdout and "\x00" in r.stdout and "\ufffd" in r.stdout, repr(r.stdout)
    state_kept(k)


# =================================================================== kernel lifecycle


def test_restart_kernel_from_the_client(k):
    ensure_state(k)
    old_pid, old_worker = k.pid, k.worker_pid()
    t0 = time.monotonic()
    k.km.restart_kernel(now=False)
    took = time.monotonic() - t0
    k.kc.wait_for_ready(timeout=CELL_TIMEOUT)
    assert k.pid != old_pid and not alive(old_pid)
    # The old kernel obeyed shutdown_request(restart=True) by itself,
    # well within jupyter_client's patience (5 s) before it kills.
    assert took < k.km.shutdown_wait_time, f"restart took {took:.1f}s"
    assert old_worker is not None and wait_gone(old_worker, 5), "the old kernel's worker survived the restart"
    assert_alive(k)
    r = k.execute('fmt.Println("fresh")')
    assert_ok(r)
    assert r.stdout == "fresh\n"
    r = k.execute("w+1")
    assert_failed_once(r)
    assert "undefined: w" in r.error_text(), r.describe()
    r = k.execute("w := 41\nw+1")
    assert_ok(r)
    assert r.result == "42"


def test_restart_kernel_while_a_cell_hangs(k):
    """Restart while a cell blocks where no interrupt check runs: the old
    kernel still exits on its own, its worker with it, and the new kernel
    runs cells."""
    ensure_state(k)
    msg_id = k.start('fmt.Println("started")\nselect {}\n')
    early = wait_stream(k, msg_id, "started")
    assert not early.reply, early.describe()
    old_pid, old_worker = k.pid, k.worker_pid()
    assert old_worker is not None
    t0 = time.monotonic()
    k.km.restart_kernel(now=False)
    took = time.monotonic() - t0
    k.kc.wait_for_ready(timeout=CELL_TIMEOUT)
    assert k.pid != old_pid and not alive(old_pid)
    assert took < k.km.shutdown_wait_time, f"restart took {took:.1f}s: jupyter_client had to kill the old kernel"
    assert wait_gone(old_worker, 5), "the old kernel's worker survived the restart"
    r = k.execute("w := 41\nw+1")
    assert_ok(r)
    assert r.result == "42"


def test_interrupt_while_the_cell_compiles(k):
    """An interrupt that comes while the cell is still being built: the cell
    does not run (no side effect), the error says so, state is kept."""
    ensure_state(k)
    worker = k.worker_pid()
    msg_id = k.start("w = 1000\nfmt.Println(\"ran\")\n")
    deadline = time.monotonic() + 30
    early = []
    while time.monotonic() < deadline:
        m = k.kc.get_iopub_msg(timeout=30)
        if m["parent_header"].get("msg_id") == msg_id:
            early.append(m)
            if m["header"]["msg_type"] == "execute_input":
                break
    k.interrupt()
    r = k.collect(msg_id)
    r.iopub = early + r.iopub
    # The interrupt left within milliseconds of execute_input; a cell's
    # build takes the better part of a second.
    assert_failed_once(r, "Interrupted")
    assert "ran" not in r.stdout, r.describe()
    assert not LOST.search(r.error_text()), r.describe()
    assert k.worker_pid() == worker
    state_kept(k)  # w is still 41: the cell's `w = 1000` never ran


def test_kernel_log_shows_no_internal_error(k):
    """Through all of the above, the kernel never hit a bug of its own."""
    log = k.log_text()
    for bad in ("panic serving", "engine panic", "internal error", "fatal error:", "DATA RACE"):
        assert bad not in log, f"{bad!r} in the kernel log:\n" + log[max(0, log.find(bad) - 2000) : log.find(bad) + 2000]


def test_shutdown_while_a_cell_runs(tmp_path):
    kern = Kernel(tmp_path / "kernel.log")
    try:
        msg_id = kern.start('fmt.Println("started")\ntime.Sleep(time.Hour)\n')
        early = wait_stream(kern, msg_id, "started")
        assert not early.reply
        worker = kern.worker_pid()
        assert worker is not None
        proc = kern.km.provisioner.process
        t0 = time.monotonic()
        rep = kern.control("shutdown_request", {"restart": False}, timeout=10)
        assert rep["header"]["msg_type"] == "shutdown_reply" and rep["content"]["status"] == "ok", rep
        deadline = t0 + 3.0
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        took = time.monotonic() - t0
        assert proc.poll() is not None, "the kernel did not exit within 3 s of shutdown_request while a cell ran"
        assert proc.returncode == 0, f"exit status {proc.returncode}"
        assert took < 3.0
        assert wait_gone(worker, 5), "the worker outlived its kernel"
    finally:
        kern.shutdown()
