// Runs text/template (no sprig, default missingkey mode) over the cases read as JSON on stdin and writes
// each outcome as JSON, the shape generate-default-expected.ts pins into default-mode-expected.json.
// The WASM oracle (@evertdespiegeleer/go-template) always runs with missingkey=error, so default-mode
// field chains are pinned from this program, run with a real Go toolchain.
package main

import (
	"encoding/json"
	"os"
	"strings"
	"text/template"
)

type input struct {
	Name     string      `json:"name"`
	Template string      `json:"template"`
	Data     interface{} `json:"data"`
}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	out := map[string]map[string]string{}
	for _, c := range cases {
		t, err := template.New("tpl").Parse(c.Template)
		if err != nil {
			out[c.Name] = map[string]string{"parseError": err.Error()}
			continue
		}
		var b strings.Builder
		if err := t.Execute(&b, c.Data); err != nil {
			out[c.Name] = map[string]string{"execError": err.Error()}
			continue
		}
		out[c.Name] = map[string]string{"output": b.String()}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
