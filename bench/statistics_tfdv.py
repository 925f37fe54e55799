"""TFDV side of bench/statistics-vs-tfdv.ts: time generate_statistics_from_tfrecord (DirectRunner).

  python statistics_tfdv.py IN.tfrecord OUT.pb
prints {"seconds": …, "max_rss_mb": …, "examples": …} as JSON. The clock covers the
statistics only, not importing TensorFlow; the RSS is the larger of this process and any
children Beam waited for.
"""
import json
import resource
import sys
import time

import tensorflow_data_validation as tfdv


def main(tfrecord, out):
    start = time.perf_counter()
    stats = tfdv.generate_statistics_from_tfrecord(data_location=tfrecord)
    seconds = time.perf_counter() - start
    with open(out, "wb") as f:
        f.write(stats.SerializeToString())
    rss = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(json.dumps({"seconds": seconds, "max_rss_mb": rss, "examples": stats.datasets[0].num_examples}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
