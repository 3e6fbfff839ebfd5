//go:build unix

package browsertest

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts Chromium in its own process group and makes a
// timeout kill the whole group: Chromium forks renderer and GPU helpers
// that would otherwise outlive it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
