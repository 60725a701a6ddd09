package llm

import (
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
	"github.com/nasnb/nasnb/lapt/space"
)

// Issue 13 row 10: a reply allowing only none on every edge is refused.
func TestAllNoneReplyRefused(t *testing.T) {
	reply := llmtest.GoodReply([][]int{{0}, {0}, {0}, {0}, {0}, {0}}, "Nothing helps.")
	if _, err := ParseReply(space.NB201(), reply, 2); err == nil || !strings.Contains(err.Error(), "no path") {
		t.Fatalf("all-none reply: %v", err)
	}
}
