//go:build race

package hostile

// The race detector makes conversion and rendering of the largest
// documents five to ten times slower, and a machine shared with other
// test runs several times slower again; the bound still catches a hang.
func init() { caseTimeout *= 30 }
