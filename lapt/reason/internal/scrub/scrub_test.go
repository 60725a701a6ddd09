package scrub

import (
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"h":"Authorization: Bearer abcdefghijkl"}`, `{"h":"Authorization: Bearer [redacted]"}`},
		{"key sk-proj-abcdefghijklmnop1234 here", "key sk-[redacted] here"},
		{"check the base URL (http://user:pw@127.0.0.1:8080/v1)", "check the base URL (http://[redacted]@127.0.0.1:8080/v1)"},
		{`"https://tok3n@example.test/v1"`, `"https://[redacted]@example.test/v1"`},
		{"http://h/v1?api_key=abcdefgh&x=1", "http://h/v1?api_key=[redacted]&x=1"},
		{"http://h/v1?token=s3cr3t", "http://h/v1?token=[redacted]"},
		{"plain text, a@b.c mail", "plain text, a@b.c mail"},
	} {
		if got := Secrets(c.in); got != c.want {
			t.Errorf("Secrets(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestURL(t *testing.T) {
	raw := "http://user:p%40ss@127.0.0.1:9/v1"
	got := URL(raw)
	if strings.Contains(got, "p%40ss") || strings.Contains(got, "p@ss") || !strings.Contains(got, "127.0.0.1:9/v1") {
		t.Fatalf("URL(%q) = %q", raw, got)
	}
	s := Values("Post \"http://127.0.0.1/v1\": said p@ss and p%40ss", URLSecrets(raw)...)
	if strings.Contains(s, "p@ss") || strings.Contains(s, "p%40ss") {
		t.Fatalf("Values left the password: %q", s)
	}
}
