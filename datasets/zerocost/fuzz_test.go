package zerocost

import (
	"strings"
	"testing"
)

func FuzzParseZeroCost(f *testing.F) {
	f.Add([]byte(`{"cifar10": {"(0, 2, 3, 2, 3, 1)": `+rec+`}}`), uint8(0))
	f.Add([]byte(`{"class_scene": {"(1, 0, 0, 2, 1, 0)": {"val_accuracy": 34.8, "jacov": {"score": -32.4}}}}`), uint8(1))
	f.Add([]byte(`{"room_layout": {"(1, 2, 4, 2, 0, 0)": {"val_accuracy": -0.5, "idx": 3}}}`), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		var err error
		switch which % 3 {
		case 0:
			_, err = ParseNB201(data, "fuzz.json")
		case 1:
			_, err = ParseTransNAS(data, "fuzz.json", "micro")
		case 2:
			_, err = ParseTransNAS(data, "fuzz.json", "macro")
		}
		if err != nil && !strings.Contains(err.Error(), "fuzz.json") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
