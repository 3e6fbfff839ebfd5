package chaos

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// The worker is killed with SIGKILL at random points of a send and a new
// one started each time; the send activity's next attempt resumes from the
// last heartbeated page once the heartbeat timeout (15 s) notices, and
// sends the pages after it again under the same idempotency keys.
func TestWorkerKilledMidSend(t *testing.T) {
	recipients, kills := pick(5000, 20000), pick(3, 10)
	r := newRig(t, rigOptions{recipients: recipients})
	// Small pages and a rate cap stretch the send over many pages and
	// seconds, so that every kill lands inside it.
	env := []string{"SEND_PAGE_SIZE=250", "SEND_WINDOW=4", "SEND_RATE=" + strconv.Itoa(pick(1000, 1500))}
	w := r.startWorker(env...)
	id := r.approveEdition()
	rnd := rand.New(rand.NewPCG(chaosSeed(t), 1))
	killed, rows := 0, 0
	for killed < kills {
		// A killed attempt is retried after the heartbeat timeout plus the
		// retry policy's backoff, which doubles with every attempt up to
		// two minutes.
		rows = r.waitRows(id, rows, 4*time.Minute)
		if rows == recipients {
			break
		}
		time.Sleep(time.Duration(rnd.Int64N(int64(800 * time.Millisecond))))
		w.Kill()
		killed++
		// The next kill waits for the new worker to queue more.
		rows = r.rows(id)
		t.Logf("kill %d: worker killed with %d of %d deliveries queued", killed, rows, recipients)
		w = r.startWorker(env...)
	}
	if killed == 0 {
		t.Fatal("the send finished before the first kill; lower SEND_RATE")
	}
	if killed < kills {
		t.Logf("the send finished after %d of %d kills", killed, kills)
	}
	r.verify(id, r.result(id, 10*time.Minute))
}
