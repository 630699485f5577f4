// Package tlx is transfer learning for Go notebooks: it wraps GoMLX so that
// a notebook can load a model, freeze and unfreeze its layers, fine-tune it
// and plot what happened.
//
// In a "Go (tlx)" notebook cell:
//
//	import "github.com/tlx-go/tlx/tlx"
//
//	func main() {
//		fmt.Println("tlx", tlx.Version)
//		for _, b := range tlx.Backends() {
//			fmt.Println(b)
//		}
//		h, err := tlx.QuickStart(tlx.QuickStartConfig{Epochs: 20, Seed: 1})
//		if err != nil {
//			panic(err)
//		}
//		fmt.Println(h)
//	}
//
// The backend is the pure-Go GoMLX backend unless GOMLX_BACKEND names
// another one (see Backends).
package tlx

// Version is the tlx release.
const Version = "0.1.0-dev"
