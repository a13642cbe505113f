package display

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// Every kind of output must cross the gonbui pipe, which is encoding/gob
// with only gonbui's registered types: a kernel that decodes the pipe
// knows nothing else.
func TestOutputsSurviveGob(t *testing.T) {
	rec := record(t)
	useFakeClock(t)
	Lines("l", nil, []float64{1, 2})
	Image(imageOf(3, 2))
	Table(dl.Zeros(2, 2))
	Summary(mlp(), 1, 784)
	JSON(map[string]any{"a": []int{1}})
	Clear(false)
	for range Progress(2, "p") {
	}
	c := NewCurve("c")
	c.Add("a", 1, 2)
	c.Finish()
	for i, m := range rec.all() {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(m); err != nil {
			t.Fatalf("message %d (%v) does not encode: %v", i, keysOf(m), err)
		}
		var back protocol.DisplayData
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatalf("message %d does not decode: %v", i, err)
		}
		if len(back.Data) != len(m.Data) || back.DisplayID != m.DisplayID {
			t.Errorf("message %d changed in transit", i)
		}
	}
}

func keysOf(m *protocol.DisplayData) []protocol.MIMEType {
	var ks []protocol.MIMEType
	for k := range m.Data {
		ks = append(ks, k)
	}
	return ks
}
