package kernel

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"
)

type executeContent struct {
	Code         string `json:"code"`
	Silent       bool   `json:"silent"`
	StoreHistory *bool  `json:"store_history"` // default: !silent
	AllowStdin   bool   `json:"allow_stdin"`
	StopOnError  *bool  `json:"stop_on_error"` // default: true
}

// handleExecute runs a cell: execute_input, the outputs, execute_result or
// exactly one error, then the reply. The execution count goes up only for
// requests that store history (never for silent ones); silent requests
// publish nothing but status.
func (k *kernel) handleExecute(req *request) {
	var c executeContent
	if !req.decodeContent(&c) {
		return
	}
	store := !c.Silent && (c.StoreHistory == nil || *c.StoreHistory)
	blank := strings.TrimSpace(c.Code) == ""
	if store && !blank {
		k.execCount++
	}
	count := k.execCount
	if !c.Silent {
		k.publish(req, MsgExecuteInput, map[string]any{"code": c.Code, "execution_count": count})
	}
	started := time.Now().UTC().Format(time.RFC3339Nano)

	var res ExecuteResult
	if !blank {
		out := &cellOutput{k: k, req: req, silent: c.Silent, allowStdin: c.AllowStdin}
		res = k.execute(ExecuteRequest{
			Code: c.Code, Silent: c.Silent, StoreHistory: store,
			AllowStdin: c.AllowStdin, ExecutionCount: count, MsgID: req.Header.MsgID,
		}, out)
	}

	var output *string
	var reply, replyMD map[string]any
	if res.Error != nil {
		if !c.Silent {
			k.publish(req, MsgError, errorOutput(res.Error))
		}
		reply = errorContent(res.Error, map[string]any{"execution_count": count})
		replyMD = map[string]any{"status": "error", "started": started}
	} else {
		if v := res.Value; v != nil && !c.Silent {
			content := displayContent(*v)
			content["execution_count"] = count
			k.publish(req, MsgExecuteResult, content)
		}
		if v := res.Value; v != nil {
			if s, ok := v.Data["text/plain"].(string); ok {
				output = &s
			}
		}
		payload := res.Payload
		if payload == nil {
			payload = []map[string]any{}
		}
		reply = map[string]any{
			"status":           "ok",
			"execution_count":  count,
			"payload":          payload,
			"user_expressions": map[string]any{},
		}
		replyMD = map[string]any{"status": "ok", "started": started}
	}
	k.echoes.await(req.Header.MsgID, k.stop)
	req.replyWithMetadata(reply, replyMD)
	if store && !blank {
		k.history.add(count, c.Code, output)
	}
	if res.Error != nil && (c.StopOnError == nil || *c.StopOnError) {
		k.abortQueued()
	}
}

// execute calls the engine; a panic in the engine becomes a cell error.
func (k *kernel) execute(er ExecuteRequest, out *cellOutput) (res ExecuteResult) {
	defer func() {
		if p := recover(); p != nil {
			k.log.Printf("engine panic: %v\n%s", p, debug.Stack())
			res = ExecuteResult{Error: &CellError{
				EName:     "EnginePanic",
				EValue:    fmt.Sprint(p),
				Traceback: []string{fmt.Sprintf("godl: the engine failed: %v", p)},
			}}
		}
		out.done.Store(true)
	}()
	return k.eng.Execute(k.execCtx, er, out)
}

// abortQueued answers the execute requests already queued behind a failed
// cell with status "aborted", as ipykernel does for stop_on_error: a "Run
// all" stops at the first error. Other queued requests are served as usual.
func (k *kernel) abortQueued() {
	var pending []*request
	for drained := false; !drained; {
		select {
		case r := <-k.shellQueue:
			pending = append(pending, r)
		default:
			drained = true
		}
	}
	for _, r := range pending {
		if r.Header.MsgType != MsgExecuteRequest {
			k.dispatch(r)
			continue
		}
		k.publishStatus(r, "busy")
		r.replyWithMetadata(
			map[string]any{"status": "aborted", "execution_count": k.execCount},
			map[string]any{"status": "aborted"},
		)
		k.publishStatus(r, "idle")
	}
}

func errorOutput(e *CellError) map[string]any {
	c := errorContent(e, nil)
	delete(c, "status")
	return c
}

// displayContent is the content of display_data, update_display_data and
// execute_result messages.
func displayContent(d DisplayData) map[string]any {
	data := d.Data
	if data == nil {
		data = MIMEBundle{}
	}
	md := d.Metadata
	if md == nil {
		md = map[string]any{}
	}
	c := map[string]any{"data": data, "metadata": md}
	if d.DisplayID != "" {
		c["transient"] = map[string]any{"display_id": d.DisplayID}
	}
	return c
}

// cellOutput turns what a cell (or a comm message) produces into iopub
// (and stdin) messages with the request as parent. It is safe for
// concurrent use. Outputs of a silent request are dropped; its comm
// messages are not.
type cellOutput struct {
	k          *kernel
	req        *request
	silent     bool
	allowStdin bool
	done       atomic.Bool // Execute returned; later output still goes out
}

var _ Output = (*cellOutput)(nil)

func (o *cellOutput) Stream(name, text string) {
	if o.silent || text == "" {
		return
	}
	if name != "stderr" {
		name = "stdout"
	}
	o.k.publish(o.req, MsgStream, map[string]any{"name": name, "text": text})
}

func (o *cellOutput) Display(d DisplayData) {
	if o.silent {
		return
	}
	t := MsgDisplayData
	if d.Update {
		if d.DisplayID == "" {
			o.k.log.Printf("update_display_data without a display id: dropped")
			return
		}
		t = MsgUpdateDisplayData
	}
	o.k.publish(o.req, t, displayContent(d))
}

func (o *cellOutput) ClearOutput(wait bool) {
	if o.silent {
		return
	}
	o.k.publish(o.req, MsgClearOutput, map[string]any{"wait": wait})
}

func (o *cellOutput) Comm(m CommMessage) { o.k.publishComm(o.req, m) }

func (o *cellOutput) Error(e *CellError) {
	if o.silent || e == nil {
		return
	}
	o.k.publish(o.req, MsgError, errorOutput(e))
}

func (o *cellOutput) Input(prompt string, password bool) (string, error) {
	if !o.allowStdin {
		return "", errStdinNotAllowed
	}
	if o.done.Load() {
		return "", fmt.Errorf("input after the cell finished")
	}
	return o.k.input(o.k.execCtx, o.req, prompt, password)
}
