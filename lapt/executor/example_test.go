package executor_test

import (
	"fmt"

	"github.com/nasnb/nasnb/lapt/executor"
)

// Trials are named by their run and their step, so a resumed search asks
// for the same names and finished ones are read back.
func ExampleTaskID() {
	id := executor.TaskID("lapt-synthetic-s0003", 12)
	fmt.Println(id, executor.CheckID(id) == nil)
	fmt.Println(executor.ResultPath("runs/trials", id))
	fmt.Println(executor.CheckID("../etc/passwd"))
	// Output:
	// lapt-synthetic-s0003-t0012 true
	// runs/trials/results/lapt-synthetic-s0003-t0012.json
	// executor: task id "../etc/passwd": only letters, digits, '-', '_' and '.' are allowed
}
