package kernel

import "testing"

func TestIsComplete(t *testing.T) {
	for _, tc := range []struct{ code, want string }{
		{`fmt.Println("hi")`, "complete"},
		{"func main() {\n\tx := 1\n}", "complete"},
		{"func main() {", "incomplete"},
		{"x := []int{1,\n2,", "incomplete"},
		{"s := `raw", "incomplete"},
		{"/* open comment", "incomplete"},
		{"}", "invalid"},
		{"f(x))", "invalid"},
		{"", "complete"},
	} {
		if got, _ := IsComplete(tc.code); got != tc.want {
			t.Errorf("IsComplete(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
	if _, indent := IsComplete("func main() {\n\tif x {"); indent != "\t\t" {
		t.Errorf("indent for two open braces = %q, want two tabs", indent)
	}
}
