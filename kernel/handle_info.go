package kernel

import (
	"fmt"
	"runtime"
	"strings"
)

// helpLinks appear in the front end's Help menu.
var helpLinks = []map[string]string{
	{"text": "Go documentation", "url": "https://go.dev/doc/"},
	{"text": "Go standard library", "url": "https://pkg.go.dev/std"},
	{"text": "godl README", "url": "https://github.com/godl-dev/godl#readme"},
}

func goVersion() string { return strings.TrimPrefix(runtime.Version(), "go") }

func banner() string {
	return fmt.Sprintf("godl %s: Go %s notebooks for deep learning.\n"+
		"Cells are Go; dl, dl/nn, dl/optim, dl/data and display are ready without imports.\n"+
		"%%help lists the magic commands.", Version, goVersion())
}

func (k *kernel) handleKernelInfo(req *request) {
	req.reply(map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         "godl",
		"implementation_version": Version,
		"language_info": map[string]any{
			"name":            "go",
			"version":         goVersion(),
			"mimetype":        "text/x-go",
			"file_extension":  ".go",
			"pygments_lexer":  "go",
			"codemirror_mode": "go",
		},
		"banner":     banner(),
		"help_links": helpLinks,
		"debugger":   false,
	})
}

// handleConnect answers the deprecated connect_request with the ports.
func (k *kernel) handleConnect(req *request) {
	req.reply(map[string]any{
		"status":       "ok",
		"shell_port":   k.ci.ShellPort,
		"iopub_port":   k.ci.IOPubPort,
		"stdin_port":   k.ci.StdinPort,
		"hb_port":      k.ci.HBPort,
		"control_port": k.ci.ControlPort,
	})
}

// handleShutdown replies and, through the stops flag of its route, makes
// Run stop the engine and exit. The restart flag is echoed: restarting is
// the kernel manager's job (it starts a new process).
func (k *kernel) handleShutdown(req *request) {
	var c struct {
		Restart bool `json:"restart"`
	}
	if !req.decodeContent(&c) {
		return
	}
	req.reply(map[string]any{"status": "ok", "restart": c.Restart})
}

func (k *kernel) handleInterrupt(req *request) {
	k.interrupt()
	req.reply(map[string]any{"status": "ok"})
}
