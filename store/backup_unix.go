//go:build unix

package store

import (
	"os"
	"syscall"
)

// keepOwner gives path the owner and group of the file old describes, when
// the process may (as root restoring for the service's user); otherwise it
// leaves them.
func keepOwner(path string, old os.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		_ = os.Chown(path, int(st.Uid), int(st.Gid))
	}
}
