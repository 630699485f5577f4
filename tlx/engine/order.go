package engine

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultOrder is the order Backend tries when neither GOMLX_BACKEND nor
// TLX_BACKEND_ORDER is set: the first that starts here wins. It was decided
// by measurement (see the package documentation): XLA steps faster, but
// its compilation makes notebooks slower end to end.
var DefaultOrder = []string{"go"}

// whyDefault says, for the notice, why Backend took a backend of
// DefaultOrder.
// An empty reason with nothing skipped prints no line.
var whyDefault = map[string]string{}

// chooseDefault returns the first configuration of DefaultOrder that
// starts and why it was taken, naming those before it that did not start.
func chooseDefault() (config, why string) {
	var skipped []string
	for _, c := range DefaultOrder {
		b, err := startExactly(c)
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		b.Finalize()
		return c, strings.Join(slices.DeleteFunc(append([]string{whyDefault[c]}, skipped...), func(s string) bool { return s == "" }), "; ")
	}
	return "go", fmt.Sprintf("no backend of the default order started: %s", strings.Join(skipped, "; "))
}
