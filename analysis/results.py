"""What the analysis scripts share: eccsim's output directories, their CSV files and refusing bad input.

A run directory holds one run's CSV files (summary.csv, requests.csv, groups.csv, ...) and run.json.
A sweep directory holds summary.csv, one row per point: point, status, the swept keys (then
replication and seed in a replicated sweep), the run's summary from its first metric `requests`
on, and error; and points/<point>/, each a run directory. A point finished when its status is ok.
The scripts `import results`: Python puts a script's own directory first on its path, so this works
from any working directory. Uses the Python standard library and Debian's python3-pandas only.
"""
import csv
import os
import sys

import pandas as pd

FIRST_METRIC = "requests"  # a sweep summary's first run-summary column: a point's own columns sit before it


def refuse(message):
    """Prints "<script>.py: MESSAGE" on stderr (the script's name as argparse shows it) and returns the
    exit code 2, for `return refuse(...)` in a script's main."""
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    return 2


def read_csv(directory, name, **options):
    """pandas.read_csv of DIR/NAME (options as pandas takes them)."""
    return pd.read_csv(os.path.join(directory, name), **options)


def missing(directory, names):
    """The path of the first of DIR's files NAMES that is not there, or None when all are."""
    for name in names:
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            return path
    return None


def simulated_s(run):
    """The simulated time of a run (its summary.csv's simulated_s), in seconds."""
    return float(read_csv(run, "summary.csv")["simulated_s"].iloc[0])


def is_run(directory):
    """Whether DIR is one run's output directory (it has run.json)."""
    return os.path.isfile(os.path.join(directory, "run.json"))


def is_sweep(directory):
    """Whether DIR is a sweep's output directory (it has summary.csv and points/)."""
    return os.path.isdir(os.path.join(directory, "points")) and os.path.exists(os.path.join(directory, "summary.csv"))


def sweep_header(summary_path):
    """The columns of a sweep's summary.csv, or None when the file is not one (a run's summary.csv
    has neither point nor status)."""
    with open(summary_path, newline="") as f:
        header = next(csv.reader(f), [])
    if header[:2] != ["point", "status"] or FIRST_METRIC not in header or "error" not in header:
        return None
    return header


def point_columns(columns):
    """A sweep summary's columns that name a point's run, between status and the first metric: the
    swept keys, then replication and seed in a replicated sweep."""
    columns = list(columns)
    return columns[2:columns.index(FIRST_METRIC)]


def swept_keys(columns):
    """A sweep summary's swept keys: its point columns without replication and seed."""
    keys = point_columns(columns)
    return keys[:keys.index("replication")] if "replication" in keys else keys


def read_summary(sweep_dir, **options):
    """A sweep's summary.csv as a DataFrame, one row per point in grid order (options as
    pandas.read_csv takes them)."""
    return read_csv(sweep_dir, "summary.csv", **options)


def finished(summary):
    """The rows of a sweep summary whose point finished (status ok), in grid order."""
    return summary[summary["status"] == "ok"]


def point_dir(sweep_dir, point):
    """The run directory of a sweep's point (its id as summary.csv writes it, e.g. 0007)."""
    return os.path.join(sweep_dir, "points", point)


def runs(directory):
    """The runs under DIR as (point columns, [(run directory, {column: value as text})]): a sweep's
    finished points in grid order with their point columns, or, for any other directory, ([], [(DIR, {})])."""
    if not is_sweep(directory):
        return [], [(directory, {})]
    table = read_summary(directory, dtype=str)
    keys = point_columns(table.columns)
    return keys, [(point_dir(directory, row["point"]), {k: row[k] for k in keys})
                  for _, row in finished(table).iterrows()]


def save_figure(fig, path):
    """Writes a matplotlib figure to PATH through PATH.partial.png, creating PATH's directory: an
    interrupted run leaves no half-written PATH."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path + ".partial.png")
    os.replace(path + ".partial.png", path)
