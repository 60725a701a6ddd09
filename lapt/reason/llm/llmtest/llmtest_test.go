package llmtest

import (
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, url, auth, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestServerProblemsAndAuth(t *testing.T) {
	s := New(WithKey("k-123456789"))
	defer s.Close()
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	if r := post(t, s.URL()+"/chat/completions", "", body); r.StatusCode != 401 {
		t.Fatalf("no key: %d", r.StatusCode)
	}
	if r := post(t, s.URL()+"/chat/completions", "wrong", body); r.StatusCode != 401 {
		t.Fatalf("wrong key: %d", r.StatusCode)
	}
	if r := post(t, s.URL()+"/chat/completions", "k-123456789", body); r.StatusCode != 500 {
		t.Fatalf("empty queue: %d", r.StatusCode)
	}
	if r := post(t, s.URL()+"/models", "k-123456789", body); r.StatusCode != 404 {
		t.Fatalf("wrong path: %d", r.StatusCode)
	}
	s.Push(Reply("ok"))
	if r := post(t, s.URL()+"/chat/completions", "k-123456789", body); r.StatusCode != 200 {
		t.Fatalf("scripted: %d", r.StatusCode)
	}
	p := strings.Join(s.Problems(), "\n")
	for _, want := range []string{"no Authorization header", "no scripted behaviour left", "unexpected POST /v1/models"} {
		if !strings.Contains(p, want) {
			t.Errorf("problems lack %q:\n%s", want, p)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 4 || reqs[1].KeyMatched || !reqs[3].KeyMatched || reqs[3].Behavior != "reply" {
		t.Fatalf("requests = %+v", reqs)
	}
}

func TestCutMid(t *testing.T) {
	g := GoodReply([][]int{{1}, {2}})
	c := CutMid(g)
	if len(c) >= len(g) || !strings.HasPrefix(g, c) || !strings.Contains(c, "{") {
		t.Fatalf("CutMid = %q", c)
	}
}
