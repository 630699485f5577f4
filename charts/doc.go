// Package charts draws tlx's pictures with go-echarts, offline.
//
// A chart is any go-echarts chart; Display shows it in a "Go (tlx)" notebook
// cell and HTML returns the markup for it:
//
//	line := charts.Curves("Training", charts.Series{Name: "loss", Values: h.Loss})
//	charts.Display(line)
//
// The echarts library never comes from a CDN, an nbextension or RequireJS.
// A chart's markup (text/html) is its div, a static preview as an
// <img src="data:image/svg+xml;base64,..."> (echarts' server-side SVG) and
// a small script. The library itself (about 1 MB) travels once per kernel
// session, inside the first chart's output (SessionLibrary): one inline
// script that defines window.echarts with RequireJS's define hidden, so it
// works in JupyterLab, Notebook 7, VS Code, classic Notebook and nbconvert
// pages alike. Charts rendered before it arrives wait in a queue and draw
// when it does; the preview is removed only once a chart drew. Pages that
// run no scripts — a notebook reopened untrusted, a viewer — show the
// previews. HTML reports get the library with InlineLibrary when their
// outputs lack it.
package charts
