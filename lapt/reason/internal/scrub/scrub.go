// Package scrub removes secrets from text before it is shown, logged or
// recorded: API keys ("sk-..."), authorization header values ("Bearer
// ...", "api-key: ..."), the values of environment variables named
// *_API_KEY, and credentials in URLs ("http://user:password@host" keeps
// only the scheme and host). The LLM client and the recorder share it.
package scrub

import (
	"net/url"
	"os"
	"regexp"
	"strings"
)

var (
	skKeyRE  = regexp.MustCompile(`\bsk-[A-Za-z0-9_\-]{16,}`)
	bearerRE = regexp.MustCompile(`(?i)\b(bearer)\s+[^\s"'\\,;]{6,}`)
	apiKeyRE = regexp.MustCompile(`(?i)\b(api[-_]?key|authorization)(["']?\s*[:=]\s*["']?)[^\s"'\\,;}&]{6,}`)
	// userinfoRE matches the user[:password]@ part of a URL.
	userinfoRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s"'\\@?#]*@`)
	// secretParamRE matches secret-looking query parameters.
	secretParamRE = regexp.MustCompile(`(?i)([?&](?:password|passwd|pwd|token|access_token|secret|key|sig|signature)=)[^&\s"'\\#]+`)
)

// Secrets replaces anything in s that looks like an API key, an
// authorization header value or a URL credential with "[redacted]". The
// result of scrubbing valid JSON is valid JSON.
func Secrets(s string) string {
	s = userinfoRE.ReplaceAllString(s, "${1}[redacted]@")
	s = secretParamRE.ReplaceAllString(s, "${1}[redacted]")
	s = skKeyRE.ReplaceAllString(s, "sk-[redacted]")
	s = bearerRE.ReplaceAllString(s, "$1 [redacted]")
	s = apiKeyRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasSuffix(strings.ToLower(m), "bearer") {
			return m // "Authorization: Bearer <token>": the token is scrubbed above
		}
		return apiKeyRE.ReplaceAllString(m, "$1$2[redacted]")
	})
	return s
}

// Env replaces the values of the environment variables named *_API_KEY (8
// characters or more) with "[redacted]", then applies [Secrets].
func Env(s string) string {
	for _, kv := range os.Environ() {
		name, val, ok := strings.Cut(kv, "=")
		if ok && len(val) >= 8 && strings.HasSuffix(strings.ToUpper(name), "_API_KEY") && !strings.ContainsAny(val, "\"\\") {
			s = strings.ReplaceAll(s, val, "[redacted]")
		}
	}
	return Secrets(s)
}

// Values replaces every given secret value (4 characters or more) in s,
// as written and percent-decoded, with "[redacted]".
func Values(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
			if esc := url.QueryEscape(v); esc != v {
				s = strings.ReplaceAll(s, esc, "[redacted]")
			}
			if esc := url.PathEscape(v); esc != v {
				s = strings.ReplaceAll(s, esc, "[redacted]")
			}
		}
	}
	return s
}

// URLSecrets returns the credentials held in a URL: the user's password
// (and the user name when there is no password: then it is the token), and
// the values of secret-looking query parameters. Use them with [Values].
func URLSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		// Unparseable: mask whatever sits between "://" and "@".
		if m := userinfoRE.FindString(raw); m != "" {
			_, info, _ := strings.Cut(m, "://")
			return []string{strings.TrimSuffix(info, "@")}
		}
		return nil
	}
	var out []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw)
		} else {
			out = append(out, u.User.Username())
		}
	}
	for k, vs := range u.Query() {
		if secretParamRE.MatchString("?" + k + "=x") {
			out = append(out, vs...)
		}
	}
	return out
}

// URL returns raw with its credentials masked, for messages.
func URL(raw string) string { return Values(Secrets(raw), URLSecrets(raw)...) }
