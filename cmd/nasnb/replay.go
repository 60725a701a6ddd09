package main

import (
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/replay"
)

func init() {
	openReplay = func(path string) (reason.Reasoner, error) { return replay.NewReplayer(path) }
	wrapRecord = func(r reason.Reasoner, path string) (reason.Reasoner, error) { return replay.NewRecorder(r, path) }
}
