# PyTorch reference for `make bench-train`: NAS-Bench-201 network training steps
# (SGD Nesterov, synthetic 32x32x3 data, channels_last) with the same shapes as
# lapt/train's BenchmarkTrain*. Adapted from ../shared/tools/nb201_torch_bench.py.
# Usage: python3 torch_bench.py C N BATCH STEPS ARCH [threads]
# Prints one line: "torch VERSION C=.. N=.. B=..: X img/s (threads T)".
import sys, time
import torch, torch.nn as nn


class ReLUConvBN(nn.Sequential):
    def __init__(s, Ci, Co, k, stride=1):
        super().__init__(nn.ReLU(False), nn.Conv2d(Ci, Co, k, stride, k // 2, bias=False), nn.BatchNorm2d(Co))


class Zero(nn.Module):
    def forward(s, x):
        return x.mul(0.)


def op(name, C):
    return {'none': lambda: Zero(), 'skip_connect': lambda: nn.Identity(),
            'nor_conv_1x1': lambda: ReLUConvBN(C, C, 1), 'nor_conv_3x3': lambda: ReLUConvBN(C, C, 3),
            'avg_pool_3x3': lambda: nn.AvgPool2d(3, 1, 1, count_include_pad=False)}[name]()


def parse(arch):  # NB201 string -> [(op, from, to)]
    edges = []
    for to, group in enumerate(arch.strip().split('+'), start=1):
        for item in group.strip('|').split('|'):
            o, f = item.split('~')
            edges.append((o, int(f), to))
    return edges, arch.count('+') + 2


class Cell(nn.Module):
    def __init__(s, C, arch):
        super().__init__()
        s.edges, s.nodes = parse(arch)
        s.ops = nn.ModuleList([op(o, C) for o, _, _ in s.edges])

    def forward(s, x):
        nodes = [x]
        for to in range(1, s.nodes):
            acc = None
            for (o, f, t), m in zip(s.edges, s.ops):
                if t == to and o != 'none':
                    y = m(nodes[f])
                    acc = y if acc is None else acc + y
            nodes.append(acc if acc is not None else torch.zeros_like(x))
        return nodes[-1]


class Res(nn.Module):
    def __init__(s, Ci, Co):
        super().__init__()
        s.a = ReLUConvBN(Ci, Co, 3, 2)
        s.b = ReLUConvBN(Co, Co, 3)
        s.d = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(Ci, Co, 1, bias=False))

    def forward(s, x):
        return s.b(s.a(x)) + s.d(x)


class Net(nn.Module):
    def __init__(s, arch, C, N, nc=10):
        super().__init__()
        L = [nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))]
        for i, c in enumerate([C, 2 * C, 4 * C]):
            if i > 0:
                L.append(Res(c // 2, c))
            L += [Cell(c, arch) for _ in range(N)]
        s.f = nn.Sequential(*L)
        s.h = nn.Sequential(nn.BatchNorm2d(4 * C), nn.ReLU())
        s.fc = nn.Linear(4 * C, nc)

    def forward(s, x):
        return s.fc(s.h(s.f(x)).mean((2, 3)))


def main():
    C, N, B, steps, arch = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    if len(sys.argv) > 6:
        torch.set_num_threads(int(sys.argv[6]))
    torch.manual_seed(0)
    t0 = time.time()
    m = Net(arch, C, N).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.randn(B, 3, 32, 32).to(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (B,))
    lossf = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        l = lossf(m(x), y)
        l.backward()
        opt.step()
        return l

    step()
    first = time.time() - t0
    t = time.time()
    for _ in range(steps):
        step()
    dt = time.time() - t
    print(f"torch {torch.__version__} C={C} N={N} B={B}: {B * steps / dt:.1f} img/s, "
          f"{first:.2f} s to first step (threads {torch.get_num_threads()})")


if __name__ == "__main__":
    main()
