package kernelext

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/executor"
)

func TestTrialTableNotebook(t *testing.T) {
	msgs, clock, _ := fakeNotebook(t)
	tt := NewTrialTable("trials")
	if len(*msgs) != 1 {
		t.Fatalf("no placeholder: %d messages", len(*msgs))
	}
	id := (*msgs)[0].displayID
	tt.OnEvent(executor.Event{ID: "lapt-s0000-t0001", State: executor.Queued, Worker: "12_0"})
	*clock = clock.Add(time.Second)
	tt.OnEvent(executor.Event{ID: "lapt-s0000-t0001", State: executor.Running, Epoch: 1, Epochs: 3, Loss: 1.25, Val: 40})
	*clock = clock.Add(time.Second)
	tt.OnEvent(executor.Event{ID: "lapt-s0000-t0002", State: executor.Failed, Worker: "12_1", Err: "slurm job 12_1 ended without a result: FAILED (JobLaunchFailure)"})
	tt.Done()
	last := (*msgs)[len(*msgs)-1]
	if last.displayID != id {
		t.Fatalf("not updated in place: %q vs %q", last.displayID, id)
	}
	h := last.data["text/html"].(string)
	for _, want := range []string{"lapt-s0000-t0001", "12_0", "1/3", "1.2500", "40.00", "JobLaunchFailure", "1 running", "1 failed"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if c := tt.Counts(); c[executor.Running] != 1 || c[executor.Failed] != 1 {
		t.Fatalf("counts %v", c)
	}
}

func TestTrialTableText(t *testing.T) {
	var buf bytes.Buffer
	old := Out
	Out = &buf
	defer func() { Out = old }()
	tt := NewTrialTable("trials")
	tt.MaxFinished = 2
	for i := 0; i < 5; i++ {
		tt.OnEvent(executor.Event{ID: fmt.Sprintf("t%d", i), State: executor.Done, Worker: "slot 0", Val: float64(i)})
	}
	tt.Done()
	if !strings.Contains(buf.String(), "trials: 0 running, 0 queued, 5 done") {
		t.Fatalf("summary: %q", buf.String())
	}
	if txt := tt.Text(); strings.Contains(txt, "t1 ") || !strings.Contains(txt, "t4 ") {
		t.Fatalf("only the 2 latest finished trials are listed:\n%s", txt)
	}
}

func ExampleTrialTable() {
	Out = &strings.Builder{} // silence the live summary line of this example
	tt := NewTrialTable("trials")
	tt.OnEvent(executor.Event{ID: "rea-s0001-t0004", State: executor.Running, Worker: "slot 1 pid 4242", Epoch: 2, Epochs: 5, Loss: 0.9})
	fmt.Print(tt.Text())
	Out = nil
	// Output:
	// trials: 1 running, 0 queued, 0 done
	// trial                        worker / job           state       epoch     loss     val
	// rea-s0001-t0004              slot 1 pid 4242        running       2/5   0.9000       -
}
