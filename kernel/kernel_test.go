package kernel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func TestHeartbeatEchoes(t *testing.T) {
	tk := startKernel(t, "")
	for _, ping := range []string{"ping", "another ping"} {
		if err := tk.hb.Send(zmq4.NewMsgString(ping)); err != nil {
			t.Fatal(err)
		}
		got := make(chan zmq4.Msg, 1)
		go func() {
			m, _ := tk.hb.Recv()
			got <- m
		}()
		select {
		case m := <-got:
			if string(m.Bytes()) != ping {
				t.Fatalf("heartbeat echoed %q, want %q", m.Bytes(), ping)
			}
		case <-time.After(replyTimeout):
			t.Fatal("no heartbeat echo")
		}
	}
}

func TestKernelInfo(t *testing.T) {
	tk := startKernel(t, "")
	for _, sock := range []struct {
		s  zmq4.Socket
		in chan *Message
	}{{tk.shell, tk.shellIn}, {tk.control, tk.controlIn}} {
		id := tk.send(sock.s, MsgKernelInfoRequest, nil)
		r := tk.reply(sock.in, id, MsgKernelInfoReply)
		if r["status"] != "ok" || r["implementation"] != "godl" || r["protocol_version"] != ProtocolVersion {
			t.Errorf("kernel_info_reply: %v", r)
		}
		if b, _ := r["banner"].(string); b == "" {
			t.Error("empty banner")
		}
		li := r["language_info"].(map[string]any)
		want := map[string]any{
			"name": "go", "version": strings.TrimPrefix(runtime.Version(), "go"), "mimetype": "text/x-go",
			"file_extension": ".go", "pygments_lexer": "go", "codemirror_mode": "go",
		}
		for k, v := range want {
			if li[k] != v {
				t.Errorf("language_info[%s] = %v, want %v", k, li[k], v)
			}
		}
		if links, _ := r["help_links"].([]any); len(links) < 2 {
			t.Errorf("help_links: %v", r["help_links"])
		}
		if got := types(tk.iopubUntilIdle(id)); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
			t.Errorf("iopub: %v", got)
		}
	}
}

// sendRaw sends frames as they are, for messages the client cannot sign.
func (tk *testKernel) sendRaw(s zmq4.Socket, frames ...[]byte) {
	tk.t.Helper()
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		tk.t.Fatal(err)
	}
}

func TestBadSignatureIsDroppedNotAnswered(t *testing.T) {
	tk := startKernel(t, "")
	h, _ := json.Marshal(newHeader(MsgKernelInfoRequest, tk.session))
	bad := map[string][][]byte{
		"wrong signature":   {delimiter, []byte(strings.Repeat("ab", 32)), h, []byte("{}"), []byte("{}"), []byte("{}")},
		"missing signature": {delimiter, []byte(""), h, []byte("{}"), []byte("{}"), []byte("{}")},
		"not hex":           {delimiter, []byte("zz"), h, []byte("{}"), []byte("{}"), []byte("{}")},
		"signed by another key": (signer{key: []byte("other"), hash: tk.signer.hash}).encode(
			&Message{Header: newHeader(MsgKernelInfoRequest, tk.session)}),
		"content changed after signing": func() [][]byte {
			f := tk.signer.encode(&Message{Header: newHeader(MsgKernelInfoRequest, tk.session)})
			f[len(f)-1] = []byte(`{"x":1}`)
			return f
		}(),
		"no delimiter": {h, []byte("{}")},
		"truncated":    {delimiter, []byte("00")},
	}
	for _, frames := range bad {
		tk.sendRaw(tk.shell, frames...)
		tk.sendRaw(tk.control, frames...)
	}
	// Then a valid request on each channel: the kernel serves a channel's
	// requests in order, so whatever it said about a bad one would come
	// first. The first messages must be about the valid requests.
	for _, c := range []struct {
		s  zmq4.Socket
		in chan *Message
	}{{tk.shell, tk.shellIn}, {tk.control, tk.controlIn}} {
		id := tk.send(c.s, MsgKernelInfoRequest, nil)
		if m := tk.recv(c.in, "kernel_info_reply"); parentID(m) != id || m.Header.MsgType != MsgKernelInfoReply {
			t.Errorf("answered a bad message: %s to %s", m.Header.MsgType, parentID(m))
		}
		if m := tk.recv(tk.iopubIn, "busy"); parentID(m) != id {
			t.Errorf("iopub published %s for a bad message", m.Header.MsgType)
		}
		tk.iopubUntilIdle(id)
	}
}

// The spec: kernels need not reply to messages they do not handle, and
// must allow unknown types. So an unknown request gets busy/idle (every
// request does) and no reply, and the kernel goes on.
func TestUnknownMessageTypeIgnoredPerSpec(t *testing.T) {
	tk := startKernel(t, "")
	for _, c := range []struct {
		s  zmq4.Socket
		in chan *Message
		t  MsgType
	}{
		{tk.shell, tk.shellIn, "frobnicate_request"},
		{tk.control, tk.controlIn, "debug_request"},
		{tk.control, tk.controlIn, MsgExecuteRequest}, // execute is not served on control
	} {
		id := tk.send(c.s, c.t, map[string]any{"code": "print x"})
		if got := types(tk.iopubUntilIdle(id)); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
			t.Errorf("%s: iopub %v", c.t, got)
		}
		// Requests on a channel are served in order: a reply to the
		// unknown one would come before this one's.
		info := tk.send(c.s, MsgKernelInfoRequest, nil)
		if m := tk.recv(c.in, "kernel_info_reply"); parentID(m) != info {
			t.Errorf("%s: got a reply %s", c.t, m.Header.MsgType)
		}
		tk.iopubUntilIdle(info)
	}
}

func TestExecuteMessageOrder(t *testing.T) {
	tk := startKernel(t, "")
	id, r, io := tk.execute("print hello\ndisplay <b>hi</b>\nvalue 42", nil)
	if r["status"] != "ok" || r["execution_count"] != 1.0 {
		t.Fatalf("reply %v", r)
	}
	want := []string{"status:busy", "execute_input", "stream", "display_data", "execute_result", "status:idle"}
	if got := types(io); !slices.Equal(got, want) {
		t.Fatalf("iopub %v, want %v", got, want)
	}
	if c := content(io[1]); c["code"] != "print hello\ndisplay <b>hi</b>\nvalue 42" || c["execution_count"] != 1.0 {
		t.Errorf("execute_input %v", c)
	}
	if c := content(io[2]); c["name"] != "stdout" || c["text"] != "hello\n" {
		t.Errorf("stream %v", c)
	}
	if c := content(io[4]); c["execution_count"] != 1.0 || c["data"].(map[string]any)["text/plain"] != "42" {
		t.Errorf("execute_result %v", c)
	}
	_ = id
}

func TestExecutionCountRules(t *testing.T) {
	tk := startKernel(t, "")
	step := func(code string, extra map[string]any, wantCount float64, wantIO []string) {
		t.Helper()
		_, r, io := tk.execute(code, extra)
		if r["execution_count"] != wantCount {
			t.Errorf("%q %v: execution_count %v, want %v", code, extra, r["execution_count"], wantCount)
		}
		if got := types(io); !slices.Equal(got, wantIO) {
			t.Errorf("%q %v: iopub %v, want %v", code, extra, got, wantIO)
		}
	}
	full := []string{"status:busy", "execute_input", "stream", "status:idle"}
	step("print a", nil, 1, full)
	step("print b", nil, 2, full)
	step("print c", map[string]any{"store_history": false}, 2, full)
	step("print d", map[string]any{"silent": true, "store_history": false}, 2, []string{"status:busy", "status:idle"})
	// silent forces store_history off, even when the request says true.
	step("print e", map[string]any{"silent": true, "store_history": true}, 2, []string{"status:busy", "status:idle"})
	step("fail x", map[string]any{"silent": true}, 2, []string{"status:busy", "status:idle"})
	step("", nil, 2, []string{"status:busy", "execute_input", "status:idle"})
	step("print f", nil, 3, full)
	// The engine saw the right counts and flags.
	tk.eng.mu.Lock()
	defer tk.eng.mu.Unlock()
	var got []ExecuteRequest
	for _, e := range tk.eng.executed {
		got = append(got, ExecuteRequest{Code: e.Code, Silent: e.Silent, StoreHistory: e.StoreHistory, ExecutionCount: e.ExecutionCount})
		if len(e.MsgID) != 36 {
			t.Errorf("%q: the engine got msg_id %q, want the request's", e.Code, e.MsgID)
		}
	}
	want := []ExecuteRequest{
		{"print a", false, true, false, 1, ""}, {"print b", false, true, false, 2, ""}, {"print c", false, false, false, 2, ""},
		{"print d", true, false, false, 2, ""}, {"print e", true, false, false, 2, ""}, {"fail x", true, false, false, 2, ""},
		{"print f", false, true, false, 3, ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("engine saw %v\nwant %v", got, want)
	}
}

func TestExecuteErrorHasOneOutputAndTraceback(t *testing.T) {
	tk := startKernel(t, "")
	_, r, io := tk.execute("print before\nfail boom", nil)
	if r["status"] != "error" || r["ename"] != "Fail" || r["evalue"] != "boom" || r["execution_count"] != 1.0 {
		t.Fatalf("reply %v", r)
	}
	if tb, _ := r["traceback"].([]any); len(tb) == 0 {
		t.Errorf("reply traceback %v", r["traceback"])
	}
	want := []string{"status:busy", "execute_input", "stream", "error", "status:idle"}
	if got := types(io); !slices.Equal(got, want) {
		t.Fatalf("iopub %v, want %v", got, want)
	}
	e := content(io[3])
	if tb, _ := e["traceback"].([]any); len(tb) == 0 || e["ename"] != "Fail" {
		t.Errorf("error message %v", e)
	}
	// A panicking engine is an error too, and the kernel lives on.
	_, r, io = tk.execute("panic", nil)
	if r["status"] != "error" || r["ename"] != "EnginePanic" {
		t.Errorf("panic reply %v", r)
	}
	if got := types(io); !slices.Equal(got, []string{"status:busy", "execute_input", "error", "status:idle"}) {
		t.Errorf("panic iopub %v", got)
	}
	_, r, _ = tk.execute("print still here", nil)
	if r["status"] != "ok" || r["execution_count"] != 3.0 {
		t.Errorf("after errors: %v", r)
	}
}

func TestPagerPayload(t *testing.T) {
	tk := startKernel(t, "")
	_, r, _ := tk.execute("page some help", nil)
	p, _ := r["payload"].([]any)
	if len(p) != 1 || p[0].(map[string]any)["source"] != "page" {
		t.Errorf("payload %v", r["payload"])
	}
	_, r, _ = tk.execute("print x", nil)
	if p, ok := r["payload"].([]any); !ok || len(p) != 0 {
		t.Errorf("payload without pager: %v", r["payload"])
	}
}

func TestStopOnErrorAbortsQueuedCells(t *testing.T) {
	tk := startKernel(t, "")
	req := func(code string, stop bool) string {
		return tk.send(tk.shell, MsgExecuteRequest, map[string]any{"code": code, "stop_on_error": stop})
	}
	a := req("sleep 0.3\nfail first", true)
	b := req("print second", true)
	c := tk.send(tk.shell, MsgIsCompleteRequest, map[string]any{"code": "x := 1"})
	if r := tk.reply(tk.shellIn, a, MsgExecuteReply); r["status"] != "error" {
		t.Fatalf("a: %v", r)
	}
	if r := tk.reply(tk.shellIn, b, MsgExecuteReply); r["status"] != "aborted" {
		t.Errorf("b: %v", r)
	}
	if r := tk.reply(tk.shellIn, c, MsgIsCompleteReply); r["status"] != "complete" {
		t.Errorf("c: %v", r)
	}
	// Without stop_on_error the next cell runs.
	a = req("fail again", false)
	b = req("print runs", true)
	tk.reply(tk.shellIn, a, MsgExecuteReply)
	if r := tk.reply(tk.shellIn, b, MsgExecuteReply); r["status"] != "ok" {
		t.Errorf("after stop_on_error=false: %v", r)
	}
}

func TestControlAnsweredWhileCellRuns(t *testing.T) {
	tk := startKernel(t, "")
	exec := tk.send(tk.shell, MsgExecuteRequest, map[string]any{"code": "sleep 5"})
	busy := tk.recv(tk.iopubIn, "busy")
	if parentID(busy) != exec {
		t.Fatalf("first iopub is %s", busy.Header.MsgType)
	}
	start := time.Now()
	id := tk.send(tk.control, MsgKernelInfoRequest, nil)
	tk.reply(tk.controlIn, id, MsgKernelInfoReply)
	if d := time.Since(start); d > time.Second {
		t.Errorf("kernel_info on control took %v while a cell ran", d)
	}
	// interrupt_request stops the cell through the engine.
	id = tk.send(tk.control, MsgInterruptRequest, nil)
	if r := tk.reply(tk.controlIn, id, MsgInterruptReply); r["status"] != "ok" {
		t.Errorf("interrupt_reply %v", r)
	}
	r := tk.reply(tk.shellIn, exec, MsgExecuteReply)
	if r["status"] != "error" || r["ename"] != "Interrupted" {
		t.Errorf("interrupted cell: %v", r)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("interrupt took %v", d)
	}
	if n, _ := tk.eng.counts(); n != 1 {
		t.Errorf("engine interrupted %d times", n)
	}
}

func TestShutdownWhileBusy(t *testing.T) {
	for _, on := range []string{"control", "shell"} {
		for _, restart := range []bool{false, true} {
			t.Run(on, func(t *testing.T) {
				tk := startKernel(t, "")
				sock, in := tk.control, tk.controlIn
				if on == "shell" {
					sock, in = tk.shell, tk.shellIn
				}
				tk.send(tk.shell, MsgExecuteRequest, map[string]any{"code": "sleep 5"})
				tk.recv(tk.iopubIn, "busy")
				start := time.Now()
				id := tk.send(sock, MsgShutdownRequest, map[string]any{"restart": restart})
				r := tk.reply(in, id, MsgShutdownReply)
				if r["status"] != "ok" || r["restart"] != restart {
					t.Errorf("shutdown_reply %v", r)
				}
				if err := tk.waitRun(time.Second); err != nil {
					t.Errorf("Run: %v", err)
				}
				if d := time.Since(start); d > time.Second {
					t.Errorf("Run returned %v after shutdown_request", d)
				}
				if i, c := tk.eng.counts(); i < 1 || c != 1 {
					t.Errorf("engine: %d interrupts, %d closes", i, c)
				}
			})
		}
	}
}

func TestStdinInput(t *testing.T) {
	tk := startKernel(t, "")
	id := tk.send(tk.shell, MsgExecuteRequest, map[string]any{"code": "input name: ", "allow_stdin": true})
	ir := tk.recv(tk.stdinIn, "input_request")
	if ir.Header.MsgType != MsgInputRequest || parentID(ir) != id {
		t.Fatalf("got %s to %s", ir.Header.MsgType, parentID(ir))
	}
	if c := content(ir); c["prompt"] != "name:" || c["password"] != false {
		t.Errorf("input_request %v", c)
	}
	// The reply's parent is the input_request.
	h := newHeader(MsgInputReply, tk.session)
	parent, _ := json.Marshal(ir.Header)
	c, _ := toJSON(map[string]any{"value": "gopher"})
	tk.sendRaw(tk.stdin, tk.signer.encode(&Message{Header: h, Parent: parent, Content: c})...)
	if r := tk.reply(tk.shellIn, id, MsgExecuteReply); r["status"] != "ok" {
		t.Fatalf("reply %v", r)
	}
	io := tk.iopubUntilIdle(id)
	if got := types(io); !slices.Equal(got, []string{"status:busy", "execute_input", "stream", "status:idle"}) {
		t.Fatalf("iopub %v", got)
	}
	if c := content(io[2]); c["text"] != "got gopher\n" {
		t.Errorf("stream %v", c)
	}

	// Without allow_stdin the cell gets an error, and nothing goes to stdin.
	_, r, _ := tk.execute("input name:", map[string]any{"allow_stdin": false})
	if r["status"] != "error" || !strings.Contains(r["evalue"].(string), "stdin not allowed") {
		t.Errorf("without allow_stdin: %v", r)
	}
	if m := tk.tryRecv(tk.stdinIn, quietTimeout); m != nil {
		t.Errorf("stdin got %s", m.Header.MsgType)
	}

	// An interrupt ends a pending input.
	id = tk.send(tk.shell, MsgExecuteRequest, map[string]any{"code": "input again:", "allow_stdin": true})
	tk.recv(tk.stdinIn, "input_request")
	tk.send(tk.control, MsgInterruptRequest, nil)
	if r := tk.reply(tk.shellIn, id, MsgExecuteReply); r["status"] != "error" {
		t.Errorf("interrupted input: %v", r)
	}
}

func TestComms(t *testing.T) {
	tk := startKernel(t, "")
	commInfo := func(target string) map[string]any {
		t.Helper()
		c := map[string]any{}
		if target != "" {
			c["target_name"] = target
		}
		id := tk.send(tk.shell, MsgCommInfoRequest, c)
		r := tk.reply(tk.shellIn, id, MsgCommInfoReply)
		tk.iopubUntilIdle(id)
		if r["status"] != "ok" {
			t.Fatalf("comm_info_reply %v", r)
		}
		return r["comms"].(map[string]any)
	}
	if c := commInfo(""); len(c) != 0 {
		t.Errorf("comms at start: %v", c)
	}

	// A target the engine does not serve: comm_close, in the open's context.
	id := tk.send(tk.shell, MsgCommOpen, map[string]any{"comm_id": "c0", "target_name": "jupyter.nothing", "data": map[string]any{}})
	io := tk.iopubUntilIdle(id)
	if got := types(io); !slices.Equal(got, []string{"status:busy", "comm_close", "status:idle"}) {
		t.Fatalf("comm_open: iopub %v", got)
	}
	if c := content(io[1]); c["comm_id"] != "c0" {
		t.Errorf("comm_close %v", c)
	}

	id = tk.send(tk.shell, MsgCommOpen, map[string]any{"comm_id": "c1", "target_name": "echo", "data": map[string]any{}})
	if got := types(tk.iopubUntilIdle(id)); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
		t.Errorf("comm_open echo: iopub %v", got)
	}
	if c := commInfo(""); !reflect.DeepEqual(c, map[string]any{"c1": map[string]any{"target_name": "echo"}}) {
		t.Errorf("comm_info %v", c)
	}
	if c := commInfo("jupyter.widget"); len(c) != 0 {
		t.Errorf("comm_info for another target %v", c)
	}

	// A comm_msg reaches the engine with its metadata, buffers and msg_id;
	// what it causes comes in its context, between busy and idle.
	id = tk.sendWith(tk.shell, MsgCommMsg, map[string]any{"comm_id": "c1", "data": map[string]any{"method": "update", "fail": "bad"}},
		map[string]any{"version": "2.1.0"}, [][]byte{[]byte("abc"), {0, 1, 2}})
	io = tk.iopubUntilIdle(id)
	if got := types(io); !slices.Equal(got, []string{"status:busy", "stream", "error", "comm_msg", "status:idle"}) {
		t.Fatalf("comm_msg: iopub %v", got)
	}
	if s := content(io[1])["text"].(string); !strings.Contains(s, "in "+id) {
		t.Errorf("the engine did not get the msg_id: %q", s)
	}
	if c := content(io[2]); c["ename"] != "CallbackError" || c["evalue"] != "bad" {
		t.Errorf("error %v", c)
	}
	echo := io[3]
	var md map[string]any
	json.Unmarshal(echo.Metadata, &md)
	if c := content(echo); c["comm_id"] != "c1" || c["data"].(map[string]any)["method"] != "update" || md["version"] != "2.1.0" ||
		len(echo.Buffers) != 2 || string(echo.Buffers[0]) != "abc" || !slices.Equal(echo.Buffers[1], []byte{0, 1, 2}) {
		t.Errorf("echo %v metadata %v buffers %q", c, md, echo.Buffers)
	}

	// A comm message that arrives while a cell runs is served after it,
	// as ipykernel does.
	cell := tk.send(tk.shell, MsgExecuteRequest, map[string]any{"code": "sleep 0.3\nprint done", "silent": false})
	msg := tk.send(tk.shell, MsgCommMsg, map[string]any{"comm_id": "c1", "data": map[string]any{"n": 1}})
	var order []string
	for len(order) < 2 {
		m := tk.recv(tk.iopubIn, "iopub message")
		if m.Header.MsgType == MsgStatus && content(m)["execution_state"] == "idle" {
			order = append(order, parentID(m))
		}
	}
	if !slices.Equal(order, []string{cell, msg}) {
		t.Errorf("idle order %v, want the cell %s first", order, cell)
	}
	tk.reply(tk.shellIn, cell, MsgExecuteReply)

	id = tk.send(tk.shell, MsgCommClose, map[string]any{"comm_id": "c1", "data": map[string]any{}})
	tk.iopubUntilIdle(id)
	if c := commInfo(""); len(c) != 0 {
		t.Errorf("comm_info after close %v", c)
	}
	if m := tk.tryRecv(tk.shellIn, quietTimeout); m != nil {
		t.Errorf("comms got a shell reply %s", m.Header.MsgType)
	}
}

func TestIsCompleteOverTheWire(t *testing.T) {
	tk := startKernel(t, "")
	for code, want := range map[string]string{
		"fmt.Println(1)": "complete", "for i := range 3 {": "incomplete", "1 2 3": "invalid", "%help": "complete",
	} {
		id := tk.send(tk.shell, MsgIsCompleteRequest, map[string]any{"code": code})
		r := tk.reply(tk.shellIn, id, MsgIsCompleteReply)
		if r["status"] != want {
			t.Errorf("%q: %v, want %s", code, r, want)
		}
		if _, has := r["indent"]; has != (want == "incomplete") {
			t.Errorf("%q: indent present = %v", code, has)
		}
	}
}

// Cursor positions on the wire count code points; the engine gets bytes.
func TestCompleteAndInspectCodePointOffsets(t *testing.T) {
	tk := startKernel(t, "")
	code := "s := \"héllo, 世界\" // ünïcödé\nfmt.Printl"
	runes := len([]rune(code))
	id := tk.send(tk.shell, MsgCompleteRequest, map[string]any{"code": code, "cursor_pos": runes})
	r := tk.reply(tk.shellIn, id, MsgCompleteReply)
	if got := tk.eng.lastCursor(); got != len(code) {
		t.Errorf("engine got cursor %d, want byte offset %d", got, len(code))
	}
	if r["cursor_start"] != float64(runes-len("fmt.Printl")) || r["cursor_end"] != float64(runes) {
		t.Errorf("cursor_start/end %v/%v, want %d/%d", r["cursor_start"], r["cursor_end"], runes-len("fmt.Printl"), runes)
	}
	if m, _ := r["matches"].([]any); len(m) != 1 || m[0] != "fmt.Println" {
		t.Errorf("matches %v", r["matches"])
	}

	// Cursor in the middle, after the non-ASCII string.
	mid := len([]rune("s := \"héllo, 世界\""))
	id = tk.send(tk.shell, MsgInspectRequest, map[string]any{"code": code, "cursor_pos": mid, "detail_level": 0})
	r = tk.reply(tk.shellIn, id, MsgInspectReply)
	if got, want := tk.eng.lastCursor(), len("s := \"héllo, 世界\""); got != want {
		t.Errorf("inspect: engine got cursor %d, want %d", got, want)
	}
	if r["status"] != "ok" || r["found"] != true {
		t.Errorf("inspect_reply %v", r)
	}

	// No matches: the range is empty at the cursor.
	id = tk.send(tk.shell, MsgCompleteRequest, map[string]any{"code": "世界 zzz", "cursor_pos": 6})
	r = tk.reply(tk.shellIn, id, MsgCompleteReply)
	if r["cursor_start"] != 6.0 || r["cursor_end"] != 6.0 || len(r["matches"].([]any)) != 0 {
		t.Errorf("no matches: %v", r)
	}
	// Not found: empty data.
	id = tk.send(tk.shell, MsgInspectRequest, map[string]any{"code": "x", "cursor_pos": 1})
	if r = tk.reply(tk.shellIn, id, MsgInspectReply); r["found"] != false || len(r["data"].(map[string]any)) != 0 {
		t.Errorf("not found: %v", r)
	}
}

func TestHistoryPersistsAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	tk := startKernel(t, dir)
	for _, code := range []string{"value 42", "print a", "value 42", "fail f"} {
		tk.execute(code, nil)
	}
	tk.execute("print silent", map[string]any{"silent": true})
	tk.execute("print nostore", map[string]any{"store_history": false})
	hist := func(tk *testKernel, c map[string]any) [][]any {
		t.Helper()
		c["raw"] = true
		if _, ok := c["output"]; !ok {
			c["output"] = false
		}
		id := tk.send(tk.shell, MsgHistoryRequest, c)
		r := tk.reply(tk.shellIn, id, MsgHistoryReply)
		if r["status"] != "ok" {
			t.Fatalf("history_reply %v", r)
		}
		var out [][]any
		for _, h := range r["history"].([]any) {
			out = append(out, h.([]any))
		}
		return out
	}
	tail := hist(tk, map[string]any{"hist_access_type": "tail", "n": 10})
	if len(tail) != 4 || tail[0][0] != 1.0 || tail[0][1] != 1.0 || tail[3][2] != "fail f" {
		t.Fatalf("tail %v", tail)
	}
	withOut := hist(tk, map[string]any{"hist_access_type": "tail", "n": 1, "output": true})
	if len(withOut) != 1 || len(withOut[0][2].([]any)) != 2 {
		t.Errorf("tail with output %v", withOut)
	}
	withOut = hist(tk, map[string]any{"hist_access_type": "range", "session": 0, "start": 1, "stop": 2, "output": true})
	if len(withOut) != 1 || withOut[0][2].([]any)[1] != "42" {
		t.Errorf("range with output %v", withOut)
	}
	tk.send(tk.control, MsgShutdownRequest, map[string]any{"restart": true})
	tk.waitRun(5 * time.Second)
	if _, err := os.Stat(filepath.Join(dir, "godl", "history.json")); err != nil {
		t.Fatalf("history file: %v", err)
	}

	// A second kernel on the same data dir: session 2, history kept.
	tk2 := startKernel(t, dir)
	tk2.execute("print new", nil)
	tail = hist(tk2, map[string]any{"hist_access_type": "tail", "n": 2})
	if len(tail) != 2 || tail[0][0] != 1.0 || tail[0][2] != "fail f" || tail[1][0] != 2.0 || tail[1][1] != 1.0 {
		t.Errorf("tail across sessions %v", tail)
	}
	if r := hist(tk2, map[string]any{"hist_access_type": "range", "session": 1, "start": 2, "stop": 4}); len(r) != 2 || r[0][2] != "print a" {
		t.Errorf("range of session 1: %v", r)
	}
	if r := hist(tk2, map[string]any{"hist_access_type": "range", "session": -1, "start": 1}); len(r) != 4 {
		t.Errorf("range of session -1: %v", r)
	}
	if r := hist(tk2, map[string]any{"hist_access_type": "range", "session": 0, "start": 1}); len(r) != 1 || r[0][2] != "print new" {
		t.Errorf("range of the current session: %v", r)
	}
	if r := hist(tk2, map[string]any{"hist_access_type": "search", "pattern": "value*"}); len(r) != 2 {
		t.Errorf("search %v", r)
	}
	if r := hist(tk2, map[string]any{"hist_access_type": "search", "pattern": "value*", "unique": true}); len(r) != 1 {
		t.Errorf("search unique %v", r)
	}
	if r := hist(tk2, map[string]any{"hist_access_type": "search", "pattern": "print ?", "n": 1}); len(r) != 1 || r[0][2] != "print a" {
		t.Errorf("search n=1 %v", r)
	}
	if r := hist(tk2, map[string]any{"hist_access_type": "search", "pattern": "*"}); len(r) != 5 {
		t.Errorf("search * %v", r)
	}
}

// TestReplyWaitsForOutputWidgetEchoes: the execute_reply of a cell whose
// outputs went into an Output widget comes only once the front end has
// echoed the widget's state for each of them (nbclient loses the reply's
// wake-up when it echoes after the reply has arrived: see echoes.go), and
// a front end that never echoes holds a reply once, for echoWait at most.
func TestReplyWaitsForOutputWidgetEchoes(t *testing.T) {
	defer func(d time.Duration) { echoWait = d }(echoWait)
	echoWait = 2 * time.Second
	tk := startKernel(t, "")
	echo := func() {
		tk.sendWith(tk.shell, MsgCommMsg, map[string]any{"comm_id": "out1", "data": map[string]any{
			"method": "update", "state": map[string]any{"outputs": []any{}}, "buffer_paths": []any{}}}, nil, nil)
	}
	code := "print before\ncapture out1\nprint a\ndisplay b\nclear\nrelease out1\nprint after"
	id := tk.send(tk.shell, MsgExecuteRequest, map[string]any{"code": code, "silent": false})
	var io []*Message
	for len(io) < 8 { // busy, input, stream, comm, stream, display, clear, comm
		io = append(io, tk.recv(tk.iopubIn, "iopub message"))
	}
	if got := types(io); !slices.Equal(got, []string{"status:busy", "execute_input", "stream", "comm_msg", "stream", "display_data", "clear_output", "comm_msg"}) {
		t.Fatalf("iopub %v", got)
	}
	for i := 0; i < 3; i++ { // the captured stream, display and clear
		if m := tk.tryRecv(tk.shellIn, quietTimeout); m != nil {
			t.Fatalf("%s after %d of 3 echoes: the reply must wait for the front end's echoes", m.Header.MsgType, i)
		}
		echo()
	}
	tk.reply(tk.shellIn, id, MsgExecuteReply)
	rest := tk.iopubUntilIdle(id)
	if got := types(rest); !slices.Equal(got, []string{"stream", "status:idle"}) {
		t.Errorf("iopub after the captured part %v", got)
	}
	for idle := 0; idle < 3; { // the echoes, served after the cell
		if m := tk.recv(tk.iopubIn, "the echoes' status"); m.Header.MsgType == MsgStatus && content(m)["execution_state"] == "idle" {
			idle++
		}
	}

	// A front end that does not echo: the reply waits echoWait, once.
	for round := 0; round < 2; round++ {
		start := time.Now()
		_, r, _ := tk.execute("capture out1\nprint a\nrelease out1", nil)
		waited := time.Since(start)
		if r["status"] != "ok" {
			t.Fatalf("reply %v", r)
		}
		if round == 0 && waited < echoWait {
			t.Errorf("first silent front end: reply after %v, want the echo wait (%v)", waited, echoWait)
		}
		if round == 1 && waited >= echoWait {
			t.Errorf("a front end that never echoed was waited for again (%v)", waited)
		}
	}
}
