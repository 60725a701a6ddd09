"""Writes small.pickle: a synthetic NATS-Bench topology arch entry with the
same structure and pickle globals as the official NATS-tss-v1_0-3ffb9-simple
files (collections.OrderedDict, numpy.dtype, numpy.core.multiarray.scalar),
but 3 epochs per fidelity. It fakes the numpy modules so that numpy is not
needed. Used as a test fixture and fuzz seed. Run: python3 gen_small_pickle.py
It also writes small.pickle.pbz2 (its bz2 compression) and small_meta.pickle
(a two-arch meta pickle).
"""
import collections, pickle, struct, sys, types

np = types.ModuleType("numpy")
core = types.ModuleType("numpy.core")
ma = types.ModuleType("numpy.core.multiarray")
sys.modules.update({"numpy": np, "numpy.core": core, "numpy.core.multiarray": ma})


class dtype:
    def __init__(self, code, align=False, copy=True):
        self.code = code

    def __reduce__(self):
        return (dtype, (self.code, False, True), (3, "<", None, None, None, -1, -1, 0))

    def __setstate__(self, state):
        pass


dtype.__module__ = "numpy"
np.dtype = dtype


def scalar(dt, data):
    raise NotImplementedError


scalar.__module__ = "numpy.core.multiarray"
ma.scalar = scalar


class F8:
    def __init__(self, v):
        self.v = v

    def __reduce__(self):
        return (scalar, (dtype("f8"), struct.pack("<d", self.v)))


ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"
EVAL = {"cifar10-valid": ["x-valid", "ori-test"], "cifar10": ["ori-test"],
        "cifar100": ["ori-test", "x-valid", "x-test"], "ImageNet16-120": ["ori-test", "x-valid", "x-test"]}


def result(ds, seed, epochs, base):
    acc = {e: base + e for e in range(epochs)}
    ev = {}
    for i, name in enumerate(EVAL[ds]):
        for e in range(epochs):
            ev["%s@%d" % (name, e)] = base + e + 0.5 * (i + 1)
    return {
        "name": ds, "train_acc1es": acc, "train_acc5es": None,
        "train_losses": {e: 1.0 / (e + 1) for e in range(epochs)},
        "train_times": {e: 1.5 for e in range(epochs)},
        "arch_config": {"channel": 16, "num_cells": 5, "arch_str": ARCH, "class_num": 10},
        "params": F8(0.802426), "flop": 113.95137, "seed": "%04d" % seed, "epochs": epochs,
        "latency": [F8(0.016)], "eval_names": EVAL[ds], "eval_acc1es": ev,
        "eval_times": {k: 0.1 for k in ev}, "eval_losses": {k: 0.9 for k in ev}, "net_state_dict": None,
    }


def fidelity(epochs, seeds):
    allr = collections.OrderedDict()
    for s in seeds:
        for j, ds in enumerate(EVAL):
            allr[(ds, s)] = result(ds, s, epochs, 10.0 * (j + 1) + s / 1000.0)
    return {"arch_index": 11, "arch_str": ARCH, "all_results": allr,
            "dataset_seed": {ds: list(seeds) for ds in EVAL}, "clear_net_done": True}


top = collections.OrderedDict([("12", fidelity(3, [111])), ("200", fidelity(3, [777, 888]))])
with open("small.pickle", "wb") as f:
    pickle.dump(top, f, protocol=4)

import bz2

with open("small.pickle", "rb") as f, open("small.pickle.pbz2", "wb") as g:
    g.write(bz2.compress(f.read()))
meta = {"meta_archs": ["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
                       "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"],
        "total_archs": 2, "arch2infos": None, "evaluated_indexes": set()}
with open("small_meta.pickle", "wb") as f:
    f.write(pickle.dumps(meta, protocol=4))
