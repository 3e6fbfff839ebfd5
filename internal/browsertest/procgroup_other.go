//go:build !unix

package browsertest

import "os/exec"

// setProcessGroup leaves the default: a timeout kills Chromium itself.
func setProcessGroup(*exec.Cmd) {}
