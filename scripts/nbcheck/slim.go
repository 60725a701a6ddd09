package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// slimNotebook rewrites an executed notebook for committing: it drops the
// outputs that only carry the ECharts library (~1.1 MB each; GitHub and
// untrusted notebooks never run it, and re-running a cell brings it back) and
// the per-cell execution timing metadata. Charts keep their static SVG, so the
// committed notebook reads well on GitHub. The JSON is written the way
// nbformat writes it (sorted keys, one-space indent, numbers as they were).
func slimNotebook(in, out string) (removed int, err error) {
	raw, err := os.ReadFile(in)
	if err != nil {
		return 0, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var nb map[string]any
	if err := dec.Decode(&nb); err != nil {
		return 0, fmt.Errorf("%s: %w", in, err)
	}
	cells, _ := nb["cells"].([]any)
	for _, c := range cells {
		cell, _ := c.(map[string]any)
		if md, ok := cell["metadata"].(map[string]any); ok {
			delete(md, "execution")
		}
		outs, ok := cell["outputs"].([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(outs))
		for _, o := range outs {
			om, _ := o.(map[string]any)
			if data, ok := om["data"].(map[string]any); ok && isBundle(joinLines(data["text/html"])) {
				removed++
				continue
			}
			kept = append(kept, o)
		}
		cell["outputs"] = kept
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return 0, err
	}
	return removed, os.WriteFile(out, buf.Bytes(), 0o644)
}

// joinLines returns a string or list-of-strings JSON value as one string.
func joinLines(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		var b strings.Builder
		for _, s := range t {
			if str, ok := s.(string); ok {
				b.WriteString(str)
			}
		}
		return b.String()
	}
	return ""
}
