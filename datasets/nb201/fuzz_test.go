package nb201

import (
	"strings"
	"testing"
)

func FuzzParseLAPTJSON(f *testing.F) {
	f.Add([]byte(`{"` + a1 + `": {"val_acc_200": 87.7, "test_acc_200": 90.3, "rank": 8163}}`))
	f.Add([]byte(`{"` + a1 + `": {"val_acc_200": NaN, "test_acc_200": -Infinity}}`))
	f.Add([]byte(`{"` + a1 + `": {"val_acc_200": 1e400, "test_acc_200": 2}, "` + a2 + `": {"val_acc_200": 1, "test_acc_200": 2}}`))
	f.Add([]byte(`{"x": [`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := ParseLAPTJSON(data, "fuzz.json", CIFAR10)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range tb.Entries() {
			if !ValidArch(e.Arch) || !e.HasVal || !e.HasTest {
				t.Fatalf("bad entry accepted: %+v", e)
			}
		}
	})
}

func FuzzParseMergedCSV(f *testing.F) {
	hdr := strings.Join(MergedColumns, ",") + "\n"
	f.Add([]byte(hdr + "0," + a1 + ",1,2,3,4,5,6,7,8,9\n1," + a2 + ",1,2,3,,5,6,7,8,9\n"))
	f.Add([]byte(hdr + "0,\"" + a1 + "\",1,2,3,4,5,6,7,8,x\n"))
	f.Add([]byte("index,arch\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMergedCSV(data, "fuzz.csv")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, ds := range Datasets() {
			for _, fid := range []int{12, 200} {
				if _, err := m.Table(ds, fid); err != nil {
					t.Fatalf("valid CSV gives no table: %v", err)
				}
			}
		}
	})
}
