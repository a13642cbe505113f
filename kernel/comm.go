package kernel

import "encoding/json"

// Comms (Jupyter's custom messages, which ipywidgets is built on) come in
// on shell and go out on iopub. The kernel only carries them: an engine
// that implements Comms serves them; with any other engine a comm_open is
// answered with comm_close and the rest is ignored.

// commContent is the content of comm_open, comm_msg and comm_close.
type commContent struct {
	CommID     string         `json:"comm_id"`
	TargetName string         `json:"target_name,omitempty"`
	Data       map[string]any `json:"data"`
}

// handleComm serves comm_open, comm_msg and comm_close from the front end.
// Like ipykernel it sends no reply; what the comm causes is published in
// the message's context, between its busy and idle.
func (k *kernel) handleComm(req *request) {
	var c commContent
	if err := json.Unmarshal(req.Content, &c); err != nil || c.CommID == "" {
		k.log.Printf("%s without a comm_id: ignored", req.Header.MsgType)
		return
	}
	comms, ok := k.eng.(Comms)
	if !ok {
		if req.Header.MsgType == MsgCommOpen {
			k.log.Printf("comm_open for target %q: no comms here, closing comm %s", c.TargetName, c.CommID)
			k.publish(req, MsgCommClose, map[string]any{"comm_id": c.CommID, "data": map[string]any{}})
		}
		return
	}
	var md map[string]any
	if len(req.Metadata) > 0 {
		json.Unmarshal(req.Metadata, &md)
	}
	if c.Data == nil {
		c.Data = map[string]any{}
	}
	m := CommMessage{Type: req.Header.MsgType, CommID: c.CommID, Target: c.TargetName, Data: c.Data, Metadata: md, Buffers: req.Buffers}
	out := &cellOutput{k: k, req: req}
	defer out.done.Store(true)
	comms.Comm(k.execCtx, m, req.Header.MsgID, out)
}

// handleCommInfo lists the open comms, those of one target when the
// request names it.
func (k *kernel) handleCommInfo(req *request) {
	var c struct {
		TargetName string `json:"target_name"`
	}
	if !req.decodeContent(&c) {
		return
	}
	comms := map[string]any{}
	if eng, ok := k.eng.(Comms); ok {
		for id, target := range eng.CommInfo(c.TargetName) {
			comms[id] = map[string]any{"target_name": target}
		}
	}
	req.reply(map[string]any{"status": "ok", "comms": comms})
}

// publishComm sends a comm message from the engine in parent's context.
func (k *kernel) publishComm(parent *request, m CommMessage) {
	switch m.Type {
	case MsgCommOpen, MsgCommMsg, MsgCommClose:
	default:
		k.log.Printf("not a comm message type: %q", m.Type)
		return
	}
	data := m.Data
	if data == nil {
		data = map[string]any{}
	}
	k.echoes.noteComm(m.Type, m.CommID, data)
	content := map[string]any{"comm_id": m.CommID, "data": data}
	if m.Type == MsgCommOpen {
		content["target_name"] = m.Target
	}
	k.publishWith(parent, m.Type, content, m.Metadata, m.Buffers)
}
