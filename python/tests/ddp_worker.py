"""One DistributedDataParallel training step, two processes, gloo on loopback, with a
knossos.vmap activation (the model reaches the workers pickled). Checks that both
ranks end with identical parameters equal to a single-process step on both batches."""

import copy
import os
import socket
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, ".."), HERE]

import knossos  # noqa: E402
import scalar_fns  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_model(act):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 8), act, nn.Linear(8, 1)).double()


def batches():
    g = torch.Generator().manual_seed(1)
    return [(torch.randn(4, 6, dtype=torch.float64, generator=g), torch.randn(4, 1, dtype=torch.float64, generator=g))
            for _ in range(2)]


def worker(rank, world, port, model, queue):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(1)
    model = copy.deepcopy(model)  # spawn shares the parameters' memory between the workers
    ddp = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1)
    x, y = batches()[rank]
    loss = ((ddp(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
    queue.put((rank, [p.detach().numpy().copy() for p in model.parameters()]))  # by value
    dist.barrier()
    dist.destroy_process_group()


def main():
    act = knossos.vmap(scalar_fns.relu3)
    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    mp.spawn(worker, args=(2, free_port(), make_model(act), queue), nprocs=2, join=True)
    results = dict(queue.get() for _ in range(2))

    # the same step in one process: DDP averages the two ranks' gradients
    model = make_model(act)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = sum(((model(x) - y) ** 2).mean() for x, y in batches()) / 2
    loss.backward()
    opt.step()
    for a, b, ref in zip(results[0], results[1], model.parameters()):
        a, b = torch.from_numpy(a), torch.from_numpy(b)
        torch.testing.assert_close(a, b, rtol=0, atol=0)
        torch.testing.assert_close(a, ref.detach(), rtol=1e-12, atol=1e-14)
    print("ddp ok")


if __name__ == "__main__":
    main()
