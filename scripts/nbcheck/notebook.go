package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Notebook is the part of an nbformat 4 notebook that nbcheck reads.
type Notebook struct {
	Cells    []Cell         `json:"cells"`
	Metadata map[string]any `json:"metadata"`
}

// Cell is one notebook cell.
type Cell struct {
	CellType       string         `json:"cell_type"`
	Source         multiline      `json:"source"`
	Metadata       map[string]any `json:"metadata"`
	Outputs        []Output       `json:"outputs"`
	ExecutionCount *int           `json:"execution_count"`
}

// Output is one cell output.
type Output struct {
	OutputType string               `json:"output_type"`
	Name       string               `json:"name"` // stream: stdout or stderr
	Text       multiline            `json:"text"`
	Data       map[string]multiline `json:"data"`
	Ename      string               `json:"ename"`
	Evalue     string               `json:"evalue"`
}

// multiline is nbformat's string-or-list-of-strings.
type multiline string

// UnmarshalJSON accepts a string or a list of strings; other values (JSON
// MIME data) are kept as their JSON text.
func (m *multiline) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = multiline(s)
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err == nil {
		*m = multiline(strings.Join(l, ""))
		return nil
	}
	*m = multiline(b)
	return nil
}

// Tags returns the cell's tags (metadata.tags).
func (c *Cell) Tags() []string {
	raw, _ := c.Metadata["tags"].([]any)
	var tags []string
	for _, t := range raw {
		if s, ok := t.(string); ok {
			tags = append(tags, s)
		}
	}
	return tags
}

// HasTag reports whether the cell carries tag.
func (c *Cell) HasTag(tag string) bool {
	for _, t := range c.Tags() {
		if t == tag {
			return true
		}
	}
	return false
}

func readNotebook(path string) (*Notebook, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb := &Notebook{}
	if err := json.Unmarshal(raw, nb); err != nil {
		return nil, fmt.Errorf("%s: not a notebook: %w", path, err)
	}
	return nb, nil
}

// isBundle reports whether an HTML output is the ECharts library itself
// (minified third-party code, not checked for paths or secrets).
func isBundle(html string) bool {
	return strings.HasPrefix(strings.TrimSpace(html), `<script type="text/javascript" data-nasnb="echarts-`)
}

// outputTexts returns the checkable texts of an output: stream text, every
// textual MIME entry (not images in base64, not the ECharts bundle), error
// name and value.
func outputTexts(o Output) []string {
	var out []string
	switch o.OutputType {
	case "stream":
		out = append(out, string(o.Text))
	case "error":
		out = append(out, o.Ename+": "+o.Evalue)
	}
	for mime, v := range o.Data {
		if mime == "image/png" || mime == "image/jpeg" || mime == "image/gif" {
			continue
		}
		if mime == "text/html" && isBundle(string(v)) {
			continue
		}
		out = append(out, string(v))
	}
	return out
}

// cellText joins all checkable output texts of a cell.
func cellText(c *Cell) string {
	var parts []string
	for _, o := range c.Outputs {
		parts = append(parts, outputTexts(o)...)
	}
	return strings.Join(parts, "\n")
}
