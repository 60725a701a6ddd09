package kernelext

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// TableHTML returns an HTML table with the given header and rows; every cell is
// escaped. Columns whose cells are all numbers are right-aligned.
func TableHTML(headers []string, rows [][]string) string {
	var b strings.Builder
	ncol := len(headers)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	numeric := numericColumns(ncol, rows)
	align := func(i int) string {
		if numeric[i] {
			return "right"
		}
		return "left"
	}
	b.WriteString(`<table class="nasnb-table" style="border-collapse:collapse;font-size:13px">` + "\n")
	if len(headers) > 0 {
		b.WriteString("<thead><tr>")
		for i, h := range headers {
			fmt.Fprintf(&b, `<th style="text-align:%s;padding:2px 8px;border-bottom:1px solid #888">%s</th>`, align(i), html.EscapeString(h))
		}
		b.WriteString("</tr></thead>\n")
	}
	b.WriteString("<tbody>\n")
	for _, r := range rows {
		b.WriteString("<tr>")
		for i, c := range r {
			fmt.Fprintf(&b, `<td style="text-align:%s;padding:2px 8px">%s</td>`, align(i), html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// isNumber reports whether s looks like a number (for alignment).
func isNumber(s string) bool {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return false
	}
	var f float64
	_, err := fmt.Sscanf(s, "%g", &f)
	return err == nil && strings.IndexFunc(s, func(r rune) bool {
		return !strings.ContainsRune("0123456789.-+eE", r)
	}) < 0
}

// numericColumns reports, per column, whether every non-empty body cell is a
// number (such columns are right-aligned, header included).
func numericColumns(ncol int, rows [][]string) []bool {
	num := make([]bool, ncol)
	for i := range num {
		num[i] = true
		seen := false
		for _, r := range rows {
			if i < len(r) && strings.TrimSpace(r[i]) != "" {
				seen = true
				if !isNumber(r[i]) {
					num[i] = false
					break
				}
			}
		}
		num[i] = num[i] && seen
	}
	return num
}

// TableText returns the table as aligned plain text (columns separated by two
// spaces, a dashed line under the header), for terminals and text/plain.
func TableText(headers []string, rows [][]string) string {
	ncol := len(headers)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	widths := make([]int, ncol)
	measure := func(r []string) {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	measure(headers)
	for _, r := range rows {
		measure(r)
	}
	numeric := numericColumns(ncol, rows)
	var b strings.Builder
	line := func(r []string) {
		var parts []string
		for i := 0; i < ncol; i++ {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if numeric[i] {
				parts = append(parts, pad+c)
			} else {
				parts = append(parts, c+pad)
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
	}
	if len(headers) > 0 {
		line(headers)
		var dashes []string
		for _, w := range widths {
			dashes = append(dashes, strings.Repeat("-", w))
		}
		b.WriteString(strings.Join(dashes, "  ") + "\n")
	}
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

// DisplayTable shows a table: HTML in a notebook (with the text version as
// text/plain), aligned text on Out otherwise.
func DisplayTable(headers []string, rows [][]string) {
	DisplayData(map[string]any{"text/html": TableHTML(headers, rows), "text/plain": TableText(headers, rows)})
}

// Markdown shows prose written in Markdown: rendered in a notebook, printed
// as is outside one.
func Markdown(md string) {
	DisplayData(map[string]any{"text/markdown": md, "text/plain": md})
}

// Markdownf formats its arguments with fmt.Sprintf and shows the result with
// Markdown.
func Markdownf(format string, args ...any) {
	Markdown(fmt.Sprintf(format, args...))
}

// HTML shows an HTML fragment in a notebook; outside one it prints text (which
// may be empty, then nothing is printed).
func HTML(htmlStr, text string) {
	DisplayData(map[string]any{"text/html": htmlStr, "text/plain": text})
}
