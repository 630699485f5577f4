package tlx

// Must panics with err when it is not nil: in a notebook cell a panic is
// reported as the cell's error, with its message, so
//
//	tlx.Must(m.ReplaceHead(5))
//
// stops the cell where it failed without an if for every call.
func Must(err error) {
	if err != nil {
		panic(err)
	}
}

// Must1 returns v, panicking with err when it is not nil (see Must):
//
//	m := tlx.Must1(tlx.Pretrained("resnet18w8-fmnist04"))
func Must1[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
