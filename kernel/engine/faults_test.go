package engine

import (
	"strings"
	"testing"
)

// A top-level for with init and post but no condition is one statement,
// instrumented for interrupts like any other loop.
func TestTopLevelForWithoutCondition(t *testing.T) {
	e := sharedEngine(t)
	r := ok(t, e, "n := 0\nfor i := 0; ; i++ {\n\tif i == 3 {\n\t\tbreak\n\t}\n\tn += i\n}\nn")
	if r.text() != "3" {
		t.Errorf("n = %q, want 3", r.text())
	}
}

// After two worker deaths in a row, names from before the first one are
// still explained.
func TestTwoDeathsKeepLostNames(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "lostTwice := 1")
	for range 2 {
		if r := run(t, e, "os.Exit(3)"); r.Error == nil || r.Error.EName != "WorkerDied" {
			t.Fatalf("os.Exit: %+v", r.Error)
		}
	}
	if r := run(t, e, "lostTwice + 1"); r.Error == nil || !strings.Contains(r.Error.EValue, "worker restarted") {
		t.Errorf("lost name error = %+v", r.Error)
	}
}
