package experiment

import (
	"encoding/json"

	"github.com/nasnb/nasnb/lapt/internal/jsonnum"
)

type outcomeJSON struct {
	Seed        uint64                   `json:"seed"`
	Val         []jsonnum.Float          `json:"val"`
	Test        []jsonnum.Float          `json:"test"`
	Evaluations int                      `json:"evaluations"`
	Exhausted   bool                     `json:"exhausted,omitempty"`
	Extra       map[string]jsonnum.Float `json:"extra,omitempty"`
	Error       string                   `json:"error,omitempty"`
}

// MarshalJSON writes NaN entries (no result yet) as null, and compact
// curves (Steps) in their dense form.
func (o Outcome) MarshalJSON() ([]byte, error) {
	val, test := o.Curves()
	return json.Marshal(outcomeJSON{o.Seed, jsonnum.Slice(val), jsonnum.Slice(test), o.Evaluations, o.Exhausted, jsonnum.Map(o.Extra), o.Error})
}

// UnmarshalJSON reads null entries back as NaN.
func (o *Outcome) UnmarshalJSON(b []byte) error {
	var j outcomeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*o = Outcome{Seed: j.Seed, Val: jsonnum.Floats(j.Val), Test: jsonnum.Floats(j.Test), Evaluations: j.Evaluations, Exhausted: j.Exhausted, Extra: jsonnum.MapBack(j.Extra), Error: j.Error}
	return nil
}

type pointJSON struct {
	Evals     int           `json:"evals"`
	TestMean  jsonnum.Float `json:"test_mean"`
	TestStd   jsonnum.Float `json:"test_std"`
	ValMean   jsonnum.Float `json:"val_mean"`
	ValStd    jsonnum.Float `json:"val_std"`
	FoundFrac jsonnum.Float `json:"found_frac"`
}

// MarshalJSON writes NaN as null.
func (p Point) MarshalJSON() ([]byte, error) {
	return json.Marshal(pointJSON{p.Evals, jsonnum.Float(p.TestMean), jsonnum.Float(p.TestStd), jsonnum.Float(p.ValMean), jsonnum.Float(p.ValStd), jsonnum.Float(p.FoundFrac)})
}

// UnmarshalJSON reads null as NaN.
func (p *Point) UnmarshalJSON(b []byte) error {
	var j pointJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Point{j.Evals, float64(j.TestMean), float64(j.TestStd), float64(j.ValMean), float64(j.ValStd), float64(j.FoundFrac)}
	return nil
}
