// Formats and parses the cases of time-cases.ts with Go's time package and writes the outcomes as JSON
// (generate-time-expected.ts pins them into time-expected.json). Needs a Go toolchain and the system tzdata.
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"time"
)

type input struct {
	Format []struct {
		Name   string `json:"name"`
		Unix   int64  `json:"unix"`
		Nanos  int64  `json:"nanos"`
		Zone   string `json:"zone"`
		Layout string `json:"layout"`
	} `json:"format"`
	Parse []struct {
		Name   string `json:"name"`
		Layout string `json:"layout"`
		Value  string `json:"value"`
	} `json:"parse"`
	Durations []int64 `json:"durations"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := map[string]interface{}{}
	formats := map[string]string{}
	for _, f := range in.Format {
		loc, err := time.LoadLocation(f.Zone)
		if err != nil {
			panic(err)
		}
		formats[f.Name] = time.Unix(f.Unix, f.Nanos).In(loc).Format(f.Layout)
	}
	out["format"] = formats
	parses := map[string]map[string]string{}
	for _, p := range in.Parse {
		t, err := time.ParseInLocation(p.Layout, p.Value, time.UTC)
		if err != nil {
			parses[p.Name] = map[string]string{"error": err.Error()}
			continue
		}
		parses[p.Name] = map[string]string{"time": t.UTC().Format(time.RFC3339Nano), "string": t.String()}
	}
	out["parse"] = parses
	durations := map[string]string{}
	for _, d := range in.Durations {
		durations[strconv.FormatInt(d, 10)] = time.Duration(d).String()
	}
	out["durations"] = durations
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
