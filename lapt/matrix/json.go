package matrix

import (
	"encoding/json"
	"math"

	"github.com/nasnb/nasnb/lapt/internal/jsonnum"
)

type cellJSON struct {
	Method       string        `json:"method"`
	SpaceSize    int64         `json:"space_size"`
	OptimumKept  bool          `json:"optimum_kept"`
	OptimumCut   int           `json:"optimum_cut"`
	Seeds        int           `json:"seeds"`
	FoundOptimum float64       `json:"found_optimum"`
	FoundTop     float64       `json:"found_top"`
	Metric       float64       `json:"metric_mean"`
	MetricStd    float64       `json:"metric_std"`
	ValAt10      jsonnum.Float `json:"val_at_10"`
	ValAt10Std   jsonnum.Float `json:"val_at_10_std"`
	ValAtBudget  jsonnum.Float `json:"val_at_budget"`
	TestAt10     jsonnum.Float `json:"test_at_10"`
	TestAtBudget jsonnum.Float `json:"test_at_budget"`
	Adaptations  float64       `json:"adaptations"`
	Escapes      float64       `json:"escapes"`
}

// MarshalJSON writes missing scores (NaN) as null.
func (c Cell) MarshalJSON() ([]byte, error) {
	return json.Marshal(cellJSON{c.Method, c.SpaceSize, c.OptimumKept, c.OptimumCut, c.Seeds, c.FoundOptimum, c.FoundTop, c.Metric, c.MetricStd,
		jsonnum.Float(c.ValAt10), jsonnum.Float(c.ValAt10Std), jsonnum.Float(c.ValAtBudget), jsonnum.Float(c.TestAt10), jsonnum.Float(c.TestAtBudget), c.Adaptations, c.Escapes})
}

// UnmarshalJSON reads null scores back as NaN.
func (c *Cell) UnmarshalJSON(b []byte) error {
	j := cellJSON{ValAt10Std: jsonnum.Float(math.NaN())} // unknown in reports written before it
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Cell{j.Method, j.SpaceSize, j.OptimumKept, j.OptimumCut, j.Seeds, j.FoundOptimum, j.FoundTop, j.Metric, j.MetricStd,
		float64(j.ValAt10), float64(j.ValAt10Std), float64(j.ValAtBudget), float64(j.TestAt10), float64(j.TestAtBudget), j.Adaptations, j.Escapes}
	return nil
}

type summaryJSON struct {
	Method           string        `json:"method"`
	Pairs            int           `json:"pairs"`
	MeanFound        float64       `json:"mean_found"`
	WorstFound       float64       `json:"worst_found"`
	WorstPair        string        `json:"worst_pair"`
	MeanTop          float64       `json:"mean_top"`
	WorstTop         float64       `json:"worst_top"`
	MeanMetric       float64       `json:"mean_metric"`
	WorstMetric      float64       `json:"worst_metric"`
	MeanValAt10      jsonnum.Float `json:"mean_val_at_10"`
	MeanValAtBudget  jsonnum.Float `json:"mean_val_at_budget"`
	OptimumKept      int           `json:"optimum_kept"`
	ZeroFound        int           `json:"zero_found"`
	BelowREA         int           `json:"below_rea"`
	Val10BelowREA    int           `json:"val10_below_rea"`
	SigBelowREA      int           `json:"sig_below_rea"`
	Val10SigBelowREA int           `json:"val10_sig_below_rea"`
}

// MarshalJSON writes missing scores (NaN) as null.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(summaryJSON{s.Method, s.Pairs, s.MeanFound, s.WorstFound, s.WorstPair, s.MeanTop, s.WorstTop, s.MeanMetric,
		s.WorstMetric, jsonnum.Float(s.MeanValAt10), jsonnum.Float(s.MeanValAtBudget), s.OptimumKept, s.ZeroFound, s.BelowREA, s.Val10BelowREA, s.SigBelowREA, s.Val10SigBelowREA})
}

// UnmarshalJSON reads null scores back as NaN.
func (s *Summary) UnmarshalJSON(b []byte) error {
	j := summaryJSON{SigBelowREA: -1, Val10SigBelowREA: -1} // unknown in reports written before these counts
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Summary{j.Method, j.Pairs, j.MeanFound, j.WorstFound, j.WorstPair, j.MeanTop, j.WorstTop, j.MeanMetric, j.WorstMetric,
		float64(j.MeanValAt10), float64(j.MeanValAtBudget), j.OptimumKept, j.ZeroFound, j.BelowREA, j.Val10BelowREA, j.SigBelowREA, j.Val10SigBelowREA}
	return nil
}
