package worker

import (
	"encoding/base64"
	"encoding/gob"
	"os"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// serveGonbui reads what the cells send through gonbui (display does too)
// from the named pipes the engine made, and passes it on in order. A
// gonbui sync is answered once everything sent before it went out, so
// gonbui.Sync makes text printed after a display come after it.
func serveGonbui(out *outbox) error {
	toUs, toCells := os.Getenv(protocol.GONB_PIPE_ENV), os.Getenv(protocol.GONB_PIPE_BACK_ENV)
	if toUs == "" || toCells == "" {
		return nil
	}
	// O_RDWR opens a named pipe without waiting for the other side, so
	// gonbui's own opens do not block either.
	r, err := os.OpenFile(toUs, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	w, err := os.OpenFile(toCells, os.O_RDWR, 0)
	if err != nil {
		r.Close()
		return err
	}
	gonbui.IsNotebook = true
	go relayGonbui(out, gob.NewDecoder(r), gob.NewEncoder(w))
	return nil
}

func relayGonbui(out *outbox, dec *gob.Decoder, back *gob.Encoder) {
	for {
		var d protocol.DisplayData
		if err := dec.Decode(&d); err != nil {
			return
		}
		if m, ok := fromGonbui(&d, back); ok {
			out.send(m)
		}
	}
}

// fromGonbui turns one gonbui message into a worker message; syncs are
// answered here, widget messages dropped (no comms yet).
func fromGonbui(d *protocol.DisplayData, back *gob.Encoder) (wp.Message, bool) {
	if v, ok := d.Data[protocol.MIMEJupyterInput]; ok {
		var req protocol.InputRequest
		switch v := v.(type) {
		case protocol.InputRequest:
			req = v
		case *protocol.InputRequest:
			req = *v
		}
		return wp.Message{Kind: wp.KindInput, Input: &wp.Input{Prompt: req.Prompt, Password: req.Password}}, true
	}
	if v, ok := d.Data[protocol.MIMECommValue]; ok {
		var cv protocol.CommValue
		switch v := v.(type) {
		case protocol.CommValue:
			cv = v
		case *protocol.CommValue:
			cv = *v
		}
		if cv.Address == protocol.GonbuiSyncAddress {
			back.Encode(&protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: cv.Value})
		}
		return wp.Message{}, false
	}
	if _, ok := d.Data[protocol.MIMECommSubscribe]; ok {
		return wp.Message{}, false
	}
	if v, ok := d.Data[wp.MIMEClearOutput]; ok && len(d.Data) == 1 {
		wait, _ := v.(bool)
		return wp.Message{Kind: wp.KindClear, Clear: &wp.Clear{Wait: wait}}, true
	}
	data := make(map[string]any, len(d.Data))
	for k, v := range d.Data {
		if b, ok := v.([]byte); ok {
			v = base64.StdEncoding.EncodeToString(b)
		}
		data[string(k)] = v
	}
	return wp.Message{Kind: wp.KindDisplay, Display: &wp.Display{Data: data, Metadata: d.Metadata, DisplayID: d.DisplayID}}, true
}
