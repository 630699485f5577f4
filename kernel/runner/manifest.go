package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/tlx-go/tlx/tlx/manifest"
)

// machineEntries describes where the notebook ran.
func machineEntries(start time.Time, o Options) []manifest.Entry {
	cpu := manifest.CPUModel()
	if cpu == "" {
		cpu = runtime.GOARCH
	}
	host, _ := os.Hostname()
	entries := []manifest.Entry{
		{Kind: "run", Name: "notebook", Value: o.Notebook},
		{Kind: "run", Name: "executed", Value: start.UTC().Format(time.RFC3339)},
		{Kind: "run", Name: "machine", Value: fmt.Sprintf("%s, %d cores, %s/%s, host %s", cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host)},
	}
	for _, e := range o.Env {
		if strings.HasPrefix(e, "TLX_QUICK=") {
			entries = append(entries, manifest.Entry{Kind: "run", Name: "mode", Value: "quick (" + e + ")"})
		}
	}
	return entries
}

var bodyTag = regexp.MustCompile(`<body[^>]*>`)

// insertManifest puts the manifest table at the top of the report body and
// returns the page.
func insertManifest(page []byte, entries []manifest.Entry) ([]byte, error) {
	head := bytes.Index(page, []byte("</head>"))
	if head < 0 {
		return nil, fmt.Errorf("report has no </head>")
	}
	loc := bodyTag.FindIndex(page[head:])
	if loc == nil {
		return nil, fmt.Errorf("report has no <body> for the manifest")
	}
	loc[0], loc[1] = loc[0]+head, loc[1]+head
	var b strings.Builder
	b.WriteString(`<div class="tlx-manifest" style="font-family:monospace;font-size:85%;margin:1em 2em;padding:0.5em 1em;border:1px solid #ccc;background:#fafafa">`)
	b.WriteString(`<div style="font-weight:bold;margin-bottom:0.3em">Run manifest</div><table style="border-collapse:collapse">`)
	for _, e := range entries {
		fmt.Fprintf(&b, `<tr><td style="padding:1px 8px;color:#666">%s</td><td style="padding:1px 8px">%s</td><td style="padding:1px 8px">%s</td></tr>`,
			html.EscapeString(e.Kind), html.EscapeString(e.Name), html.EscapeString(e.Value))
	}
	b.WriteString("</table></div>\n")
	var out bytes.Buffer
	out.Write(page[:loc[1]])
	out.WriteString(b.String())
	out.Write(page[loc[1]:])
	return out.Bytes(), nil
}

// writeManifestJSON saves the entries next to the report.
func writeManifestJSON(path string, entries []manifest.Entry) error {
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
