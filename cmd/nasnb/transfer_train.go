package main

import (
	"context"
	"flag"
	"io"
)

// runTransferTrain is replaced when the training evaluator is wired in.
var runTransferTrain = func(ctx context.Context, fs *flag.FlagSet, rf *reasonerFlags, stdout, stderr io.Writer) error {
	return usagef("--evaluator train is not available in this build")
}
