package interrupt

import (
	"testing"
	"time"
)

func TestSetResetDone(t *testing.T) {
	defer Reset()
	if Pending() {
		t.Fatal("pending before Set")
	}
	d := Done()
	select {
	case <-d:
		t.Fatal("Done closed before Set")
	default:
	}
	Set()
	Set() // twice is fine
	if !Pending() {
		t.Fatal("not pending after Set")
	}
	select {
	case <-d:
	case <-time.After(time.Second):
		t.Fatal("Done not closed by Set")
	}
	Reset()
	if Pending() {
		t.Fatal("pending after Reset")
	}
	select {
	case <-Done():
		t.Fatal("Done closed after Reset")
	default:
	}
}
