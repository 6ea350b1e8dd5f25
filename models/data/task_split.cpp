// Class-incremental task split: a seeded Fisher–Yates shuffle of the class ids, re-indexing
// in shuffled order, and contiguous runs of new labels per task. The shuffle draws from
// std::mt19937_64 with its own bounded sampling (std::shuffle and std::uniform_int_distribution
// differ between standard libraries), so a seed gives the same order everywhere.
#include "models/data/task_split.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "core/input_error.hpp"
#include "core/random.hpp"

namespace eccsim {
namespace {

void validate(const TaskSplitOptions& o) {
  if (o.num_classes < 1) {
    throw InputError(fmt::format("task split: the dataset has {} classes, need at least 1", o.num_classes));
  }
  if (o.tasks < 1) throw InputError(fmt::format("dataset.tasks: must be at least 1, got {}", o.tasks));
  if (o.tasks > o.num_classes) {
    throw InputError(fmt::format("dataset.tasks: {} tasks but the dataset has only {} classes (at most one "
                                 "task per class)", o.tasks, o.num_classes));
  }
  if (o.base_classes < 0) {
    throw InputError(fmt::format("dataset.base_classes: must be 0 (equal split) or positive, got {}",
                                 o.base_classes));
  }
  const int max_base = o.num_classes - (o.tasks - 1);
  if (o.base_classes > max_base) {
    throw InputError(fmt::format("dataset.base_classes: {} base classes leave fewer than one class for each of "
                                 "the other {} tasks (at most {} of {} classes)", o.base_classes, o.tasks - 1,
                                 max_base, o.num_classes));
  }
  if (o.tasks == 1 && o.base_classes != 0 && o.base_classes != o.num_classes) {
    throw InputError(fmt::format("dataset.base_classes: with a single task it holds all {} classes, got {} "
                                 "(use 0)", o.num_classes, o.base_classes));
  }
}

}  // namespace

int TaskSplit::task_of(int32_t new_label) const {
  for (int t = 0; t < num_tasks(); ++t) {
    const auto& classes = task_classes[static_cast<size_t>(t)];
    if (!classes.empty() && new_label >= classes.front() && new_label <= classes.back()) return t;
  }
  throw std::out_of_range(fmt::format("task_of: label {} is in no task of a {}-class split", new_label,
                                      class_order.size()));
}

TaskSplit make_task_split(const TaskSplitOptions& options) {
  validate(options);
  const int n = options.num_classes;

  TaskSplit split;
  if (options.class_order.empty()) {
    for (const int64_t c : seeded_permutation(n, options.seed)) split.class_order.push_back(static_cast<int>(c));
  } else {
    std::vector<int32_t> sorted = options.class_order;
    std::sort(sorted.begin(), sorted.end());
    for (int k = 0; k < n && static_cast<int>(sorted.size()) == n; ++k) {
      if (sorted[static_cast<size_t>(k)] != k) sorted.clear();
    }
    if (static_cast<int>(sorted.size()) != n) {
      throw InputError(fmt::format("dataset.class_order: must list each of the dataset's {} classes (0 to {}) once",
                                   n, n - 1));
    }
    split.class_order = options.class_order;
  }
  split.new_label_of.resize(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) split.new_label_of[static_cast<size_t>(split.class_order[static_cast<size_t>(k)])] = k;

  // Task sizes: an optional base task, then an equal split with the remainder to the first tasks.
  std::vector<int> sizes;
  int rest = n;
  int rest_tasks = options.tasks;
  if (options.base_classes > 0) {
    sizes.push_back(options.base_classes);
    rest -= options.base_classes;
    rest_tasks -= 1;
  }
  for (int t = 0; t < rest_tasks; ++t) sizes.push_back(rest / rest_tasks + (t < rest % rest_tasks ? 1 : 0));

  int32_t next = 0;
  for (int size : sizes) {
    std::vector<int32_t> classes;
    for (int k = 0; k < size; ++k) classes.push_back(next++);
    split.task_classes.push_back(std::move(classes));
  }
  return split;
}

std::vector<int64_t> task_samples(const TaskSplit& split, const std::vector<int32_t>& labels, int task) {
  if (task < 0 || task >= split.num_tasks()) {
    throw std::out_of_range(fmt::format("task_samples: task {} of a {}-task split", task, split.num_tasks()));
  }
  const auto& classes = split.task_classes[static_cast<size_t>(task)];
  const int32_t first = classes.front();
  const int32_t last = classes.back();
  const auto num_classes = static_cast<int32_t>(split.new_label_of.size());
  std::vector<int64_t> indices;
  for (size_t i = 0; i < labels.size(); ++i) {
    const int32_t label = labels[i];
    if (label < 0 || label >= num_classes) {
      throw std::out_of_range(fmt::format("task_samples: label {} of sample {} outside a {}-class split", label,
                                          i, num_classes));
    }
    const int32_t new_label = split.new_label_of[static_cast<size_t>(label)];
    if (new_label >= first && new_label <= last) indices.push_back(static_cast<int64_t>(i));
  }
  return indices;
}

}  // namespace eccsim
