package main

import (
	"fmt"
	"github.com/tlx-go/tlx/tlx/zoo"
)

func main() {
	for _, n := range zoo.Names() {
		_, card, err := zoo.Pretrained(n)
		fmt.Println(card, err)
	}
}
