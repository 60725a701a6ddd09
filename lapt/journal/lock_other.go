//go:build !unix

package journal

import "os"

// lockFile is a no-op where flock does not exist.
func lockFile(f *os.File, exclusive bool) error { return nil }
