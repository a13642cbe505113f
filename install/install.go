// Package install writes godl's Jupyter kernelspec.
//
// The kernelspec (kernel.json and two logos) is embedded in the binary, so
// `godl install` works from a binary that `go install` put anywhere. The
// logos are drawn by gen_logos.go.
package install

//go:generate go run gen_logos.go

import (
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/godl-dev/godl/kernel"
)

// KernelName is the kernelspec's name: `jupyter kernelspec list` shows it,
// notebooks refer to it.
const KernelName = "godl"

//go:embed kernelspec/kernel.json kernelspec/logo-32x32.png kernelspec/logo-64x64.png
var spec embed.FS

// kernelSpec is kernel.json.
type kernelSpec struct {
	Argv          []string       `json:"argv"`
	DisplayName   string         `json:"display_name"`
	Language      string         `json:"language"`
	InterruptMode string         `json:"interrupt_mode"`
	Metadata      map[string]any `json:"metadata"`
}

// Main runs `godl install [--user|--prefix P|--sys-prefix [--python PY]]`.
func Main(args []string) error {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("godl install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.Bool("user", false, "install for the current user: $JUPYTER_DATA_DIR, or Jupyter's user data directory (the default)")
	prefix := fs.String("prefix", "", "install under `P`/share/jupyter")
	sysPrefix := fs.Bool("sys-prefix", false, "install under the Python environment's sys.prefix/share/jupyter")
	python := fs.String("python", "python3", "the Python whose sys.prefix --sys-prefix uses")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: godl install [--user | --prefix P | --sys-prefix [--python PY]] [--no-prewarm]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("install: unexpected argument %q", fs.Arg(0))
	}
	chosen := 0
	for _, b := range []bool{*user, *prefix != "", *sysPrefix} {
		if b {
			chosen++
		}
	}
	if chosen > 1 {
		return errors.New("install: give at most one of --user, --prefix and --sys-prefix")
	}

	var dataDir string
	switch {
	case *prefix != "":
		dataDir = filepath.Join(*prefix, "share", "jupyter")
	case *sysPrefix:
		p, err := pythonPrefix(*python)
		if err != nil {
			return err
		}
		dataDir = filepath.Join(p, "share", "jupyter")
	default:
		dataDir = kernel.JupyterDataDir()
	}

	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("install: cannot find the godl binary: %w", err)
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	if strings.Contains(bin, "go-build") {
		fmt.Fprintf(stderr, "godl install: warning: %s looks like a `go run` binary that will be deleted; build or `go install` godl first\n", bin)
	}
	dir, err := Write(filepath.Join(dataDir, "kernels", KernelName), bin)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Installed kernelspec %s in %s\n", KernelName, dir)
	return nil
}

// Write writes the kernelspec into dir (created if needed) with bin as the
// kernel's command, and returns dir.
func Write(dir, bin string) (string, error) {
	b, err := spec.ReadFile("kernelspec/kernel.json")
	if err != nil {
		return "", err
	}
	var ks kernelSpec
	if err := json.Unmarshal(b, &ks); err != nil {
		return "", fmt.Errorf("install: embedded kernel.json: %w", err)
	}
	ks.Argv[0] = bin
	if ks.Metadata == nil {
		ks.Metadata = map[string]any{}
	}
	ks.Metadata["godl_version"] = kernel.Version
	out, err := json.MarshalIndent(ks, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	files := map[string][]byte{"kernel.json": append(out, '\n')}
	for _, logo := range []string{"logo-32x32.png", "logo-64x64.png"} {
		if files[logo], err = spec.ReadFile("kernelspec/" + logo); err != nil {
			return "", err
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", fmt.Errorf("install: %w", err)
		}
	}
	return dir, nil
}

// pythonPrefix asks python for its sys.prefix.
func pythonPrefix(python string) (string, error) {
	out, err := exec.Command(python, "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("install: --sys-prefix: running %s: %w", python, err)
	}
	p := strings.TrimSpace(string(out))
	if p == "" {
		return "", fmt.Errorf("install: --sys-prefix: %s printed no sys.prefix", python)
	}
	return p, nil
}
