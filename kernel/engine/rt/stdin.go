package rt

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/godl-dev/godl/kernel/engine/workerproto"
)

// stdin is the cell's standard input. It asks the front end for a line
// (through the gonbui input request) whenever its buffer is empty, then
// reads the answer the engine writes to the worker's real stdin.
type stdin struct {
	mu     sync.Mutex
	real   *bufio.Reader
	buf    *strings.Reader
	prompt string
	pw     bool
}

// Stdin replaces os.Stdin in cell code.
var Stdin = &stdin{buf: strings.NewReader("")}

// InputRequester asks the front end for a line (the worker sets it); the
// answer arrives on the process's stdin.
var InputRequester func(prompt string, password bool)

// ResetStdin drops input left over from an earlier cell.
func ResetStdin() {
	Stdin.mu.Lock()
	defer Stdin.mu.Unlock()
	Stdin.buf = strings.NewReader("")
	Stdin.prompt, Stdin.pw = "", false
}

// RequestInput replaces gonbui.RequestInput in cell code: the prompt is
// used by the next read, which is when the request is made.
func RequestInput(prompt string, password bool) {
	Stdin.mu.Lock()
	defer Stdin.mu.Unlock()
	Stdin.prompt, Stdin.pw = prompt, password
}

func (s *stdin) fill() error {
	if s.buf.Len() > 0 {
		return nil
	}
	if s.real == nil {
		s.real = bufio.NewReader(os.Stdin)
	}
	if InputRequester == nil {
		return errors.New("no standard input outside a notebook")
	}
	InputRequester(s.prompt, s.pw)
	s.prompt, s.pw = "", false
	line, err := s.real.ReadString('\n')
	if err != nil {
		return err
	}
	if reason, ok := strings.CutPrefix(line, workerproto.NoInputPrefix); ok {
		return fmt.Errorf("no input: %s", strings.TrimSpace(reason))
	}
	s.buf = strings.NewReader(line)
	return nil
}

func (s *stdin) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fill(); err != nil {
		return 0, err
	}
	return s.buf.Read(p)
}

func (s *stdin) ReadRune() (rune, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fill(); err != nil {
		return 0, 0, err
	}
	return s.buf.ReadRune()
}

func (s *stdin) UnreadRune() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.UnreadRune()
}

// Scan, Scanln and Scanf replace their fmt namesakes in cell code.
func Scan(a ...any) (int, error)   { return fmt.Fscan(Stdin, a...) }
func Scanln(a ...any) (int, error) { return fmt.Fscanln(Stdin, a...) }
func Scanf(format string, a ...any) (int, error) {
	return fmt.Fscanf(Stdin, format, a...)
}
