package pdf

import (
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, r := range []rune{0xfffd, 0x202f, 0x2009, 0xa0, 'Ә', 'Һ', 'І', '—', '…', '№', '«', '»', '–', '→', 0x1F600} {
		fmt.Printf("%U %v\n", r, glyphs()(r))
	}
}
