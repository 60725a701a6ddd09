// Package safefile reads inputs and writes outputs without the surprises of
// a plain os.ReadFile or a rename: inputs must be regular files (a device,
// FIFO or directory, also behind a symlink, is refused at once with a clear
// error instead of hanging or reading forever), reads are bounded, and
// outputs are replaced atomically only when they are regular files. An
// existing character device or FIFO (/dev/null, /dev/stdout, a named pipe
// with a reader) is written directly; it is never replaced by a regular
// file. Anything else that is not a regular file is refused.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotRegular is wrapped by the errors of inputs that are not regular files.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the errors of inputs larger than the limit given.
var ErrTooLarge = errors.New("file too large")

// kind names a file mode for error messages.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// Open opens path for reading and makes sure it is a regular file (symlinks
// are followed: a link to /dev/zero is refused). It never blocks on a FIFO.
func Open(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file: %w", path, kind(fi.Mode()), ErrNotRegular)
	}
	// O_NONBLOCK: if the path was swapped for a FIFO after Stat, opening it
	// does not wait for a writer; the Stat below refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s is %s, not a regular file: %w", path, kind(fi.Mode()), ErrNotRegular)
	}
	return f, nil
}

// CheckRegular returns an error unless path is a regular file (after
// symlinks) of at most max bytes (max <= 0: any size).
func CheckRegular(path string, max int64) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file: %w", path, kind(fi.Mode()), ErrNotRegular)
	}
	if max > 0 && fi.Size() > max {
		return nil, fmt.Errorf("%s is %d bytes, more than the limit of %d: %w", path, fi.Size(), max, ErrTooLarge)
	}
	return fi, nil
}

// ReadFile reads a regular file of at most max bytes (max <= 0: any size).
// Devices, FIFOs and directories are refused before anything is read, and a
// file that grows past max while it is read is refused too.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path, max)
}

func readAll(f *os.File, path string, max int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if max > 0 && fi.Size() > max {
		return nil, fmt.Errorf("%s is %d bytes, more than the limit of %d: %w", path, fi.Size(), max, ErrTooLarge)
	}
	var r io.Reader = f
	if max > 0 {
		r = io.LimitReader(f, max+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if max > 0 && int64(len(data)) > max {
		return nil, fmt.Errorf("%s grew past the limit of %d bytes while being read: %w", path, max, ErrTooLarge)
	}
	return data, nil
}

// WriteFile writes data to path. A new path or an existing regular file is
// replaced atomically: data goes to a uniquely named temporary file in the
// same folder, is synced and renamed over path (the temporary file is
// removed on any failure). A symlink is followed and its target replaced.
// An existing character device or FIFO is written directly and never
// replaced (a FIFO must already have a reader: writing does not wait for
// one). Any other kind of path (directory, socket, block device) is refused.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	if path == "" {
		return errors.New("empty output path")
	}
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.Mode().IsRegular():
		// replaced below
	case err == nil && (fi.Mode()&fs.ModeCharDevice != 0 || fi.Mode()&fs.ModeNamedPipe != 0):
		return writeDirect(target, fi.Mode(), data)
	case err == nil:
		return fmt.Errorf("%s is %s: refusing to write over it", path, kind(fi.Mode()))
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	ok = true
	return nil
}

// writeDirect writes to an existing character device or FIFO in place.
func writeDirect(path string, mode fs.FileMode, data []byte) error {
	flags := os.O_WRONLY
	if mode&fs.ModeNamedPipe != 0 {
		flags |= syscall.O_NONBLOCK // ENXIO at once when nobody reads
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		if errors.Is(err, syscall.ENXIO) {
			return fmt.Errorf("%s is a FIFO with no reader: %w", path, err)
		}
		return err
	}
	if mode&fs.ModeNamedPipe != 0 {
		// Back to blocking writes: a reader is there and takes the data.
		if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
