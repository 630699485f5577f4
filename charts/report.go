package charts

import (
	"bytes"
	"fmt"
)

// InlineLibrary puts the echarts library into an HTML page once, at the end
// of its head, so that the charts in the page draw with no network: the
// script Library makes of echartsJS, which hides RequireJS's define (the
// notebook pages nbconvert writes load RequireJS) while the bundle runs. A
// page that already carries that script (a notebook's first chart sends it
// in its output; see SessionLibrary) is returned unchanged.
func InlineLibrary(page, echartsJS []byte) ([]byte, error) {
	if bytes.Contains(page, []byte(libraryMarker)) {
		return page, nil
	}
	at := bytes.Index(page, []byte("</head>"))
	if at < 0 {
		return nil, fmt.Errorf("page has no </head> to put the echarts library in")
	}
	lib, err := libraryBlock(echartsJS)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(page)+len(lib))
	out = append(out, page[:at]...)
	out = append(out, lib...)
	return append(out, page[at:]...), nil
}
