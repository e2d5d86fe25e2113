package report

import (
	"io"
	"testing"
)

// go test ./report/ -run '^$' -bench 'Check|DOCX' -benchtime 20x
//
// BenchmarkCheckSeed checks the whole seed report (25,663 bytes, 160
// numbers with units) against the 49 derived figures' names and units.
func BenchmarkCheckSeed(b *testing.B) {
	text := seedFile(b, seedReport)
	var values []Value
	for _, r := range figuresTSV(b) {
		if r.kind != KindTarget {
			values = append(values, Value{Figure: Figure{Key: r.key, Zh: r.zh, Unit: r.unit, Kind: r.kind}, Value: r.value})
		}
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if res := Check(text, values); len(res) == 0 {
			b.Fatal("nothing found")
		}
	}
}

// BenchmarkDOCX builds the document from the built-in template and
// writes it as a DOCX.
func BenchmarkDOCX(b *testing.B) {
	values := docValues()
	for b.Loop() {
		d, err := BuildDoc(DefaultTemplate(AllFigures(docSource{})), 0, DocInput{Jurisdiction: "古荡街道", Year: 2023, Values: values, Next: nextValues()})
		if err != nil {
			b.Fatal(err)
		}
		if err := d.WriteDOCX(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
