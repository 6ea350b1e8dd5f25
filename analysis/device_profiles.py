#!/usr/bin/python3
"""Per device group: the edge's time per inference and the energy per request of edge, radio and cloud.

usage: analysis/device_profiles.py DIR

DIR is a sweep directory (its points/NNNN/ runs, status ok) or one run's output directory, from
scenarios/device-profiles.yaml or any run with platform.groups. For every run it prints one
Markdown row per group, after the run's swept values: the mean edge compute time of the requests
the edge model served (requests.csv), CUR, p95 latency and the energy per request split into
edge, radio and cloud (groups.csv). Uses Debian's python3-pandas only.
"""
import argparse
import sys

import results


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    args = parser.parse_args(argv)
    try:
        keys, found = results.runs(args.dir)
        tables = [(swept, results.read_csv(run, "groups.csv"), results.read_csv(run, "requests.csv"))
                  for run, swept in found]
    except (OSError, KeyError, ValueError) as error:
        return results.refuse(error)
    columns = keys + ["group", "devices", "edge time per inference", "CUR", "p95 latency",
                      "energy per request", "edge", "radio", "cloud"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for swept, groups, requests in tables:
        served = requests[requests["edge_compute_s"] > 0].groupby("group")["edge_compute_s"].mean()
        for _, g in groups.iterrows():
            compute = f"{1e3 * served[g['group']]:.3f} ms" if g["group"] in served else "-"
            print("| " + " | ".join([swept[k] for k in keys] + [
                g["group"], str(g["devices"]), compute, f"{100 * g['cur']:.1f} %", f"{1e3 * g['latency_p95_s']:.2f} ms",
                f"{1e3 * g['energy_per_request_J']:.3f} mJ", f"{1e3 * g['edge_energy_per_request_J']:.3f} mJ",
                f"{1e3 * g['radio_energy_per_request_J']:.3f} mJ", f"{1e3 * g['cloud_energy_per_request_J']:.3f} mJ"]) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
