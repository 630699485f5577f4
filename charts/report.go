package charts

import (
	"bytes"
	"fmt"
)

// InlineLibrary puts the echarts library into an HTML page once, at the end
// of its head, so that the charts in the page draw with no network. The
// notebook pages that nbconvert writes load RequireJS, with which the
// echarts bundle would register as an anonymous AMD module and leave
// window.echarts undefined: define is hidden while the bundle runs.
func InlineLibrary(page, echartsJS []byte) ([]byte, error) {
	at := bytes.Index(page, []byte("</head>"))
	if at < 0 {
		return nil, fmt.Errorf("page has no </head> to put the echarts library in")
	}
	if bytes.Contains(echartsJS, []byte("</script")) {
		return nil, fmt.Errorf("echarts library contains a </script> tag and cannot be inlined")
	}
	var lib bytes.Buffer
	lib.WriteString("<script>window.__tlxDefine = window.define; window.define = undefined;</script>\n<script>")
	lib.Write(echartsJS)
	lib.WriteString("</script>\n<script>window.define = window.__tlxDefine;</script>\n")
	out := make([]byte, 0, len(page)+lib.Len())
	out = append(out, page[:at]...)
	out = append(out, lib.Bytes()...)
	return append(out, page[at:]...), nil
}
