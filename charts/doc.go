// Package charts draws tlx's pictures with go-echarts, offline.
//
// A chart is any go-echarts chart; Display shows it in a "Go (tlx)" notebook
// cell and HTML returns the markup for it:
//
//	line := charts.Curves("Training", charts.Series{Name: "loss", Values: h.Loss})
//	charts.Display(line)
//
// The echarts library never comes from a CDN. Each chart's markup is the
// chart's options plus a loader of about a kilobyte that finds echarts in
// one of three places: a page that already has it (window.echarts, as in the
// HTML reports that tlx-run writes, which inline the library once with
// InlineLibrary), or the notebook server's nbextensions/tlx/echarts.min.js
// (installed with the kernel, loaded through the notebook's RequireJS).
package charts
