//go:build unix

package journal

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes a non-blocking flock on f: exclusive or shared. The lock
// goes away with the file descriptor (Close, or the process dying).
func lockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrLocked
		default:
			return err
		}
	}
}
