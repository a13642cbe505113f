package worker

import (
	"fmt"
	"reflect"
	"sync"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// cellVars maps a cell's request ID to its plugin's VarsSymbol function.
var (
	cellVarsMu sync.Mutex
	cellVars   = map[int]func() map[string]any{}
)

func keepVars(cell int, vars func() map[string]any) {
	if vars == nil {
		return
	}
	cellVarsMu.Lock()
	defer cellVarsMu.Unlock()
	cellVars[cell] = vars
}

// describeVars describes the values of variables for %whos.
func describeVars(refs []wp.VarRef) wp.Reply {
	infos := make([]wp.VarInfo, len(refs))
	for i, ref := range refs {
		infos[i] = describeVar(ref)
	}
	return wp.Reply{Vars: infos}
}

func describeVar(ref wp.VarRef) (info wp.VarInfo) {
	cellVarsMu.Lock()
	vars := cellVars[ref.Cell]
	cellVarsMu.Unlock()
	info.Name = ref.Name
	var ptr any
	if vars != nil {
		ptr = vars()[ref.Symbol]
	}
	rv := reflect.ValueOf(ptr)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		info.Missing = true
		return info
	}
	v := rv.Elem().Interface()
	if hooks.Describe != nil && safely(func() { info = hooks.Describe(v) }) {
		info.Name = ref.Name
		return info
	}
	info = wp.VarInfo{Name: ref.Name, Info: fmt.Sprintf("%.60v", v)}
	return info
}
