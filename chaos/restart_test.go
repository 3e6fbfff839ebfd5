package chaos

import (
	"testing"
	"time"
)

// The Temporal server (file-backed) stops mid-send and comes back on the
// same port: the worker reconnects, the send activity keeps its place, and
// the run completes. The long variant also crashes it (SIGKILL).
func TestTemporalRestartMidSend(t *testing.T) {
	recipients, restarts := pick(5000, 20000), pick(1, 3)
	r := newRig(t, rigOptions{recipients: recipients, persistTemporal: true})
	r.startWorker("SEND_PAGE_SIZE=250", "SEND_WINDOW=4", "SEND_RATE=500")
	id := r.approveEdition()
	rows := 0
	for i := range restarts {
		rows = r.waitRows(id, rows+250, 90*time.Second)
		if rows == recipients {
			t.Logf("the send finished after %d of %d restarts", i, restarts)
			break
		}
		crash := i%2 == 1
		r.restartTemporal(3*time.Second, crash)
		rows = r.rows(id)
		t.Logf("restart %d (crash %v): Temporal back with %d of %d deliveries queued", i+1, crash, rows, recipients)
	}
	r.verify(id, r.result(id, 10*time.Minute))
}
