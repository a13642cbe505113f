package worker

import (
	"errors"
	"log"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// stdio keeps copies of the worker's fds 1 and 2 (the pipes to the
// kernel), so that a cell that closes or replaces os.Stdout or os.Stderr
// loses its own output only: the end markers go through the copies, and
// the fds are put back after each cell.
type stdio struct {
	out, err *os.File
}

func saveStdio() (*stdio, error) {
	var s stdio
	for _, c := range []struct {
		fd int
		f  **os.File
	}{{1, &s.out}, {2, &s.err}} {
		fd, err := syscall.Dup(c.fd)
		if err != nil {
			return nil, err
		}
		syscall.CloseOnExec(fd) // the cells' child processes get fds 1 and 2
		*c.f = os.NewFile(uintptr(fd), "kernel pipe")
	}
	return &s, nil
}

// restore points fds 1 and 2 at the kernel's pipes again and replaces a
// closed os.Stdout or os.Stderr (and the log package's writer with it).
func (s *stdio) restore() {
	for _, c := range []struct {
		fd    int
		saved *os.File
		f     **os.File
		name  string
	}{{1, s.out, &os.Stdout, "/dev/stdout"}, {2, s.err, &os.Stderr, "/dev/stderr"}} {
		var now, want syscall.Stat_t
		if syscall.Fstat(int(c.saved.Fd()), &want) != nil {
			continue
		}
		if syscall.Fstat(c.fd, &now) != nil || now.Dev != want.Dev || now.Ino != want.Ino {
			unix.Dup2(int(c.saved.Fd()), c.fd)
		}
		if _, err := (*c.f).Stat(); errors.Is(err, os.ErrClosed) {
			old := *c.f
			*c.f = os.NewFile(uintptr(c.fd), c.name)
			if log.Writer() == old {
				log.SetOutput(*c.f)
			}
		}
	}
}
