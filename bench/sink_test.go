package bench

import (
	"context"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestDiscardSinkRunsAsItsOwnProcess(t *testing.T) {
	bin := filepath.Join(t.TempDir(), discardName)
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/smtpdiscard").CombinedOutput(); err != nil {
		t.Fatalf("go build ./bench/cmd/smtpdiscard: %v\n%s", err, out)
	}
	c := Config{Bin: Binaries{SMTPDiscard: bin}, WorkDir: t.TempDir()}
	sink, err := c.startSink(context.Background(), SinkDiscard)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.stop()
	if sink.proc == nil || sink.proc.PID() == os.Getpid() {
		t.Fatal("the discarding sink runs inside the bench process; want a process of its own, measured apart")
	}
	addr := net.JoinHostPort(sink.host, strconv.Itoa(sink.port))
	msg := "Subject: hi\r\n\r\n" + strings.Repeat("body line\r\n", 100)
	for range 3 {
		if err := smtp.SendMail(addr, nil, "news@example.com", []string{"ann@example.com"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sink.proc.CPUSeconds(); err != nil {
		t.Errorf("the sink's CPU time cannot be read: %v", err)
	}
	got, err := sink.received()
	if err != nil || got != 3 {
		t.Errorf("received = %d, %v; want 3", got, err)
	}
	if sink.proc.Alive() {
		t.Error("the sink still runs after it was counted")
	}
}

func TestDiscardSinkNeedsItsProgram(t *testing.T) {
	c := Config{Bin: Binaries{SMTPDiscard: filepath.Join(t.TempDir(), discardName)}}
	if _, err := c.startSink(context.Background(), SinkDiscard); err == nil || !strings.Contains(err.Error(), "make build") {
		t.Errorf("err = %v, want one that says to run make build", err)
	}
}

func TestLastReceived(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, log string
		want      int64
		wantErr   bool
	}{
		{"last count wins", "smtpdiscard listening on 127.0.0.1:1\nreceived 5 messages, 10 bytes\nreceived 20001 messages, 99 bytes\n", 20001, false},
		{"no count", "smtpdiscard listening on 127.0.0.1:1\n", 0, true},
		{"garbled count", "received many messages\n", 0, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strconv.Itoa(i)+".log")
			if err := os.WriteFile(path, []byte(tt.log), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := lastReceived(path)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("lastReceived = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseMachineCPU(t *testing.T) {
	got, err := parseMachineCPU("cpu  100 20 30 5000 700 4 6 40 0 0\ncpu0 50 10 15 2500 350 2 3 20 0 0\n")
	if want := 2.0; err != nil || got != want {
		t.Errorf("parseMachineCPU = %v, %v; want %v (user+nice+system+irq+softirq+steal over USER_HZ)", got, err, want)
	}
	if _, err := parseMachineCPU("intr 1 2 3\n"); err == nil {
		t.Error("a /proc/stat without its cpu line parsed")
	}
}

func TestCPUFields(t *testing.T) {
	sink := &Proc{Name: discardName}
	cpu := map[string]float64{"crm": 3, "worker": 1, discardName: 2, cpuBench: 0.5, cpuMachine: 10}
	got := cpuFields(cpu, sink, "1.25")
	if want := " sink_cpu_s=2.0 bench_cpu_s=0.5 other_cpu_s=3.5 load1=1.25"; got != want {
		t.Errorf("cpuFields = %q, want %q", got, want)
	}
}
