package worker

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"encoding/json"
	"io"
	"os"
	"testing"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// Each message follows its own marker on both streams.
func TestOutboxMarksEachMessage(t *testing.T) {
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	msgR, msgW, _ := os.Pipe()
	o := newOutbox(&stdio{out: outW, err: errW}, msgW)
	outW.WriteString("text\n")
	o.input("name? ", false)
	o.reply(&wp.Reply{ID: 4})
	outW.Close()
	errW.Close()
	msgW.Close()
	out, _ := io.ReadAll(outR)
	errs, _ := io.ReadAll(errR)
	if want := "text\n" + string(wp.Marker(1)) + string(wp.Marker(2)); string(out) != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if want := string(wp.Marker(1)) + string(wp.Marker(2)); string(errs) != want {
		t.Errorf("stderr %q", errs)
	}
	sc := bufio.NewScanner(msgR)
	var got []wp.Message
	for sc.Scan() {
		var m wp.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0].Kind != wp.KindInput || got[0].Sync != 1 || got[0].Input.Prompt != "name? " ||
		got[1].Kind != wp.KindReply || got[1].Sync != 2 || got[1].Reply.ID != 4 {
		t.Errorf("messages %+v", got)
	}
}

func TestFromGonbui(t *testing.T) {
	var back bytes.Buffer
	enc := gob.NewEncoder(&back)
	m, ok := fromGonbui(&protocol.DisplayData{Data: map[protocol.MIMEType]any{"image/png": []byte{1, 2, 3}, "text/plain": "pic"}, DisplayID: "d1"}, enc)
	if !ok || m.Kind != wp.KindDisplay || m.Display.Data["image/png"] != "AQID" || m.Display.Data["text/plain"] != "pic" || m.Display.DisplayID != "d1" {
		t.Errorf("display: %+v %v", m.Display, ok)
	}
	m, ok = fromGonbui(&protocol.DisplayData{Data: map[protocol.MIMEType]any{wp.MIMEClearOutput: true}}, enc)
	if !ok || m.Kind != wp.KindClear || !m.Clear.Wait {
		t.Errorf("clear: %+v %v", m, ok)
	}
	m, ok = fromGonbui(&protocol.DisplayData{Data: map[protocol.MIMEType]any{protocol.MIMEJupyterInput: &protocol.InputRequest{Prompt: "p", Password: true}}}, enc)
	if !ok || m.Kind != wp.KindInput || m.Input.Prompt != "p" || !m.Input.Password {
		t.Errorf("input: %+v %v", m, ok)
	}
	// A sync is answered, not passed on.
	_, ok = fromGonbui(&protocol.DisplayData{Data: map[protocol.MIMEType]any{protocol.MIMECommValue: &protocol.CommValue{Address: protocol.GonbuiSyncAddress, Value: 5}}}, enc)
	var ack protocol.CommValue
	if err := gob.NewDecoder(&back).Decode(&ack); ok || err != nil || ack.Address != protocol.GonbuiSyncAckAddress || ack.Value != 5 {
		t.Errorf("sync: passed on %v, ack %+v, %v", ok, ack, err)
	}
}
