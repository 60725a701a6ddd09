package main

import (
	"encoding/json"
	"math"
)

// trainRunJSON is TrainTransferRun with the best scores as pointers: a run
// without a usable trial (all diverged, or a failed seed) has NaN there,
// which JSON cannot hold; it is written as null.
type trainRunJSON struct {
	trainRunFields
	BestVal  *float64 `json:"best_val"`
	BestTest *float64 `json:"best_test"`
}

// trainRunFields has TrainTransferRun's fields without its methods.
type trainRunFields TrainTransferRun

func nanToNil(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// MarshalJSON writes NaN best scores (no usable trial) as null.
func (r TrainTransferRun) MarshalJSON() ([]byte, error) {
	return json.Marshal(trainRunJSON{trainRunFields(r), nanToNil(r.BestVal), nanToNil(r.BestTest)})
}

// UnmarshalJSON reads null best scores back as NaN.
func (r *TrainTransferRun) UnmarshalJSON(b []byte) error {
	var j trainRunJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = TrainTransferRun(j.trainRunFields)
	r.BestVal, r.BestTest = math.NaN(), math.NaN()
	if j.BestVal != nil {
		r.BestVal = *j.BestVal
	}
	if j.BestTest != nil {
		r.BestTest = *j.BestTest
	}
	return nil
}
