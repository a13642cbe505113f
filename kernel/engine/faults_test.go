package engine

import "testing"

// A top-level for with init and post but no condition is one statement,
// instrumented for interrupts like any other loop.
func TestTopLevelForWithoutCondition(t *testing.T) {
	e := sharedEngine(t)
	r := ok(t, e, "n := 0\nfor i := 0; ; i++ {\n\tif i == 3 {\n\t\tbreak\n\t}\n\tn += i\n}\nn")
	if r.text() != "3" {
		t.Errorf("n = %q, want 3", r.text())
	}
}
