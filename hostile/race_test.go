//go:build race

package hostile

// The race detector makes conversion and rendering of the largest
// documents five to ten times slower; the bound still catches a hang.
func init() { caseTimeout *= 8 }
