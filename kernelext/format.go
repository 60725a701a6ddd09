package kernelext

// Small text formatters shared by the HTML and text views.

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// esc is html.EscapeString.
func esc(s string) string { return html.EscapeString(s) }

// commas formats n with thousands separators: 15625 -> "15,625".
func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// percent formats a fraction in [0, 1] with enough digits to be non-zero
// when the fraction is: 0.000512 -> "0.05%", 0.5 -> "50%".
func percent(f float64) string {
	switch {
	case math.IsNaN(f):
		return "n/a"
	case f == 0 || f >= 0.1:
		return fmt.Sprintf("%.0f%%", 100*f)
	case f >= 0.001:
		return fmt.Sprintf("%.2g%%", 100*f)
	default:
		return fmt.Sprintf("%.1g%%", 100*f)
	}
}

// taskShort shortens "nb201/cifar10@200" to "cifar10" and joins several names.
func taskShort(names ...string) string {
	out := make([]string, len(names))
	for i, n := range names {
		if _, after, ok := strings.Cut(n, "/"); ok {
			n = after
		}
		if before, _, ok := strings.Cut(n, "@"); ok {
			n = before
		}
		out[i] = n
	}
	return strings.Join(out, "+")
}

// pm formats "mean ± std" with 2 decimals (n/a for NaN).
func pm(mean, std float64) string {
	if math.IsNaN(mean) {
		return "n/a"
	}
	if math.IsNaN(std) {
		return fmt.Sprintf("%.2f", mean)
	}
	return fmt.Sprintf("%.2f\u00a0±\u00a0%.2f", mean, std) // no-break spaces: one line in HTML tables
}
