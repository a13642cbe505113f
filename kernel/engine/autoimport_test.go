package engine

import "testing"

func TestAutoImports(t *testing.T) {
	m := autoImports([]string{"math/rand", "crypto/rand", "math/rand/v2", "strings", "text/template", "html/template", "encoding/json"})
	for name, want := range map[string]string{"rand": "math/rand", "strings": "strings", "template": "text/template", "json": "encoding/json", "nn": modulePath + "/dl/nn"} {
		if m[name] != want {
			t.Errorf("auto-import %s = %q, want %q", name, m[name], want)
		}
	}
}
