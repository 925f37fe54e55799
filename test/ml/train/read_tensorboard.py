"""Reads a Keras-style TensorBoard log folder (train/, validation/) with TensorBoard's own
EventAccumulator and prints every scalar and histogram it finds as one JSON line."""
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

out = {}
root = sys.argv[1]
for run in sorted(os.listdir(root)):
    acc = EventAccumulator(os.path.join(root, run), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    out[run] = {
        "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
        "histograms": {
            t: [
                {
                    "step": e.step,
                    "num": e.histogram_value.num,
                    "min": e.histogram_value.min,
                    "max": e.histogram_value.max,
                    "counted": sum(e.histogram_value.bucket),
                }
                for e in acc.Histograms(t)
            ]
            for t in tags["histograms"]
        },
    }
print(json.dumps(out))
